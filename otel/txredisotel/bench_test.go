package txredisotel_test

import (
	"context"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/otel/txredisotel"
	"github.com/txredis/txredis/proto"
)

// benchHook is a Hook over a tracer provider that samples every span
// (and exports none) and a meter provider read by a manual reader.
func benchHook(b *testing.B) *txredisotel.Hook {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	h, err := txredisotel.NewHook(txredisotel.WithTracerProvider(tp), txredisotel.WithMeterProvider(mp))
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// BenchmarkHook: what the Hook itself costs per command (a sampled span
// and a histogram measurement), without a connection.
func BenchmarkHook(b *testing.B) {
	h := benchHook(b)
	cmd := proto.NewCmd("GET").Key("key")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		op := conn.Op{Kind: conn.OpCommand, Name: "GET", Cmd: cmd, Addr: "127.0.0.1:6379", Start: time.Now()}
		c := h.Start(ctx, &op)
		op.Cmd, op.Duration = nil, time.Microsecond
		h.End(c, &op)
	}
}

// BenchmarkFire: SETs fired in batches of 1000 and waited for over a real
// server, without a hook and with the Hook.
func BenchmarkFire(b *testing.B) {
	srv := testserver.Start(b)
	for _, bc := range []struct {
		name string
		hook bool
	}{{"nohook", false}, {"otel", true}} {
		b.Run(bc.name, func(b *testing.B) {
			var hooks []conn.Hook
			if bc.hook {
				hooks = []conn.Hook{benchHook(b)}
			}
			c := testutil.Must(b, conn.Connect(conn.Options{Addr: srv.Addr(), Hooks: hooks}))
			defer func() { testutil.Must(b, c.Disconnect()) }()
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += 1000 {
				n := min(1000, b.N-i)
				d := c.Set("bench", "value-of-sixteen")
				for j := 1; j < n; j++ {
					d = c.Set("bench", "value-of-sixteen")
				}
				if _, err := d.Wait(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
