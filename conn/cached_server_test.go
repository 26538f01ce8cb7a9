package conn_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// cachedModes are the ways a connection can track: RESP3 on the same
// connection in the three modes, and RESP2 through an invalidation
// connection.
var cachedModes = []struct {
	name string
	opts conn.Options
}{
	{"resp3-default", conn.Options{Protocol: 3}},
	{"resp3-bcast", conn.Options{Protocol: 3, Cache: conn.CacheOptions{Mode: conn.TrackBroadcast}}},
	{"resp3-optin", conn.Options{Protocol: 3, Cache: conn.CacheOptions{Mode: conn.TrackOptIn}}},
	{"resp2-redirect", conn.Options{Protocol: 2}},
}

func TestRealCachedHitsAndInvalidation(t *testing.T) {
	srv := testserver.Start(t)
	w := connectTo(t, conn.Options{Addr: srv.Addr()})
	for _, m := range cachedModes {
		t.Run(m.name, func(t *testing.T) {
			o := m.opts
			o.Addr = srv.Addr()
			c := connectTo(t, o)
			v := c.Cached(time.Minute)
			key := "k:" + m.name
			testutil.Must(t, w.Set(key, "v1"))
			// The first reads may go uncached while tracking is turned on.
			warm(t, v, key)
			if have := testutil.Must(t, v.Get(key)); have != "v1" {
				t.Fatalf("Get: have %q, want v1", have)
			}
			testutil.Must(t, w.Set(key, "v2"))
			testutil.Must(t, v.Sync())
			if have := testutil.Must(t, v.Get(key)); have != "v2" {
				t.Fatalf("Get after write and Sync: have %q, want v2", have)
			}
			if _, err := testutil.Wait(t, v.Get(key+":missing")); !errors.Is(err, proto.ErrNil) {
				t.Fatalf("missing: %v", err)
			}
			s := v.Stats()
			t.Logf("%+v", s)
			if s.Hits == 0 || s.Misses == 0 || s.Invalidations == 0 || s.Tracking != 1 {
				t.Fatalf("stats: %+v", s)
			}
		})
	}
}

// With BCAST and prefixes, keys outside the prefixes are read uncached:
// the server would send no invalidation for them.
func TestRealCachedBroadcastPrefixes(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr(), Protocol: 3,
		Cache: conn.CacheOptions{Mode: conn.TrackBroadcast, Prefixes: []string{"p:"}}})
	testutil.Must(t, c.Set("p:1", "in"))
	testutil.Must(t, c.Set("q:1", "out"))
	v := c.Cached(time.Minute)
	warm(t, v, "p:1")
	for range 3 {
		if have := testutil.Must(t, v.Get("q:1")); have != "out" {
			t.Fatalf("q:1: %q", have)
		}
	}
	if s := v.Stats(); s.Entries != 1 {
		t.Fatalf("a key outside the prefixes was cached: %+v", s)
	}
	// A change of a key under the prefix is broadcast, read or not.
	testutil.Must(t, c.Set("p:1", "changed"))
	testutil.Must(t, v.Sync())
	if have := testutil.Must(t, v.Get("p:1")); have != "changed" {
		t.Fatalf("p:1 after the write: %q", have)
	}
}

// Over RESP2 the view owns an invalidation connection per caching
// connection; Disconnect closes it too and leaves no goroutine behind.
func TestRealCachedRESP2DisconnectLeavesNothing(t *testing.T) {
	srv := testserver.Start(t)
	w := connectTo(t, conn.Options{Addr: srv.Addr()})
	before := runtime.NumGoroutine()
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr(), Protocol: 2, ClientName: "resp2cached"}))
	v := c.Cached(time.Minute)
	testutil.Must(t, c.Set("k", "v"))
	warm(t, v, "k")
	list := testutil.Must(t, w.Do("CLIENT", "LIST"))
	if n := strings.Count(list.Str, "name=resp2cached"); n != 2 {
		t.Fatalf("%d connections named resp2cached, want the data and the invalidation connection:\n%s", n, list.Str)
	}
	testutil.Wait(t, c.Disconnect())
	testutil.CheckGoroutines(t, before)
	testutil.Eventually(t, func() error {
		if list := testutil.Must(t, w.Do("CLIENT", "LIST")); strings.Contains(list.Str, "name=resp2cached") {
			return errors.New("a connection is left after Disconnect:\n" + list.Str)
		}
		return nil
	})
}

// Killing the invalidation connection drops the cache of the connection
// it served (its invalidations may be lost), and caching resumes once it
// is back.
func TestRealCachedLostInvalidationConnection(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr(), Protocol: 2, Backoff: conn.ExponentialBackoff(5*time.Millisecond, 50*time.Millisecond)})
	w := connectTo(t, conn.Options{Addr: srv.Addr()})
	v := c.Cached(time.Minute)
	testutil.Must(t, w.Set("k", "v1"))
	warm(t, v, "k")
	flushes := v.Stats().Flushes
	testutil.Must(t, w.Do("CLIENT", "KILL", "TYPE", "pubsub"))
	testutil.Eventually(t, func() error {
		if v.Stats().Flushes == flushes {
			return errors.New("the cache was not dropped")
		}
		return nil
	})
	if s := v.Stats(); s.Entries != 0 {
		t.Fatalf("entries left: %+v", s)
	}
	testutil.Must(t, w.Set("k", "v2"))
	warm(t, v, "k")
	if have := testutil.Must(t, v.Get("k")); have != "v2" {
		t.Fatalf("after the invalidation connection came back: %q", have)
	}
	testutil.Must(t, w.Set("k", "v3"))
	testutil.Must(t, v.Sync())
	if have := testutil.Must(t, v.Get("k")); have != "v3" {
		t.Fatalf("invalidations are not received again: %q", have)
	}
}
