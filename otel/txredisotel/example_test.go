package txredisotel_test

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/otel/txredisotel"
)

// A request's commands become children of its span.
func ExampleNewHook() {
	m, _ := miniredis.Run()
	defer m.Close()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	hook, err := txredisotel.NewHook(txredisotel.WithTracerProvider(tp), txredisotel.WithQueryText(), txredisotel.WithoutDialSpans())
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	rc, err := conn.Connect(conn.Options{Addr: m.Addr(), Hooks: []conn.Hook{hook}}).Wait(ctx)
	if err != nil {
		panic(err)
	}
	defer func() { _, _ = rc.Disconnect().Wait(ctx) }()

	reqCtx, req := tp.Tracer("app").Start(ctx, "GET /user/1")
	rc.WithContext(reqCtx).HSet("user:1", "name", "Ada")
	name, err := rc.WithContext(reqCtx).HGet("user:1", "name").Wait(ctx)
	req.End()
	fmt.Println(name, err)

	for _, s := range spans.Ended() {
		var text string
		for _, kv := range s.Attributes() {
			if kv.Key == "db.query.text" {
				text = kv.Value.AsString()
			}
		}
		fmt.Printf("%s (%s) child of the request: %v\n", s.Name(), text, s.Parent().SpanID() == req.SpanContext().SpanID())
	}
	// Output:
	// Ada <nil>
	// HSET (HSET user:1 ? ?) child of the request: true
	// HGET (HGET user:1 ?) child of the request: true
	// GET /user/1 () child of the request: false
}
