package conn_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

func benchConn(b *testing.B) *conn.Conn {
	b.Helper()
	srv := testserver.Start(b)
	c := testutil.Must(b, conn.Connect(conn.Options{Addr: srv.Addr()}))
	b.Cleanup(func() { c.Disconnect() })
	testutil.Must(b, c.Set("bench", "value-of-sixteen"))
	return c
}

// BenchmarkGetSequential: one goroutine, each GET waited for before the
// next (round-trip bound).
func BenchmarkGetSequential(b *testing.B) {
	c := benchConn(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Get("bench").Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGet64: 64 goroutines, each waiting on its own command.
func BenchmarkGet64(b *testing.B) {
	c := benchConn(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(64 / max(1, runtimeProcs()))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Get("bench").Wait(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSetFireThenWait: one goroutine fires b.N SETs as Deferreds,
// then waits for all of them.
func BenchmarkSetFireThenWait(b *testing.B) {
	c := benchConn(b)
	ctx := context.Background()
	ds := make([]*deferred.Deferred[string], b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range ds {
		ds[i] = c.Set("bench", "value-of-sixteen")
	}
	for _, d := range ds {
		if _, err := d.Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// sink is a Sender that resolves every command at once with a canned
// reply: it measures the client-side cost of a command without a network.
type sink struct {
	mu    sync.Mutex
	buf   []byte
	reply proto.Value
}

func (s *sink) Send(cmd *proto.Cmd, r conn.Resolver) {
	s.mu.Lock()
	s.buf = cmd.AppendTo(s.buf[:0])
	s.mu.Unlock()
	cmd.Release()
	r.Resolve(s.reply, nil)
}

// BenchmarkClientGet: allocations per GET on the client side (the
// returned Deferred plus the reply string, which the reader allocates).
func BenchmarkClientGet(b *testing.B) {
	c := conn.NewCommands(&sink{reply: proto.BulkValue("value")})
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := c.Get("bench").Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientSet: allocations per SET on the client side.
func BenchmarkClientSet(b *testing.B) {
	c := conn.NewCommands(&sink{reply: proto.SimpleValue("OK")})
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := c.Set("bench", "value").Wait(ctx); err != nil && !errors.Is(err, proto.ErrNil) {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientPipeline100: the client-side cost of an explicit
// Pipeline of 100 SETs, per SET.
func BenchmarkClientPipeline100(b *testing.B) {
	c := conn.NewCommands(&sink{reply: proto.SimpleValue("OK")})
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i += 100 {
		p := c.Pipeline()
		for j := 0; j < 100; j++ {
			p.Set("bench", "value")
		}
		if _, err := p.Execute().Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientSet100: 100 plain SETs sent without waiting, then
// waited for, per SET: what BenchmarkClientPipeline100 compares with.
func BenchmarkClientSet100(b *testing.B) {
	c := conn.NewCommands(&sink{reply: proto.SimpleValue("OK")})
	ctx := context.Background()
	ds := make([]*deferred.Deferred[string], 100)
	b.ReportAllocs()
	for i := 0; i < b.N; i += 100 {
		for j := range ds {
			ds[j] = c.Set("bench", "value")
		}
		for _, d := range ds {
			if _, err := d.Wait(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
}
