package conn_test

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
)

// warm reads key through v until a read is answered from memory (a
// read that fires before Get returns may also be a reply that was
// quick: the hit counter tells).
func warm(t testing.TB, v *conn.Cached, key string) {
	t.Helper()
	testutil.Eventually(t, func() error {
		testutil.Wait(t, v.Get(key))
		before := v.Stats().Hits
		if _, _, ok := v.Get(key).Result(); !ok || v.Stats().Hits != before+1 {
			return errors.New("not answered from memory")
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
		before := v.Stats().Hits
		if _, _, ok := v.HGet("bench:h", "f").Result(); !ok || v.Stats().Hits != before+1 {
			return errors.New("not answered from memory")
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

// BenchmarkCachedGetHitParallel is BenchmarkCachedGetHit from 64
// goroutines over 1000 hot keys.
func BenchmarkCachedGetHitParallel(b *testing.B) {
	srv := testserver.Start(b)
	c := connectTo(b, conn.Options{Addr: srv.Addr(), Protocol: 3})
	v := c.Cached(time.Hour)
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "bench:hot:" + strconv.Itoa(i)
		testutil.Must(b, c.Set(keys[i], "value"))
		warm(b, v, keys[i])
	}
	b.ReportAllocs()
	b.SetParallelism(64 / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(1)) * 7919
		for pb.Next() {
			i++
			if _, _, ok := v.Get(keys[i%len(keys)]).Result(); !ok {
				b.Fatal("miss")
			}
		}
	})
}
