package conn_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// trackServer is a scripted RESP3 server for cache tests: it answers
// HELLO and CLIENT TRACKING by itself (refusing tracking when refuse is
// set) and hands every other command to the test, which plays the
// server's part with the peer's Send.
type trackServer struct {
	srv    *fakeserver.Server
	refuse bool

	mu     sync.Mutex // protects peer and tracks
	peer   *fakeserver.Peer
	tracks []string // CLIENT TRACKING commands received, joined by spaces
	cmds   chan []string
}

func newTrackServer(t *testing.T, refuse bool) (*conn.Conn, *trackServer) {
	t.Helper()
	ts := &trackServer{refuse: refuse, cmds: make(chan []string, 100)}
	ts.srv = fakeserver.New(ts.serve)
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: "fake:6379", Dialer: ts.srv.Dialer, Protocol: 3}))
	t.Cleanup(func() {
		c.Disconnect()
		ts.srv.Close()
	})
	return c, ts
}

func (ts *trackServer) serve(p *fakeserver.Peer) {
	ts.mu.Lock()
	ts.peer = p
	ts.mu.Unlock()
	for {
		args, err := p.ReadCommand()
		if err != nil {
			return
		}
		switch {
		case args[0] == "HELLO":
			err = p.Send("%1\r\n+proto\r\n:3\r\n")
		case args[0] == "CLIENT" && args[1] == "TRACKING" && args[2] == "ON":
			ts.mu.Lock()
			ts.tracks = append(ts.tracks, strings.Join(args, " "))
			ts.mu.Unlock()
			if ts.refuse {
				err = p.Send("-ERR unknown subcommand 'TRACKING'\r\n")
			} else {
				err = p.Send("+OK\r\n")
			}
		default:
			ts.cmds <- args
		}
		if err != nil {
			return
		}
	}
}

// next returns the next command the client sent.
func (ts *trackServer) next(t *testing.T) []string {
	t.Helper()
	select {
	case args := <-ts.cmds:
		return args
	case <-time.After(testutil.WaitTimeout):
		t.Fatal("no command arrived")
		return nil
	}
}

// expect checks the next command.
func (ts *trackServer) expect(t *testing.T, want ...string) {
	t.Helper()
	if have := ts.next(t); !reflect.DeepEqual(have, want) {
		t.Fatalf("command: have %q, want %q", have, want)
	}
}

// quiet checks that no command arrives for a moment.
func (ts *trackServer) quiet(t *testing.T) {
	t.Helper()
	select {
	case args := <-ts.cmds:
		t.Fatalf("unexpected command %q", args)
	case <-time.After(20 * time.Millisecond):
	}
}

// send writes raw RESP to the client.
func (ts *trackServer) send(t *testing.T, raw string) {
	t.Helper()
	ts.mu.Lock()
	p := ts.peer
	ts.mu.Unlock()
	if err := p.Send(raw); err != nil {
		t.Fatalf("send: %v", err)
	}
}

func invalidation(keys ...string) string {
	s := fmt.Sprintf(">2\r\n$10\r\ninvalidate\r\n*%d\r\n", len(keys))
	for _, k := range keys {
		s += fmt.Sprintf("$%d\r\n%s\r\n", len(k), k)
	}
	return s
}

func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

// fillGet answers the fill of key (GET, PTTL) with value and pttl.
func (ts *trackServer) fillGet(t *testing.T, key, value string, pttl int) {
	t.Helper()
	ts.expect(t, "GET", key)
	ts.expect(t, "PTTL", key)
	ts.send(t, bulk(value)+fmt.Sprintf(":%d\r\n", pttl))
}

// mustHit checks that d fired before the method returned, with want.
func mustHit(t *testing.T, d *deferred.Deferred[string], want string) {
	t.Helper()
	have, err, ok := d.Result()
	if !ok {
		t.Fatal("not a hit: the Deferred is pending")
	}
	if err != nil || have != want {
		t.Fatalf("hit: have %q, %v; want %q", have, err, want)
	}
}

func TestCachedHitFiresAtOnce(t *testing.T) {
	c, ts := newTrackServer(t, false)
	v := c.Cached(time.Minute)
	d := v.Get("k")
	ts.fillGet(t, "k", "v1", -1)
	if have := testutil.Must(t, d); have != "v1" {
		t.Fatalf("miss: have %q", have)
	}
	mustHit(t, v.Get("k"), "v1")
	ts.quiet(t)
	if s := v.Stats(); s.Hits != 1 || s.Misses != 1 || s.Entries != 1 || s.Tracking != 1 || s.Bytes == 0 {
		t.Fatalf("stats: %+v", s)
	}
}

func TestCachedInvalidationRemovesKey(t *testing.T) {
	c, ts := newTrackServer(t, false)
	v := c.Cached(time.Minute)
	d := v.Get("k")
	ts.fillGet(t, "k", "v1", -1)
	testutil.Must(t, d)
	// The invalidation comes before the reply to a later command: once
	// that reply is delivered, the key is gone.
	p := c.Ping()
	ts.expect(t, "PING")
	ts.send(t, invalidation("k")+"+PONG\r\n")
	testutil.Must(t, p)
	d = v.Get("k")
	ts.fillGet(t, "k", "v2", -1)
	if have := testutil.Must(t, d); have != "v2" {
		t.Fatalf("after invalidation: have %q", have)
	}
	mustHit(t, v.Get("k"), "v2")
	if s := v.Stats(); s.Invalidations != 1 {
		t.Fatalf("stats: %+v", s)
	}
}

// An invalidation that arrives while the read is on its way (between the
// read's reply and PTTL's, or before both) is applied to the placeholder:
// the reply goes to the reader but is not stored.
func TestCachedInvalidationDuringFillIsNotStored(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script func(t *testing.T, ts *trackServer)
	}{
		{"between read and PTTL", func(t *testing.T, ts *trackServer) {
			ts.send(t, bulk("old")+invalidation("k")+":-1\r\n")
		}},
		{"before the read's reply", func(t *testing.T, ts *trackServer) {
			ts.send(t, invalidation("k")+bulk("old")+":-1\r\n")
		}},
		{"flush between read and PTTL", func(t *testing.T, ts *trackServer) {
			ts.send(t, bulk("old")+">2\r\n$10\r\ninvalidate\r\n_\r\n:-1\r\n")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ts := newTrackServer(t, false)
			v := c.Cached(time.Minute)
			d := v.Get("k")
			ts.expect(t, "GET", "k")
			ts.expect(t, "PTTL", "k")
			tc.script(t, ts)
			if have := testutil.Must(t, d); have != "old" {
				t.Fatalf("reader: have %q", have)
			}
			d = v.Get("k")
			if _, _, ok := d.Result(); ok {
				t.Fatal("the invalidated reply was stored")
			}
			ts.fillGet(t, "k", "new", -1)
			if have := testutil.Must(t, d); have != "new" {
				t.Fatalf("refill: have %q", have)
			}
		})
	}
}

func TestCachedConcurrentMissesShareOneRequest(t *testing.T) {
	c, ts := newTrackServer(t, false)
	v := c.Cached(time.Minute)
	ds := make([]*deferred.Deferred[string], 10)
	for i := range ds {
		ds[i] = v.Get("k")
	}
	ds[3].Cancel() // one reader gives up; the others still get the value
	ts.fillGet(t, "k", "v", -1)
	ts.quiet(t)
	for i, d := range ds {
		have, err := testutil.Wait(t, d)
		if i == 3 {
			if !errors.Is(err, deferred.ErrCancelled) {
				t.Fatalf("cancelled reader: %v", err)
			}
			continue
		}
		if err != nil || have != "v" {
			t.Fatalf("reader %d: %q, %v", i, have, err)
		}
	}
	if s := v.Stats(); s.Misses != 10 || s.Entries != 1 {
		t.Fatalf("stats: %+v", s)
	}
}

func TestCachedMissingKeyIsCached(t *testing.T) {
	c, ts := newTrackServer(t, false)
	v := c.Cached(time.Minute)
	d := v.Get("nokey")
	ts.expect(t, "GET", "nokey")
	ts.expect(t, "PTTL", "nokey")
	ts.send(t, "_\r\n:-2\r\n")
	if _, err := testutil.Wait(t, d); !errors.Is(err, proto.ErrNil) {
		t.Fatalf("miss: %v", err)
	}
	_, err, ok := v.Get("nokey").Result()
	if !ok || !errors.Is(err, proto.ErrNil) {
		t.Fatalf("hit: %v %v", ok, err)
	}
	// A server error is not cached.
	d = v.Get("wrong")
	ts.expect(t, "GET", "wrong")
	ts.expect(t, "PTTL", "wrong")
	ts.send(t, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n:-1\r\n")
	if _, err := testutil.Wait(t, d); !errors.Is(err, proto.ErrWrongType) {
		t.Fatalf("WRONGTYPE: %v", err)
	}
	if _, _, ok := v.Get("wrong").Result(); ok {
		t.Fatal("an error reply was cached")
	}
}

func TestCachedExpiresWithTTLAndPTTL(t *testing.T) {
	c, ts := newTrackServer(t, false)
	v := c.Cached(50 * time.Millisecond)
	// The key lives 5 s on the server: the view's 50 ms win.
	d := v.Get("short")
	ts.fillGet(t, "short", "a", 5000)
	testutil.Must(t, d)
	mustHit(t, v.Get("short"), "a")
	// The key lives 30 ms on the server: PTTL wins over a long view TTL.
	long := c.Cached(time.Hour)
	d = long.Get("pttl")
	ts.fillGet(t, "pttl", "b", 30)
	testutil.Must(t, d)
	mustHit(t, long.Get("pttl"), "b")
	time.Sleep(80 * time.Millisecond)
	d = v.Get("short")
	ts.fillGet(t, "short", "a2", 5000)
	if have := testutil.Must(t, d); have != "a2" {
		t.Fatalf("after the view's TTL: %q", have)
	}
	d = long.Get("pttl")
	ts.fillGet(t, "pttl", "b2", -1)
	if have := testutil.Must(t, d); have != "b2" {
		t.Fatalf("after the key's PTTL: %q", have)
	}
}

func TestCachedLostConnectionDropsCache(t *testing.T) {
	c, ts := newTrackServer(t, false)
	v := c.Cached(time.Minute)
	d := v.Get("k")
	ts.fillGet(t, "k", "v1", -1)
	testutil.Must(t, d)
	mustHit(t, v.Get("k"), "v1")
	// A command pending when the socket goes fails only after the cache
	// was dropped.
	p := c.Ping()
	ts.expect(t, "PING")
	ts.srv.CloseAll()
	if _, err := testutil.Wait(t, p); !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("PING: %v", err)
	}
	if _, err, ok := v.Get("k").Result(); ok && err == nil {
		t.Fatal("hit after the connection was lost")
	}
	testutil.Eventually(t, func() error {
		if c.State() != conn.StateConnected {
			return errors.New("not reconnected")
		}
		return nil
	})
	// Tracking is turned on again for the new socket before the fill.
	d = v.Get("k")
	for {
		args := ts.next(t)
		if args[0] == "GET" {
			ts.expect(t, "PTTL", "k")
			ts.send(t, bulk("v2")+":-1\r\n")
			break
		}
	}
	if have := testutil.Must(t, d); have != "v2" {
		t.Fatalf("after reconnect: %q", have)
	}
	mustHit(t, v.Get("k"), "v2")
	ts.mu.Lock()
	tracks := len(ts.tracks)
	ts.mu.Unlock()
	if tracks != 2 {
		t.Fatalf("CLIENT TRACKING sent %d times, want once per socket", tracks)
	}
	if s := v.Stats(); s.Flushes == 0 {
		t.Fatalf("stats: %+v", s)
	}
}

// CLIENT TRACKING or AUTH sent by the application changes the
// connection under the cache: the cache is dropped and reads go uncached
// until the socket is replaced.
func TestCachedClientTrackingAndAuthDisableCaching(t *testing.T) {
	for _, tc := range []struct {
		name string
		send func(c *conn.Conn) *deferred.Deferred[string]
		want []string
	}{
		{"CLIENT TRACKING", func(c *conn.Conn) *deferred.Deferred[string] {
			return deferred.Then(c.Do("CLIENT", "TRACKING", "off"), func(proto.Value) (string, error) { return "", nil })
		}, []string{"CLIENT", "TRACKING", "off"}},
		{"AUTH", func(c *conn.Conn) *deferred.Deferred[string] { return c.Auth("pw") }, []string{"AUTH", "pw"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ts := newTrackServer(t, false)
			v := c.Cached(time.Minute)
			d := v.Get("k")
			ts.fillGet(t, "k", "v1", -1)
			testutil.Must(t, d)
			r := tc.send(c)
			ts.expect(t, tc.want...)
			ts.send(t, "+OK\r\n")
			testutil.Must(t, r)
			// Reads now go uncached: no PTTL follows the GET.
			d = v.Get("k")
			if _, _, ok := d.Result(); ok {
				t.Fatal("hit after the connection was changed under the cache")
			}
			ts.expect(t, "GET", "k")
			ts.send(t, bulk("v2"))
			if have := testutil.Must(t, d); have != "v2" {
				t.Fatalf("uncached read: %q", have)
			}
			ts.quiet(t)
		})
	}
}

// The commands that would change the connection under the cache (RESET,
// SELECT, AUTH, HELLO with arguments) are refused before they are sent,
// and the cache is kept.
func TestCachedStateCommandsRefusedCacheKept(t *testing.T) {
	for _, cmd := range [][]any{{"RESET"}, {"SELECT", 1}, {"AUTH", "pw"}, {"HELLO", 3}} { // AUTH through Do
		t.Run(fmt.Sprint(cmd[0]), func(t *testing.T) {
			c, ts := newTrackServer(t, false)
			v := c.Cached(time.Minute)
			d := v.Get("k")
			ts.fillGet(t, "k", "v1", -1)
			testutil.Must(t, d)
			if _, err := testutil.Wait(t, c.Do(cmd...)); err == nil {
				t.Fatalf("%v was not refused", cmd)
			}
			ts.quiet(t)
			mustHit(t, v.Get("k"), "v1")
		})
	}
}

func TestCachedRefusedTrackingReadsUncached(t *testing.T) {
	c, ts := newTrackServer(t, true)
	v := c.Cached(time.Minute)
	d := v.Get("k")
	// CLIENT TRACKING is refused before the fill is answered: the fill
	// is delivered but not stored.
	ts.fillGet(t, "k", "v", -1)
	testutil.Must(t, d)
	if v.Err() == nil {
		t.Fatal("Err is nil after the server refused tracking")
	}
	d = v.Get("k")
	ts.expect(t, "GET", "k")
	ts.send(t, bulk("v"))
	testutil.Must(t, d)
	ts.quiet(t)
	if s := v.Stats(); s.Tracking != 0 || s.Entries != 0 {
		t.Fatalf("stats: %+v", s)
	}
}

func TestCachedEvictsBeyondMaxBytes(t *testing.T) {
	ts := &trackServer{cmds: make(chan []string, 100)}
	ts.srv = fakeserver.New(ts.serve)
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: "fake:6379", Dialer: ts.srv.Dialer, Protocol: 3,
		Cache: conn.CacheOptions{MaxBytes: 4 << 10}}))
	t.Cleanup(func() { c.Disconnect(); ts.srv.Close() })
	v := c.Cached(time.Minute)
	value := strings.Repeat("x", 1000)
	for i := range 10 {
		k := fmt.Sprint("k", i)
		d := v.Get(k)
		ts.fillGet(t, k, value, -1)
		testutil.Must(t, d)
	}
	s := v.Stats()
	if s.Bytes > 4<<10 || s.Evictions == 0 || s.Entries >= 10 {
		t.Fatalf("stats: %+v", s)
	}
	// The newest entry is kept.
	mustHit(t, v.Get("k9"), value)
	// An entry hit since it was stored gets a second chance: the oldest
	// entry that was not hit goes first. The entries kept are the newest.
	keep := fmt.Sprint("k", 10-v.Stats().Entries)
	mustHit(t, v.Get(keep), value)
	for i := 10; i < 12; i++ {
		k := fmt.Sprint("k", i)
		d := v.Get(k)
		ts.fillGet(t, k, value, -1)
		testutil.Must(t, d)
	}
	mustHit(t, v.Get(keep), value)
}

func TestCachedAggregatesAreCopies(t *testing.T) {
	c, ts := newTrackServer(t, false)
	v := c.Cached(time.Minute)
	d := v.HGetAll("h")
	ts.expect(t, "HGETALL", "h")
	ts.expect(t, "PTTL", "h")
	ts.send(t, "%1\r\n$1\r\nf\r\n$1\r\nv\r\n:-1\r\n")
	m := testutil.Must(t, d)
	m["f"] = "changed by the caller"
	h, _, ok := v.HGetAll("h").Result()
	if !ok || h["f"] != "v" {
		t.Fatalf("hit: %v %v", ok, h)
	}
	h["g"] = "added"
	if h2, _, _ := v.HGetAll("h").Result(); len(h2) != 1 {
		t.Fatalf("a caller's change reached the cache: %v", h2)
	}
}

func TestCachedSignaturesAreDistinct(t *testing.T) {
	c, ts := newTrackServer(t, false)
	v := c.Cached(time.Minute)
	// HMGET of fields "a\x01b" and of fields "a", "b" are different reads.
	d1 := v.HMGet("h", "a\x01b")
	ts.expect(t, "HMGET", "h", "a\x01b")
	ts.expect(t, "PTTL", "h")
	ts.send(t, "*1\r\n$1\r\n1\r\n:-1\r\n")
	testutil.Must(t, d1)
	d2 := v.HMGet("h", "a", "b")
	if _, _, ok := d2.Result(); ok {
		t.Fatal("two different reads shared an entry")
	}
	ts.expect(t, "HMGET", "h", "a", "b")
	ts.expect(t, "PTTL", "h")
	ts.send(t, "*2\r\n$1\r\n2\r\n$1\r\n3\r\n:-1\r\n")
	testutil.Must(t, d2)
	// An invalidation of the key removes every read of it.
	p := c.Ping()
	ts.expect(t, "PING")
	ts.send(t, invalidation("h")+"+PONG\r\n")
	testutil.Must(t, p)
	if s := v.Stats(); s.Entries != 0 {
		t.Fatalf("entries left after invalidation: %+v", s)
	}
}

// In OPTIN mode each fill is preceded by CLIENT CACHING YES; a fill
// whose CLIENT CACHING failed was not tracked, so it is delivered but
// not stored.
func TestCachedOptInFailedCachingIsNotStored(t *testing.T) {
	ts := &trackServer{cmds: make(chan []string, 100)}
	ts.srv = fakeserver.New(ts.serve)
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: "fake:6379", Dialer: ts.srv.Dialer, Protocol: 3,
		Cache: conn.CacheOptions{Mode: conn.TrackOptIn}}))
	t.Cleanup(func() { c.Disconnect(); ts.srv.Close() })
	v := c.Cached(time.Minute)
	fill := func(caching string) *deferred.Deferred[string] {
		t.Helper()
		d := v.Get("k")
		ts.expect(t, "CLIENT", "CACHING", "YES")
		ts.expect(t, "GET", "k")
		ts.expect(t, "PTTL", "k")
		ts.send(t, caching+bulk("v")+":-1\r\n")
		return d
	}
	if have := testutil.Must(t, fill("-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n")); have != "v" {
		t.Fatalf("reader of the untracked fill: %q", have)
	}
	if s := v.Stats(); s.Entries != 0 {
		t.Fatalf("the untracked fill was stored: %+v", s)
	}
	if have := testutil.Must(t, fill("+OK\r\n")); have != "v" {
		t.Fatalf("reader of the tracked fill: %q", have)
	}
	mustHit(t, v.Get("k"), "v")
	ts.mu.Lock()
	tracks := ts.tracks
	ts.mu.Unlock()
	if len(tracks) != 1 || !strings.HasSuffix(tracks[0], "OPTIN") {
		t.Fatalf("CLIENT TRACKING: %q", tracks)
	}
}
