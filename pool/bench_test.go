package pool_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
)

// benchGoroutines is how many goroutines send at once.
const benchGoroutines = 256

func benchGet(b *testing.B, get func(string) (string, error)) {
	b.ReportAllocs()
	b.SetParallelism((benchGoroutines + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if v, err := get("bench"); err != nil || v != "value" {
				b.Errorf("GET: %q %v", v, err)
				return
			}
		}
	})
}

// BenchmarkGet256 compares a pool of 4 with a single connection, with
// 256 goroutines each waiting for its GET before sending the next.
func BenchmarkGet256(b *testing.B) {
	srv := testserver.Start(b)
	ctx := context.Background()
	b.Run("Pool4", func(b *testing.B) {
		p := testutil.Must(b, pool.Connect(pool.Options{Options: conn.Options{Addr: srv.Addr()}, PoolSize: 4}))
		defer p.Disconnect()
		testutil.Must(b, p.Set("bench", "value"))
		benchGet(b, func(k string) (string, error) { return p.Get(k).Wait(ctx) })
	})
	b.Run("Conn", func(b *testing.B) {
		c := testutil.Must(b, conn.Connect(conn.Options{Addr: srv.Addr()}))
		defer c.Disconnect()
		testutil.Must(b, c.Set("bench", "value"))
		benchGet(b, func(k string) (string, error) { return c.Get(k).Wait(ctx) })
	})
}

// BenchmarkGet256Pool1 isolates the pool's own cost: one pooled
// connection, compared with BenchmarkGet256/Conn.
func BenchmarkGet256Pool1(b *testing.B) {
	srv := testserver.Start(b)
	ctx := context.Background()
	p := testutil.Must(b, pool.Connect(pool.Options{Options: conn.Options{Addr: srv.Addr()}, PoolSize: 1}))
	defer p.Disconnect()
	testutil.Must(b, p.Set("bench", "value"))
	benchGet(b, func(k string) (string, error) { return p.Get(k).Wait(ctx) })
}
