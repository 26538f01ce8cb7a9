package conn_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// queuedConn returns a connection whose dial never completes: commands
// sent on it queue (encoded, in the FIFO) without any I/O, so a benchmark
// measures Send itself. Disconnect fails them all.
func queuedConn(b *testing.B, hooks []conn.Hook) *conn.Conn {
	b.Helper()
	c := conn.New(conn.Options{
		Addr:           "queued:6379",
		ConnectTimeout: time.Hour,
		Hooks:          hooks,
		Dialer: func(ctx context.Context, _, _ string) (net.Conn, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		},
	})
	b.Cleanup(func() { testutil.Must(b, c.Disconnect()) })
	return c
}

var nopResolver = conn.ResolverFunc(func(proto.Value, error) {})

// BenchmarkSendQueued: the cost of Conn.Send with no hook (encode,
// enqueue), without I/O: the connection's dial never completes. Every
// 4096 commands the connection is replaced, outside the timing, so the
// queue stays small.
func BenchmarkSendQueued(b *testing.B) {
	c := queuedConn(b, nil)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		c.Send(proto.NewCmd("SET").Key("k").Arg("v"), nopResolver)
		if n++; n == 4096 {
			b.StopTimer()
			testutil.Must(b, c.Disconnect())
			c, n = queuedConn(b, nil), 0
			b.StartTimer()
		}
	}
}

// nopHook is a Hook that does nothing: what the hooks machinery costs.
type nopHook struct{}

func (nopHook) Start(ctx context.Context, _ *conn.Op) context.Context { return ctx }
func (nopHook) End(context.Context, *conn.Op)                         {}

// BenchmarkFireHooks: SETs fired then waited for over a real server,
// with no hook and with a hook that does nothing.
func BenchmarkFireHooks(b *testing.B) {
	srv := testserver.Start(b)
	for _, bc := range []struct {
		name  string
		hooks []conn.Hook
	}{{"none", nil}, {"nop", []conn.Hook{nopHook{}}}} {
		b.Run(bc.name, func(b *testing.B) {
			c := testutil.Must(b, conn.Connect(conn.Options{Addr: srv.Addr(), Hooks: bc.hooks}))
			defer func() { testutil.Must(b, c.Disconnect()) }()
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			const batch = 1000
			for i := 0; i < b.N; i += batch {
				n := min(batch, b.N-i)
				var last interface {
					Wait(context.Context) (string, error)
				}
				for j := 0; j < n; j++ {
					last = c.Set("bench", "value-of-sixteen")
				}
				if _, err := last.Wait(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWithContext: the cost of a command through a context view,
// by kind of context, against a sink (no network).
func BenchmarkWithContext(b *testing.B) {
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, bc := range []struct {
		name string
		ctx  context.Context
	}{{"none", nil}, {"background", context.Background()}, {"cancellable", cancellable}} {
		b.Run(bc.name, func(b *testing.B) {
			c := conn.NewCommands(&sink{reply: proto.SimpleValue("OK")})
			if bc.ctx != nil {
				c = c.WithContext(bc.ctx)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Set("bench", "value").Wait(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
