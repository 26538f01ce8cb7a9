package main

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/txredis/txredis/internal/embedded"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// keyPrefix begins the Redis key of every /text/{key}: the key "foo" of
// the URL is txredis:example:web:foo in Redis, so the application never
// touches a key of its server's other users.
const keyPrefix = embedded.KeyPrefix + "web:"

// app is the cyclone Application with its TextHandler: GET, POST and
// DELETE on /text/{key}, answered from Redis through the lazy pool.
type app struct {
	rc  *pool.Pool
	log *log.Logger
}

// newApp returns the application's handler: the routes of the cyclone
// Application, and its access log. Redis failures are logged on logger
// and answered with 503.
func newApp(rc *pool.Pool, logger *log.Logger) http.Handler {
	a := &app{rc: rc, log: logger}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /text/{key...}", a.get)
	mux.HandleFunc("POST /text/{key...}", a.post)
	mux.HandleFunc("DELETE /text/{key...}", a.delete)
	return a.accessLog(mux)
}

// get answers "key=value\r\n". A missing key is Python's None, as the
// original printed it.
func (a *app) get(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if key == "" {
		httpError(w, http.StatusNotFound)
		return
	}
	value, err := a.rc.Get(keyPrefix + key).Wait(r.Context())
	if errors.Is(err, proto.ErrNil) {
		value, err = "None", nil
	}
	if err != nil {
		a.log.Printf("Redis failed to get('%s'): %v", key, err)
		httpError(w, http.StatusServiceUnavailable)
		return
	}
	body := key + "=" + value + "\r\n"
	// cyclone's GET responses carry the SHA-1 of their body as Etag and
	// answer 304 to a request that already has it.
	sum := sha1.Sum([]byte(body))
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	w.Header().Set("Etag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeText(w, body)
}

// post sets key to the form field value and answers "key=value\r\n".
func (a *app) post(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if key == "" {
		httpError(w, http.StatusNotFound)
		return
	}
	if err := r.ParseForm(); err != nil || !r.Form.Has("value") {
		// cyclone's get_argument: a missing argument is a 400.
		httpError(w, http.StatusBadRequest)
		return
	}
	value := r.Form.Get("value")
	if _, err := a.rc.Set(keyPrefix+key, value).Wait(r.Context()); err != nil {
		a.log.Printf("Redis failed to set('%s', '%s'): %v", key, value, err)
		httpError(w, http.StatusServiceUnavailable)
		return
	}
	writeText(w, key+"="+value+"\r\n")
}

// delete deletes key and answers "DEL key=n\r\n", n the keys deleted.
func (a *app) delete(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if key == "" {
		httpError(w, http.StatusNotFound)
		return
	}
	n, err := a.rc.Del(keyPrefix + key).Wait(r.Context())
	if err != nil {
		a.log.Printf("Redis failed to del('%s'): %v", key, err)
		httpError(w, http.StatusServiceUnavailable)
		return
	}
	writeText(w, "DEL "+key+"="+strconv.FormatInt(n, 10)+"\r\n")
}

func writeText(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write([]byte(body))
}

// httpError answers code with cyclone's error page.
func httpError(w http.ResponseWriter, code int) {
	text := fmt.Sprintf("%d: %s", code, http.StatusText(code))
	body := "<html><title>" + text + "</title><body>" + text + "</body></html>"
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

// statusWriter remembers the status code for the access log.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// accessLog logs each request as cyclone does:
// "200 GET /text/foo (127.0.0.1) 0.97ms".
func (a *app) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		ms := float64(time.Since(start).Microseconds()) / 1000
		a.log.Printf("%d %s %s (%s) %.2fms", sw.code, r.Method, r.URL.RequestURI(), host, ms)
	})
}
