package txredisotel_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/otel/txredisotel"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// telemetry is a Hook over the SDK's in-memory span recorder and a
// manual metric reader.
type telemetry struct {
	hook   *txredisotel.Hook
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tracer trace.Tracer
}

func newTelemetry(t *testing.T, opts ...txredisotel.Option) *telemetry {
	t.Helper()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	h, err := txredisotel.NewHook(append([]txredisotel.Option{
		txredisotel.WithTracerProvider(tp), txredisotel.WithMeterProvider(mp)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &telemetry{hook: h, spans: sr, reader: reader, tracer: tp.Tracer("test")}
}

// named returns the ended spans called name.
func (tm *telemetry) named(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range tm.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// one returns the only ended span called name.
func (tm *telemetry) one(t *testing.T, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	ss := tm.named(name)
	if len(ss) != 1 {
		var names []string
		for _, s := range tm.spans.Ended() {
			names = append(names, s.Name())
		}
		t.Fatalf("%d spans named %q; ended: %v", len(ss), name, names)
	}
	return ss[0]
}

// checkAttrs compares a span's attributes with want, one by one: every
// attribute wanted must be there with its value, and no other.
func checkAttrs(t *testing.T, s sdktrace.ReadOnlySpan, want ...attribute.KeyValue) {
	t.Helper()
	have := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		have[kv.Key] = kv.Value
	}
	for _, w := range want {
		v, ok := have[w.Key]
		switch {
		case !ok:
			t.Errorf("span %q: no attribute %s (want %s)", s.Name(), w.Key, w.Value.String())
		case v != w.Value:
			t.Errorf("span %q: %s = %s (%s), want %s (%s)", s.Name(), w.Key, v.String(), v.Type(), w.Value.String(), w.Value.Type())
		}
		delete(have, w.Key)
	}
	for k, v := range have {
		t.Errorf("span %q: unexpected attribute %s = %s", s.Name(), k, v.String())
	}
}

// server returns the attributes of a command to a miniredis at addr.
func server(t *testing.T, addr string, db int) []attribute.KeyValue {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return []attribute.KeyValue{
		attribute.String("db.system.name", "redis"),
		attribute.String("server.address", host),
		attribute.Int("server.port", p),
		attribute.String("db.namespace", strconv.Itoa(db)),
	}
}

func with(base []attribute.KeyValue, kv ...attribute.KeyValue) []attribute.KeyValue {
	return append(slices.Clone(base), kv...)
}

func opName(n string) attribute.KeyValue { return attribute.String("db.operation.name", n) }

func checkChild(t *testing.T, child, parent sdktrace.ReadOnlySpan) {
	t.Helper()
	if child.Parent().SpanID() != parent.SpanContext().SpanID() || child.SpanContext().TraceID() != parent.SpanContext().TraceID() {
		t.Errorf("span %q is not a child of %q", child.Name(), parent.Name())
	}
}

func TestCommandSpans(t *testing.T) {
	m := testserver.Mini(t)
	tm := newTelemetry(t)
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: m.Addr(), Hooks: []conn.Hook{tm.hook}}))
	defer func() { testutil.Must(t, c.Disconnect()) }()

	ctx, req := tm.tracer.Start(context.Background(), "request")
	rc := c.WithContext(ctx)
	testutil.Must(t, rc.Set("k", "v"))
	testutil.Must(t, rc.Get("k"))
	if _, err := testutil.Wait(t, rc.Get("missing")); !errors.Is(err, proto.ErrNil) {
		t.Fatalf("GET missing: %v", err)
	}
	if _, err := testutil.Wait(t, rc.LPush("k", "x")); !errors.Is(err, proto.ErrWrongType) {
		t.Fatalf("LPUSH on a string: %v", err)
	}
	req.End()
	srv := server(t, m.Addr(), 0)
	parent := tm.one(t, "request")

	set := tm.one(t, "SET")
	checkAttrs(t, set, with(srv, opName("SET"))...)
	checkChild(t, set, parent)
	if set.SpanKind() != trace.SpanKindClient || set.Status().Code != codes.Unset || len(set.Events()) != 0 {
		t.Errorf("SET: kind %v, status %v, events %v", set.SpanKind(), set.Status(), set.Events())
	}
	if !set.EndTime().After(set.StartTime()) {
		t.Errorf("SET: start %v, end %v", set.StartTime(), set.EndTime())
	}
	// A nil reply is not an error.
	for _, get := range tm.named("GET") {
		checkAttrs(t, get, with(srv, opName("GET"))...)
		checkChild(t, get, parent)
		if get.Status().Code != codes.Unset {
			t.Errorf("GET: status %v", get.Status())
		}
	}
	lpush := tm.one(t, "LPUSH")
	checkAttrs(t, lpush, with(srv, opName("LPUSH"),
		attribute.String("error.type", "WRONGTYPE"), attribute.String("db.response.status_code", "WRONGTYPE"))...)
	if st := lpush.Status(); st.Code != codes.Error || !strings.HasPrefix(st.Description, "WRONGTYPE") {
		t.Errorf("LPUSH status: %+v", st)
	}
	if ev := lpush.Events(); len(ev) != 1 || ev[0].Name != "exception" {
		t.Errorf("LPUSH events: %+v", ev)
	}
	dial := tm.one(t, txredisotel.DialSpanName)
	checkAttrs(t, dial, srv...)
	if dial.Parent().IsValid() {
		t.Errorf("the dial has a parent: %v", dial.Parent())
	}
}

func TestDialSpanHoldsTheHandshake(t *testing.T) {
	m := testserver.Mini(t)
	m.RequireAuth("pw")
	tm := newTelemetry(t, txredisotel.WithQueryText())
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: m.Addr(), Password: "pw", DB: 5, ClientName: "app", Hooks: []conn.Hook{tm.hook}}))
	defer func() { testutil.Must(t, c.Disconnect()) }()
	srv := server(t, m.Addr(), 5)
	dial := tm.one(t, txredisotel.DialSpanName)
	checkAttrs(t, dial, srv...)
	for name, text := range map[string]string{"AUTH": "AUTH ?", "SELECT": "SELECT ?", "CLIENT": "CLIENT ? ?"} {
		s := tm.one(t, name)
		checkAttrs(t, s, with(srv, opName(name), attribute.String("db.query.text", text))...)
		checkChild(t, s, dial)
	}

	// Without dial spans, neither the dial nor its handshake is traced.
	tm = newTelemetry(t, txredisotel.WithoutDialSpans())
	c2 := testutil.Must(t, conn.Connect(conn.Options{Addr: m.Addr(), Password: "pw", DB: 5, Hooks: []conn.Hook{tm.hook}}))
	defer func() { testutil.Must(t, c2.Disconnect()) }()
	ctx, req := tm.tracer.Start(context.Background(), "request")
	testutil.Must(t, c2.WithContext(ctx).Ping())
	req.End()
	var names []string
	for _, s := range tm.spans.Ended() {
		names = append(names, s.Name())
	}
	if !slices.Equal(names, []string{"PING", "request"}) {
		t.Fatalf("spans without dial spans: %v", names)
	}
	checkChild(t, tm.one(t, "PING"), tm.one(t, "request"))
}

func TestPipelineAndTransactionSpans(t *testing.T) {
	m := testserver.Mini(t)
	tm := newTelemetry(t, txredisotel.WithQueryText())
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: m.Addr(), Hooks: []conn.Hook{tm.hook}}))
	defer func() { testutil.Must(t, c.Disconnect()) }()
	ctx, req := tm.tracer.Start(context.Background(), "request")
	rc := c.WithContext(ctx)

	p := rc.Pipeline()
	p.Get("a")
	p.Get("b")
	testutil.Must(t, p.Execute())

	tx := testutil.Must(t, rc.Multi())
	tx.Incr("n")
	tx.Incr("n")
	testutil.Must(t, tx.Commit())

	m.Set("w", "1")
	tx = testutil.Must(t, rc.Watch("w"))
	m.Set("w", "2")
	testutil.Must(t, tx.Multi())
	tx.Set("w", "3")
	if _, err := testutil.Wait(t, tx.Commit()); !errors.Is(err, conn.ErrWatch) {
		t.Fatalf("commit after the watched key changed: %v", err)
	}
	req.End()
	srv := server(t, m.Addr(), 0)
	parent := tm.one(t, "request")

	pl := tm.one(t, "PIPELINE GET")
	checkAttrs(t, pl, with(srv, opName("PIPELINE GET"), attribute.Int("db.operation.batch.size", 2),
		attribute.String("db.query.text", "GET a; GET b"))...)
	checkChild(t, pl, parent)
	gets := tm.named("GET")
	if len(gets) != 2 {
		t.Fatalf("%d GET spans", len(gets))
	}
	for _, g := range gets {
		checkChild(t, g, pl)
	}

	mi := tm.one(t, "MULTI INCR")
	checkAttrs(t, mi, with(srv, opName("MULTI INCR"), attribute.Int("db.operation.batch.size", 2))...)
	checkChild(t, mi, parent)
	incrs := tm.named("INCR")
	if len(incrs) != 2 {
		t.Fatalf("%d INCR spans", len(incrs))
	}
	for _, s := range incrs {
		checkAttrs(t, s, with(srv, opName("INCR"), attribute.String("db.query.text", "INCR n"))...)
		checkChild(t, s, mi)
	}
	for _, name := range []string{"MULTI", "EXEC"} {
		for _, s := range tm.named(name) {
			if s.Parent().SpanID() != mi.SpanContext().SpanID() && s.Parent().SpanID() != tm.one(t, "MULTI SET").SpanContext().SpanID() {
				t.Errorf("%s is outside its transaction", name)
			}
		}
	}

	aborted := tm.one(t, "MULTI SET")
	checkAttrs(t, aborted, with(srv, opName("MULTI SET"), attribute.Int("db.operation.batch.size", 1),
		attribute.String("error.type", "conn.ErrWatch"))...)
	if aborted.Status().Code != codes.Error {
		t.Errorf("aborted transaction: status %v", aborted.Status())
	}
	watch := tm.one(t, "WATCH") // before MULTI: not part of the transaction
	checkChild(t, watch, parent)
	checkAttrs(t, watch, with(srv, opName("WATCH"), attribute.String("db.query.text", "WATCH w"))...)
}

// histogram returns the data points of the histogram called name.
func histogram(t *testing.T, rm metricdata.ResourceMetrics, name, unit string) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				if m.Unit != unit {
					t.Errorf("%s: unit %q, want %q", name, m.Unit, unit)
				}
				h, ok := m.Data.(metricdata.Histogram[float64])
				if !ok {
					t.Fatalf("%s is a %T", name, m.Data)
				}
				return h.DataPoints
			}
		}
	}
	return nil
}

// sum returns the data points of the counter called name.
func sum(rm metricdata.ResourceMetrics, name string) []metricdata.DataPoint[int64] {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				if s, ok := m.Data.(metricdata.Sum[int64]); ok {
					return s.DataPoints
				}
			}
		}
	}
	return nil
}

func attrString(set attribute.Set) string {
	var parts []string
	for _, kv := range set.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+kv.Value.String())
	}
	return strings.Join(parts, ",")
}

func collect(t *testing.T, tm *telemetry) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tm.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm
}

func TestOperationDurationHistogram(t *testing.T) {
	m := testserver.Mini(t)
	m.Set("s", "x")
	tm := newTelemetry(t)
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: m.Addr(), Hooks: []conn.Hook{tm.hook}}))
	defer func() { testutil.Must(t, c.Disconnect()) }()
	for i := 0; i < 3; i++ {
		testutil.Must(t, c.Set("k", "v"))
	}
	testutil.Wait(t, c.LPush("s", "x"))
	p := c.Pipeline()
	p.Get("a")
	p.Get("b")
	testutil.Must(t, p.Execute())

	rm := collect(t, tm)
	points := histogram(t, rm, "db.client.operation.duration", "s")
	host, port, _ := net.SplitHostPort(m.Addr())
	counts := map[string]uint64{}
	for _, dp := range points {
		counts[attrString(dp.Attributes)] = dp.Count
		if !slices.Equal(dp.Bounds, []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}) {
			t.Errorf("bounds %v", dp.Bounds)
		}
	}
	at := ",server.address=" + host + ",server.port=" + port
	want := map[string]uint64{
		"db.namespace=0,db.operation.name=SET,db.system.name=redis" + at:                                                          3,
		"db.namespace=0,db.operation.name=LPUSH,db.response.status_code=WRONGTYPE,db.system.name=redis,error.type=WRONGTYPE" + at: 1,
		"db.namespace=0,db.operation.name=PIPELINE GET,db.system.name=redis" + at:                                                 1, // its GETs are not counted again
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s: count %d, want %d", k, counts[k], n)
		}
		delete(counts, k)
	}
	if len(counts) != 0 {
		t.Errorf("unexpected data points: %v", counts)
	}
	created := histogram(t, rm, "db.client.connection.create_time", "s")
	if len(created) != 1 || created[0].Count != 1 || attrString(created[0].Attributes) != "db.client.connection.pool.name="+m.Addr()+"/0" {
		t.Errorf("create_time: %+v", created)
	}
}

func TestPoolMetrics(t *testing.T) {
	m := testserver.Mini(t)
	tm := newTelemetry(t)
	p := testutil.Must(t, pool.Connect(pool.Options{
		Options: conn.Options{Addr: m.Addr(), Hooks: []conn.Hook{tm.hook}}, PoolSize: 3,
		MaxExclusive: 1, LeaseTimeout: 30 * time.Millisecond,
	}))
	defer func() { testutil.Must(t, p.Disconnect()) }()
	reg, err := tm.hook.ObserveStats("cache", p)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = reg.Unregister() }()

	tx := testutil.Must(t, p.Multi())
	if _, err := testutil.Wait(t, p.Multi()); !errors.Is(err, pool.ErrExhausted) {
		t.Fatalf("second lease: %v", err)
	}
	rm := collect(t, tm)
	name := "db.client.connection.pool.name="
	gauges := map[string]int64{}
	for _, metricName := range []string{"db.client.connection.count", "db.client.connection.max", "db.client.connection.pending_requests", "txredis.client.replies.pending", "txredis.client.pubsub.dropped"} {
		for _, dp := range sum(rm, metricName) {
			gauges[metricName+" "+attrString(dp.Attributes)] = dp.Value
		}
	}
	want := map[string]int64{
		"db.client.connection.count " + name + "cache,db.client.connection.state=used": 1,
		"db.client.connection.count " + name + "cache,db.client.connection.state=idle": 2,
		"db.client.connection.max " + name + "cache":                                   3,
		"db.client.connection.pending_requests " + name + "cache":                      0,
		"txredis.client.replies.pending " + name + "cache":                             0,
		"txredis.client.pubsub.dropped " + name + "cache":                              0,
	}
	for k, v := range want {
		if have, ok := gauges[k]; !ok || have != v {
			t.Errorf("%s: %d (reported %v), want %d", k, have, ok, v)
		}
	}
	waits := histogram(t, rm, "db.client.connection.wait_time", "s")
	if len(waits) != 1 {
		t.Fatalf("wait_time: %+v", waits)
	}
	if max, ok := waits[0].Max.Value(); waits[0].Count != 2 || !ok || max < 0.025 {
		t.Errorf("wait_time: %+v", waits)
	}
	if to := sum(rm, "db.client.connection.timeouts"); len(to) != 1 || to[0].Value != 1 {
		t.Errorf("timeouts: %+v", to)
	}
	testutil.Must(t, tx.Discard())
}

func TestReconnectsAndUnixSockets(t *testing.T) {
	srv := fakeserver.New(func(p *fakeserver.Peer) { p.Serve(fakeserver.Echo) })
	defer srv.Close()
	tm := newTelemetry(t)
	c := testutil.Must(t, conn.Connect(conn.Options{
		Addr: "/run/redis.sock", Dialer: srv.Dialer, Hooks: []conn.Hook{tm.hook},
		Backoff: func(int) time.Duration { return time.Millisecond },
	}))
	defer func() { testutil.Must(t, c.Disconnect()) }()
	testutil.Must(t, c.Get("k"))
	checkAttrs(t, tm.one(t, "GET"),
		attribute.String("db.system.name", "redis"), opName("GET"), attribute.String("db.namespace", "0"),
		attribute.String("server.address", "/run/redis.sock"), attribute.String("network.transport", "unix"))

	srv.CloseAll()
	testutil.Eventually(t, func() error {
		for _, dp := range sum(collect(t, tm), "txredis.client.connection.reconnects") {
			if dp.Value == 1 && attrString(dp.Attributes) == "db.client.connection.pool.name=/run/redis.sock/0" {
				return nil
			}
		}
		return fmt.Errorf("no reconnect counted")
	})
}

func TestErrorType(t *testing.T) {
	m := testserver.Mini(t)
	tm := newTelemetry(t)
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: m.Addr(), Hooks: []conn.Hook{tm.hook}, NoReconnect: true}))
	m.Close() // the server goes away: the next command fails with a ConnectionError
	if _, err := testutil.Wait(t, c.Get("k")); !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("GET on a closed server: %v", err)
	}
	testutil.Must(t, c.Disconnect())
	get := tm.one(t, "GET")
	var et string
	for _, kv := range get.Attributes() {
		if kv.Key == "error.type" {
			et = kv.Value.AsString()
		}
	}
	if et != "conn.ConnectionError" && et != "conn.ErrNotConnected" {
		t.Fatalf("error.type of a lost connection: %q", et)
	}
	if get.Status().Code != codes.Error {
		t.Fatalf("status %v", get.Status())
	}
}
