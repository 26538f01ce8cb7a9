package conn_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// show waits for d and prints its value (or error) for comparison.
func show[T any](t *testing.T, d *deferred.Deferred[T]) string {
	t.Helper()
	v, err := testutil.Wait(t, d)
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprint(v)
}

// Every cached read command is answered from memory once filled, and
// returns the new value after another connection's write and Sync.
func TestRealCachedReadCommands(t *testing.T) {
	srv := testserver.Start(t)
	w := connectTo(t, conn.Options{Addr: srv.Addr()})
	seed := [][]any{
		{"SET", "s", "v1"}, {"SET", "s2", "w1"},
		{"HSET", "h", "f", "1", "g", "2"},
		{"SADD", "set", "a"},
		{"ZADD", "z", "1", "a", "2", "b"},
	}
	for _, tc := range []struct {
		name   string
		read   func(t *testing.T, v *conn.Cached) string
		before string
		write  []any
		after  string
	}{
		{"GET", func(t *testing.T, v *conn.Cached) string { return show(t, v.Get("s")) }, "v1", []any{"SET", "s", "v2"}, "v2"},
		{"MGET", func(t *testing.T, v *conn.Cached) string { return show(t, v.MGet("s", "s2", "nokey")) }, "[v1 w1 <nil>]", []any{"SET", "s2", "w2"}, "[v1 w2 <nil>]"},
		{"STRLEN", func(t *testing.T, v *conn.Cached) string { return show(t, v.StrLen("s")) }, "2", []any{"APPEND", "s", "xyz"}, "5"},
		{"EXISTS", func(t *testing.T, v *conn.Cached) string { return show(t, v.Exists("e", "s")) }, "1", []any{"SET", "e", "1"}, "2"},
		{"HGET", func(t *testing.T, v *conn.Cached) string { return show(t, v.HGet("h", "f")) }, "1", []any{"HSET", "h", "f", "10"}, "10"},
		{"HMGET", func(t *testing.T, v *conn.Cached) string { return show(t, v.HMGet("h", "f", "x")) }, "[1 <nil>]", []any{"HSET", "h", "x", "3"}, "[1 3]"},
		{"HGETALL", func(t *testing.T, v *conn.Cached) string { return show(t, v.HGetAll("h")) }, "map[f:1 g:2]", []any{"HDEL", "h", "g"}, "map[f:1]"},
		{"SMEMBERS", func(t *testing.T, v *conn.Cached) string {
			return show(t, deferred.Then(v.SMembers("set"), func(m []string) ([]string, error) { return sorted(m), nil }))
		}, "[a]", []any{"SADD", "set", "b"}, "[a b]"},
		{"SISMEMBER", func(t *testing.T, v *conn.Cached) string { return show(t, v.SIsMember("set", "b")) }, "false", []any{"SADD", "set", "b"}, "true"},
		{"ZRANGE", func(t *testing.T, v *conn.Cached) string { return show(t, v.ZRange("z", 0, -1)) }, "[a b]", []any{"ZADD", "z", "3", "a"}, "[b a]"},
		{"ZSCORE", func(t *testing.T, v *conn.Cached) string { return show(t, v.ZScore("z", "a")) }, "1", []any{"ZADD", "z", "5", "a"}, "5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testutil.Must(t, w.Do("FLUSHALL"))
			for _, cmd := range seed {
				testutil.Must(t, w.Do(cmd...))
			}
			c := connectTo(t, conn.Options{Addr: srv.Addr(), Protocol: 3})
			v := c.Cached(time.Minute)
			// The first reads may go uncached while tracking is turned on;
			// then one is answered from memory.
			testutil.Eventually(t, func() error {
				if have := tc.read(t, v); have != tc.before {
					t.Fatalf("before the write: have %s, want %s", have, tc.before)
				}
				hits := v.Stats().Hits
				if have := tc.read(t, v); have != tc.before {
					t.Fatalf("from memory: have %s, want %s", have, tc.before)
				}
				if v.Stats().Hits == hits {
					return errors.New("not answered from memory")
				}
				return nil
			})
			testutil.Must(t, w.Do(tc.write...))
			testutil.Must(t, v.Sync())
			if have := tc.read(t, v); have != tc.after {
				t.Fatalf("after the write and Sync: have %s, want %s", have, tc.after)
			}
		})
	}
}

// FLUSHALL and FLUSHDB drop the whole cache of every tracking mode (the
// server sends a null invalidation), and tracking goes on.
func TestRealCachedFlushDropsCache(t *testing.T) {
	srv := testserver.Start(t)
	w := connectTo(t, conn.Options{Addr: srv.Addr()})
	for _, m := range cachedModes {
		for _, flush := range []string{"FLUSHALL", "FLUSHDB"} {
			t.Run(m.name+"/"+flush, func(t *testing.T) {
				o := m.opts
				o.Addr = srv.Addr()
				c := connectTo(t, o)
				v := c.Cached(time.Minute)
				for _, k := range []string{"a", "b", "c"} {
					testutil.Must(t, w.Set(k, "1"))
					warm(t, v, k)
				}
				s := v.Stats()
				if s.Entries != 3 {
					t.Fatalf("before %s: %+v", flush, s)
				}
				testutil.Must(t, w.Do(flush))
				testutil.Must(t, v.Sync())
				if s2 := v.Stats(); s2.Entries != 0 || s2.Flushes <= s.Flushes {
					t.Fatalf("after %s: %+v", flush, s2)
				}
				if _, err := testutil.Wait(t, v.Get("a")); !errors.Is(err, proto.ErrNil) {
					t.Fatalf("a after %s: %v", flush, err)
				}
				testutil.Must(t, w.Set("a", "2"))
				testutil.Must(t, v.Sync()) // the missing key was cached
				warm(t, v, "a")
				if have := testutil.Must(t, v.Get("a")); have != "2" {
					t.Fatalf("caching after %s: %q", flush, have)
				}
			})
		}
	}
}

// A hit of GET, of HGET and of an integer read allocates nothing.
func TestCachedHitsDoNotAllocate(t *testing.T) {
	c, ts := newTrackServer(t, false)
	v := c.Cached(time.Minute)
	d := v.Get("k")
	ts.fillGet(t, "k", "v", -1)
	testutil.Must(t, d)
	h := v.HGet("h", "f")
	ts.expect(t, "HGET", "h", "f")
	ts.expect(t, "PTTL", "h")
	ts.send(t, bulk("1")+":-1\r\n")
	testutil.Must(t, h)
	n := v.StrLen("k")
	ts.expect(t, "STRLEN", "k")
	ts.expect(t, "PTTL", "k")
	ts.send(t, ":1\r\n:-1\r\n")
	testutil.Must(t, n)
	hits := v.Stats().Hits
	for name, read := range map[string]func() bool{
		"GET":    func() bool { _, _, ok := v.Get("k").Result(); return ok },
		"HGET":   func() bool { _, _, ok := v.HGet("h", "f").Result(); return ok },
		"STRLEN": func() bool { _, _, ok := v.StrLen("k").Result(); return ok },
	} {
		if allocs := testing.AllocsPerRun(100, func() {
			if !read() {
				t.Fatalf("%s: not a hit", name)
			}
		}); allocs != 0 {
			t.Errorf("%s hit: %.1f allocations", name, allocs)
		}
	}
	if s := v.Stats(); s.Hits < hits+3*101 {
		t.Fatalf("hits: %+v", s)
	}
}
