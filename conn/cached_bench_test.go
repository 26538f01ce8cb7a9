package conn_test

import (
	"context"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
)

// warm reads key through v until a read hits.
func warm(t testing.TB, v *conn.Cached, key string) {
	t.Helper()
	testutil.Eventually(t, func() error {
		testutil.Wait(t, v.Get(key))
		if _, _, ok := v.Get(key).Result(); !ok {
			return context.DeadlineExceeded
		}
		return nil
	})
}

// BenchmarkCachedGetHit is a cached GET answered from memory: the
// Deferred fires before Get returns.
func BenchmarkCachedGetHit(b *testing.B) {
	srv := testserver.Start(b)
	c := connectTo(b, conn.Options{Addr: srv.Addr(), Protocol: 3})
	testutil.Must(b, c.Set("bench:hit", "value"))
	v := c.Cached(time.Hour)
	warm(b, v, "bench:hit")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := v.Get("bench:hit").Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCachedHGetHit is a cached HGET answered from memory.
func BenchmarkCachedHGetHit(b *testing.B) {
	srv := testserver.Start(b)
	c := connectTo(b, conn.Options{Addr: srv.Addr(), Protocol: 3})
	testutil.Must(b, c.HSet("bench:h", "f", "value"))
	v := c.Cached(time.Hour)
	testutil.Eventually(b, func() error {
		testutil.Wait(b, v.HGet("bench:h", "f"))
		if _, _, ok := v.HGet("bench:h", "f").Result(); !ok {
			return context.DeadlineExceeded
		}
		return nil
	})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := v.HGet("bench:h", "f").Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
