package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/embedded"
	"github.com/txredis/txredis/otel/txredisotel"
	"github.com/txredis/txredis/pool"
)

func main() {
	addr := flag.String("addr", "", embedded.AddrUsage)
	flag.Parse()
	srv, err := embedded.Resolve(*addr)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.Notice(os.Stdout, keyPrefix)
	if err := run(context.Background(), srv.Addr, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run serves one "request" whose Redis work is traced: the spans go to
// out as they end, then a summary of the metrics.
func run(ctx context.Context, addr string, out io.Writer) error {
	exp, err := stdouttrace.New(stdouttrace.WithWriter(out), stdouttrace.WithPrettyPrint())
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() { _ = tp.Shutdown(ctx) }()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(ctx) }()

	hook, err := txredisotel.NewHook(
		txredisotel.WithTracerProvider(tp),
		txredisotel.WithMeterProvider(mp),
		txredisotel.WithQueryText())
	if err != nil {
		return err
	}
	rc, err := pool.Connect(pool.Options{Options: conn.Options{Addr: addr, Hooks: []conn.Hook{hook}}, PoolSize: 2}).Wait(ctx)
	if err != nil {
		return err
	}
	defer func() { _, _ = rc.Disconnect().Wait(ctx) }()
	reg, err := hook.ObserveStats("example", rc)
	if err != nil {
		return err
	}
	defer func() { _ = reg.Unregister() }()

	if err := handle(ctx, tp, rc); err != nil {
		return err
	}
	return summary(ctx, reader, out)
}

// keyPrefix begins every key the example writes.
const keyPrefix = embedded.KeyPrefix + "otel:"

// handle is the request: its span is the parent of the commands it
// sends through the context view.
func handle(ctx context.Context, tp *sdktrace.TracerProvider, p *pool.Pool) error {
	ctx, span := tp.Tracer("examples/otel").Start(ctx, "GET /article/42")
	defer span.End()
	rc := p.WithContext(ctx)

	article, views42, popular := keyPrefix+"article:42", keyPrefix+"article:42:views", keyPrefix+"popular"
	views, err := rc.Incr(views42).Wait(ctx)
	if err != nil {
		return err
	}
	pl := rc.Pipeline()
	pl.HSet(article, "title", "Deferreds in Go")
	pl.HGetAll(article)
	if _, err := pl.Execute().Wait(ctx); err != nil {
		return err
	}
	tx, err := rc.Multi().Wait(ctx)
	if err != nil {
		return err
	}
	tx.ZIncrBy(popular, 1, article)
	expire := tx.Expire(views42, time.Hour)
	if _, err := tx.Commit().Wait(ctx); err != nil {
		return err
	}
	if _, err := expire.Wait(ctx); err != nil {
		return err
	}
	span.AddEvent(fmt.Sprintf("served, %d views", views))
	return nil
}

// summary prints what the metrics recorded.
func summary(ctx context.Context, reader *sdkmetric.ManualReader, out io.Writer) error {
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		return err
	}
	var lines []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					op, _ := dp.Attributes.Value("db.operation.name")
					lines = append(lines, line(m.Name, op.String(), dp.Count))
				}
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					state, _ := dp.Attributes.Value("db.client.connection.state")
					lines = append(lines, line(m.Name, state.String(), dp.Value))
				}
			}
		}
	}
	slices.Sort(lines)
	fmt.Fprintln(out, "metrics:")
	fmt.Fprintln(out, "  "+strings.Join(lines, "\n  "))
	return nil
}

// line is one metric of the summary: its name, what the data point is
// about (an operation, a state) if anything, and its count or value.
func line[N uint64 | int64](name, about string, n N) string {
	if about != "" {
		name += " " + about
	}
	return fmt.Sprintf("%s: %d", name, n)
}
