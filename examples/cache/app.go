package main

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/embedded"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// app serves configuration values through a cached view of the pool.
type app struct {
	rc  *pool.Pool
	v   *conn.Cached
	log *log.Logger
}

// newApp returns the handler. Entries live at most ttl in memory, and
// less when the key expires sooner on the server.
// keyPrefix begins the Redis key of every /config/{key}: the key
// "site:title" of /config/site:title is txredis:example:cache:site:title,
// so that the example touches nothing else on a real server.
const keyPrefix = embedded.KeyPrefix + "cache:"

func newApp(rc *pool.Pool, ttl time.Duration, logger *log.Logger) (*app, http.Handler) {
	a := &app{rc: rc, v: rc.Cached(ttl), log: logger}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /config/{key}", a.get)
	mux.HandleFunc("POST /config/{key}", a.post)
	mux.HandleFunc("GET /stats", a.stats)
	return a, mux
}

// get answers the value of key, from memory when the cache holds it.
func (a *app) get(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	d := a.v.Get(keyPrefix + key)
	_, _, fired := d.Result() // a hit has fired before Get returned
	value, err := d.Wait(r.Context())
	switch {
	case errors.Is(err, proto.ErrNil):
		http.Error(w, "no such key", http.StatusNotFound)
		return
	case err != nil:
		a.log.Printf("get %s: %v", key, err)
		http.Error(w, "redis is unavailable", http.StatusServiceUnavailable)
		return
	}
	if fired {
		w.Header().Set("X-Cache", "hit")
	} else {
		w.Header().Set("X-Cache", "miss")
	}
	fmt.Fprintln(w, value)
}

// post writes the form field value to key, then syncs the view: the next
// read of key, on any pooled connection, sees the new value.
func (a *app) post(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if err := r.ParseForm(); err != nil || !r.Form.Has("value") {
		http.Error(w, "want a value", http.StatusBadRequest)
		return
	}
	if _, err := a.rc.Set(keyPrefix+key, r.Form.Get("value")).Wait(r.Context()); err != nil {
		a.log.Printf("set %s: %v", key, err)
		http.Error(w, "redis is unavailable", http.StatusServiceUnavailable)
		return
	}
	if _, err := a.v.Sync().Wait(r.Context()); err != nil {
		a.log.Printf("sync after set %s: %v", key, err)
	}
	fmt.Fprintln(w, "OK")
}

// stats prints the cache's counters.
func (a *app) stats(w http.ResponseWriter, _ *http.Request) {
	s := a.v.Stats()
	fmt.Fprintf(w, "hits %d\nmisses %d\ninvalidations %d\nevictions %d\nentries %d\nbytes %d\ntracking %d of %d connections with a cache\n",
		s.Hits, s.Misses, s.Invalidations, s.Evictions, s.Entries, s.Bytes, s.Tracking, s.Connections)
	if err := a.v.Err(); err != nil {
		fmt.Fprintf(w, "not caching: %v\n", err)
	}
}
