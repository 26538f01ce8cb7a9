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

	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/pool"
)

// syncBuffer is a log destination the handlers and the test share.
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

type webApp struct {
	url string
	log *syncBuffer
}

// startApp serves the application over rc with httptest.
func startApp(t *testing.T, rc *pool.Pool) *webApp {
	t.Helper()
	logs := &syncBuffer{}
	hs := httptest.NewServer(newApp(rc, log.New(logs, "", 0)))
	t.Cleanup(func() {
		hs.Close()
		if _, err := rc.Disconnect().Wait(context.Background()); err != nil {
			t.Errorf("disconnect: %v", err)
		}
	})
	return &webApp{url: hs.URL, log: logs}
}

type response struct {
	code  int
	ctype string
	body  string
	hdr   http.Header
}

func (a *webApp) do(t *testing.T, method, path string, form url.Values) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, a.url+path, body)
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
	return response{resp.StatusCode, resp.Header.Get("Content-Type"), string(b), resp.Header}
}

func check(t *testing.T, what string, have response, code int, ctype, body string) {
	t.Helper()
	if have.code != code || have.ctype != ctype || have.body != body {
		t.Fatalf("%s: %d %q %q, want %d %q %q", what, have.code, have.ctype, have.body, code, ctype, body)
	}
}

const page503 = "<html><title>503: Service Unavailable</title><body>503: Service Unavailable</body></html>"

// transcript runs the README's curl session: set, get, delete.
func transcript(t *testing.T, a *webApp) {
	t.Helper()
	r := a.do(t, "POST", "/text/foo", url.Values{"value": {"bar"}})
	check(t, "POST", r, 200, "text/plain", "foo=bar\r\n")
	r = a.do(t, "GET", "/text/foo", nil)
	check(t, "GET", r, 200, "text/plain", "foo=bar\r\n")
	if have, want := r.hdr.Get("Etag"), `"b63729aa7fa0e438eed735880951dcc21d733676"`; have != want {
		t.Errorf("GET Etag %s, want the README's %s", have, want)
	}
	if have := r.hdr.Get("Content-Length"); have != "9" {
		t.Errorf("GET Content-Length %s, want 9", have)
	}
	r = a.do(t, "DELETE", "/text/foo", nil)
	check(t, "DELETE", r, 200, "text/plain", "DEL foo=1\r\n")
	if have := r.hdr.Get("Content-Length"); have != "11" {
		t.Errorf("DELETE Content-Length %s, want 11", have)
	}
	r = a.do(t, "DELETE", "/text/foo", nil)
	check(t, "DELETE again", r, 200, "text/plain", "DEL foo=0\r\n")
	r = a.do(t, "GET", "/text/foo", nil)
	check(t, "GET deleted", r, 200, "text/plain", "foo=None\r\n")
}

// TestWebTranscriptMini: the curl session on miniredis, and what the
// server holds after each step.
func TestWebTranscriptMini(t *testing.T) {
	m := testserver.Mini(t)
	a := startApp(t, newPool(m.Addr()))
	transcript(t, a)

	r := a.do(t, "POST", "/text/a/b", url.Values{"value": {"x y"}})
	check(t, "POST a/b", r, 200, "text/plain", "a/b=x y\r\n")
	if v, _ := m.Get("txredis:example:web:a/b"); v != "x y" {
		t.Errorf("server has a/b=%q", v)
	}
	r = a.do(t, "POST", "/text/foo", url.Values{})
	if r.code != http.StatusBadRequest {
		t.Errorf("POST without value: %d, want 400", r.code)
	}
	r = a.do(t, "PUT", "/text/foo", nil)
	if r.code != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d, want 405", r.code)
	}
	r = a.do(t, "GET", "/text/", nil)
	if r.code != http.StatusNotFound {
		t.Errorf("GET /text/: %d, want 404", r.code)
	}
	if !strings.Contains(a.log.String(), "200 POST /text/foo (127.0.0.1) ") {
		t.Errorf("no access log line for the POST:\n%s", a.log.String())
	}
}

// TestWebKillRestart: on a real server, the transcript; then the server is
// killed and GET answers 503 at once and logs the failure; then it is
// restarted and GET answers 200 again without any help.
func TestWebKillRestart(t *testing.T) {
	srv := testserver.Start(t)
	a := startApp(t, newPool(srv.Addr()))
	transcript(t, a)
	a.do(t, "POST", "/text/foo", url.Values{"value": {"bar"}})

	srv.Kill()
	start := time.Now()
	r := a.do(t, "GET", "/text/foo", nil)
	check(t, "GET, redis down", r, 503, "text/html; charset=UTF-8", page503)
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("503 took %v, want < 500ms", d)
	}
	if have := r.hdr.Get("Content-Length"); have != "89" {
		t.Errorf("503 Content-Length %s, want the README's 89", have)
	}
	logs := a.log.String()
	if !strings.Contains(logs, "Redis failed to get('foo'): txredis/conn: ") ||
		!strings.Contains(logs, "503 GET /text/foo (127.0.0.1) ") {
		t.Errorf("log:\n%s", logs)
	}
	r = a.do(t, "POST", "/text/foo", url.Values{"value": {"baz"}})
	check(t, "POST, redis down", r, 503, "text/html; charset=UTF-8", page503)
	r = a.do(t, "DELETE", "/text/foo", nil)
	check(t, "DELETE, redis down", r, 503, "text/html; charset=UTF-8", page503)
	logs = a.log.String()
	if !strings.Contains(logs, "Redis failed to set('foo', 'baz'): ") ||
		!strings.Contains(logs, "Redis failed to del('foo'): ") {
		t.Errorf("log:\n%s", logs)
	}

	srv.Restart() // an empty server: foo is gone
	waitFor200(t, a, 2*time.Second)
	transcript(t, a)
}

// TestWebStartsWhileRedisDown: the application starts normally while
// Redis is down (the pool is lazy), answers 503, and 200 once Redis runs.
func TestWebStartsWhileRedisDown(t *testing.T) {
	srv := testserver.Start(t)
	srv.Kill()
	a := startApp(t, newPool(srv.Addr()))
	start := time.Now()
	r := a.do(t, "GET", "/text/foo", nil)
	check(t, "GET, redis never up", r, 503, "text/html; charset=UTF-8", page503)
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("503 took %v, want < 500ms", d)
	}
	srv.Restart()
	waitFor200(t, a, 2*time.Second)
	transcript(t, a)
}

// waitFor200 polls GET /text/foo until it answers 200 or within fails.
func waitFor200(t *testing.T, a *webApp, within time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		r := a.do(t, "GET", "/text/foo", nil)
		if r.code == http.StatusOK {
			t.Logf("200 again %v after the restart", time.Since(start).Round(time.Millisecond))
			return
		}
		if r.code != http.StatusServiceUnavailable {
			t.Fatalf("GET while recovering: %d %q", r.code, r.body)
		}
		if time.Since(start) > within {
			t.Fatalf("still 503 %v after the restart", within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
