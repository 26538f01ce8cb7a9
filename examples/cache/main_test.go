package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
)

// syncBuffer is an output the program and the test share.
type syncBuffer struct {
	mu sync.Mutex // protects b
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startApp serves the handler over a pool on addr with httptest.
func startApp(t *testing.T, addr string) (*app, string) {
	t.Helper()
	rc := newPool(addr)
	a, h := newApp(rc, time.Minute, log.New(io.Discard, "", 0))
	hs := httptest.NewServer(h)
	t.Cleanup(func() {
		hs.Close()
		testutil.Wait(t, rc.Disconnect())
	})
	return a, hs.URL
}

type response struct {
	code  int
	cache string
	body  string
}

func do(t *testing.T, method, u string, form url.Values) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header.Get("X-Cache"), string(b)}
}

// On miniredis, which has no CLIENT TRACKING, the handler still serves
// every value, from the server, and says why it does not cache.
func TestCacheOnMiniredis(t *testing.T) {
	m := testserver.Mini(t)
	m.Set(keyPrefix+"site:title", "txredis")
	a, u := startApp(t, m.Addr())
	for range 3 {
		if r := do(t, "GET", u+"/config/site:title", nil); r.code != 200 || r.body != "txredis\n" {
			t.Fatalf("GET: %+v", r)
		}
	}
	if r := do(t, "GET", u+"/config/missing", nil); r.code != 404 {
		t.Fatalf("GET missing: %+v", r)
	}
	if r := do(t, "POST", u+"/config/site:title", url.Values{"value": {"new"}}); r.code != 200 {
		t.Fatalf("POST: %+v", r)
	}
	if r := do(t, "GET", u+"/config/site:title", nil); r.body != "new\n" {
		t.Fatalf("GET after POST: %+v", r)
	}
	if a.v.Stats().Hits != 0 {
		t.Fatalf("hits on a server without tracking: %+v", a.v.Stats())
	}
	if r := do(t, "GET", u+"/stats", nil); !strings.Contains(r.body, "not caching: ERR unknown subcommand") {
		t.Fatalf("stats:\n%s", r.body)
	}
}

// On a real server, repeated reads are answered from memory; a write
// through the handler, or by another client followed by a Sync, is seen
// by the next read.
func TestCacheOnRedis(t *testing.T) {
	srv := testserver.Start(t)
	w := testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr()}))
	t.Cleanup(func() { w.Disconnect() })
	testutil.Must(t, w.Set(keyPrefix+"site:title", "txredis"))
	a, u := startApp(t, srv.Addr())
	testutil.Eventually(t, func() error {
		before := a.v.Stats().Hits
		r := do(t, "GET", u+"/config/site:title", nil)
		if r.code != 200 || r.body != "txredis\n" {
			t.Fatalf("GET: %+v", r)
		}
		if r.cache != "hit" || a.v.Stats().Hits != before+1 {
			return io.EOF
		}
		return nil
	})
	if r := do(t, "POST", u+"/config/site:title", url.Values{"value": {"v2"}}); r.code != 200 {
		t.Fatalf("POST: %+v", r)
	}
	if r := do(t, "GET", u+"/config/site:title", nil); r.body != "v2\n" {
		t.Fatalf("GET after POST: %+v", r)
	}
	testutil.Must(t, w.Set(keyPrefix+"site:title", "v3"))
	testutil.Must(t, a.v.Sync())
	if r := do(t, "GET", u+"/config/site:title", nil); r.body != "v3\n" {
		t.Fatalf("GET after another client's write: %+v", r)
	}
	s := do(t, "GET", u+"/stats", nil).body
	if !strings.Contains(s, "tracking 1 of 1 connections with a cache") || strings.Contains(s, "not caching") {
		t.Fatalf("stats:\n%s", s)
	}
}

// run, as main calls it: it seeds, reports and serves until cancelled.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		addr       func(t *testing.T) string
	}{
		{"miniredis", "does not track keys", func(t *testing.T) string { return testserver.Mini(t).Addr() }},
		{"redis", "1000 reads of site:title: ", func(t *testing.T) string { return testserver.Start(t).Addr() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out syncBuffer
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- run(ctx, tc.addr(t), "127.0.0.1:0", &out) }()
			testutil.Eventually(t, func() error {
				if !strings.Contains(out.String(), "serving http://") {
					return io.EOF
				}
				return nil
			})
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Fatalf("output:\n%s", out.String())
			}
		})
	}
}
