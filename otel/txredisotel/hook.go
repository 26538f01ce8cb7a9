package txredisotel

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/txredis/txredis/otel/txredisotel"

// DialSpanName is the name of the span of a dial and its handshake.
const DialSpanName = "redis.dial"

// Option configures a Hook.
type Option func(*config)

type config struct {
	tp        trace.TracerProvider
	mp        metric.MeterProvider
	queryText func(*proto.Cmd) string
	attrs     []attribute.KeyValue
	noDials   bool
}

// WithTracerProvider sets the tracer provider (default: the global one,
// otel.GetTracerProvider).
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithMeterProvider sets the meter provider (default: the global one,
// otel.GetMeterProvider).
func WithMeterProvider(mp metric.MeterProvider) Option { return func(c *config) { c.mp = mp } }

// WithQueryText records db.query.text on command spans, as
// SanitizedQuery writes it: the command name and its keys, every other
// argument replaced by "?". It is off by default, as the conventions ask.
func WithQueryText() Option { return WithQueryTextFunc(SanitizedQuery) }

// WithQueryTextFunc records db.query.text on command spans as f writes
// it. f must mask what must not be recorded: it sees every argument,
// passwords included.
func WithQueryTextFunc(f func(cmd *proto.Cmd) string) Option {
	return func(c *config) { c.queryText = f }
}

// WithAttributes adds attributes to every span.
func WithAttributes(kv ...attribute.KeyValue) Option {
	return func(c *config) { c.attrs = append(c.attrs, kv...) }
}

// WithoutDialSpans leaves dials (and their handshake commands) out of
// the traces; the connection metrics still count them.
func WithoutDialSpans() Option { return func(c *config) { c.noDials = true } }

// Hook is a conn.Hook that traces and measures what the client does,
// following the OpenTelemetry semantic conventions for Redis clients.
// Install it in conn.Options.Hooks (pool, sharded, cluster, sentinel and
// pubsub options embed conn.Options); one Hook may serve every handle.
//
// Spans (kind client, attribute db.system.name "redis"):
//   - one per command, named after it ("GET"), with db.operation.name,
//     db.namespace (the database index the connection selected at
//     connect, as a string), server.address and server.port (for a unix
//     socket: the path, and network.transport "unix"), db.query.text when
//     asked for (WithQueryText), db.stored_procedure.name for EVALSHA and
//     FCALL; a command of a cluster redirected by MOVED or ASK has one span
//     per node asked, each with the address of that node;
//   - one per explicit pipeline ("PIPELINE", or "PIPELINE GET" when all
//     its commands are GETs) and per MULTI/EXEC transaction ("MULTI", or
//     "MULTI INCR"), with db.operation.batch.size, parent of the spans of
//     their commands;
//   - one per dial (DialSpanName), parent of the handshake's commands.
//
// A failed operation sets the span status to Error, records the error
// as an event and sets error.type: for an error reply, its prefix
// ("WRONGTYPE"), also given as db.response.status_code; "timeout" for a
// reply or connect timeout; the name of a known error of the client
// ("conn.ErrWatch" for a transaction aborted by WATCH, "conn.ErrClosed",
// "pool.ErrExhausted"...); else the error's Go type, as package.Type
// ("conn.ConnectionError"), or "_OTHER" for the unnamed errors of
// errors.New and fmt.Errorf. A nil reply is not an error.
//
// Metrics: db.client.operation.duration (histogram, seconds; a pipeline
// or transaction counts once, its commands not again),
// db.client.connection.create_time (dials that succeeded),
// db.client.connection.wait_time (waits for a pool lease),
// db.client.connection.timeouts (lease waits that ended with
// pool.ErrExhausted after LeaseTimeout), txredis.client.connection.reconnects (connections
// back up after being lost), and, for the handles given to
// ObserveStats, connection counts.
type Hook struct {
	cfg    config
	tracer trace.Tracer
	meter  metric.Meter
	inst   instruments
	base   []attribute.KeyValue // db.system.name, then cfg.attrs
	spanKn trace.SpanStartOption
	cache  attrCache
}

var _ conn.Hook = (*Hook)(nil)

// NewHook returns a Hook reporting to the given (or global) providers.
func NewHook(opts ...Option) (*Hook, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.tp == nil {
		cfg.tp = otel.GetTracerProvider()
	}
	if cfg.mp == nil {
		cfg.mp = otel.GetMeterProvider()
	}
	h := &Hook{
		cfg:    cfg,
		tracer: cfg.tp.Tracer(ScopeName),
		meter:  cfg.mp.Meter(ScopeName),
		base:   append([]attribute.KeyValue{semconv.DBSystemNameRedis}, cfg.attrs...),
		spanKn: trace.WithSpanKind(trace.SpanKindClient),
	}
	if err := h.inst.init(h.meter); err != nil {
		return nil, err
	}
	return h, nil
}

// Start begins the span of op (none for a pool's lease wait, nor for
// dials under WithoutDialSpans).
func (h *Hook) Start(ctx context.Context, op *conn.Op) context.Context {
	switch {
	case op.Kind == conn.OpLease:
		return ctx
	case h.cfg.noDials && op.Kind == conn.OpDial:
		return context.WithValue(ctx, untracedKey{}, true)
	case h.cfg.noDials && ctx.Value(untracedKey{}) != nil:
		return ctx // a command of an untraced dial's handshake
	}
	attrs := make([]attribute.KeyValue, 0, len(h.base)+8)
	attrs = append(attrs, h.base...)
	attrs = append(attrs, h.cache.server(op.Addr, op.DB)...)
	name := op.Name
	switch op.Kind {
	case conn.OpDial:
		name = DialSpanName
	case conn.OpPipeline, conn.OpTransaction:
		attrs = append(attrs, semconv.DBOperationName(op.Name))
		if op.Kind == conn.OpPipeline {
			attrs = append(attrs, semconv.DBOperationBatchSize(op.Size))
			if h.cfg.queryText != nil {
				attrs = append(attrs, semconv.DBQueryText(pipelineText(h.cfg.queryText, op.Cmds)))
			}
		}
	default:
		attrs = append(attrs, semconv.DBOperationName(op.Name))
		if op.Cmd != nil {
			if h.cfg.queryText != nil {
				attrs = append(attrs, semconv.DBQueryText(h.cfg.queryText(op.Cmd)))
			}
			if proc, ok := storedProcedure(op.Cmd); ok {
				attrs = append(attrs, semconv.DBStoredProcedureName(proc))
			}
		}
	}
	ctx, _ = h.tracer.Start(ctx, name, h.spanKn, trace.WithAttributes(attrs...), trace.WithTimestamp(op.Start))
	return ctx
}

// untracedKey marks the context of a dial left out of the traces, and
// of its handshake's commands.
type untracedKey struct{}

// End ends the span of op and records its metrics.
func (h *Hook) End(ctx context.Context, op *conn.Op) {
	errType, status := classify(op.Err)
	switch op.Kind {
	case conn.OpLease:
		h.inst.waitTime.Record(ctx, op.Duration.Seconds(), metric.WithAttributeSet(h.cache.pool(op.Addr, op.DB)))
		if ee := (*pool.ExhaustedError)(nil); errors.As(op.Err, &ee) && ee.Cause == nil {
			// (A wait its context cut short is not a timeout of the pool.)
			h.inst.timeouts.Add(ctx, 1, metric.WithAttributeSet(h.cache.pool(op.Addr, op.DB)))
		}
		return
	case conn.OpDial:
		if op.Err == nil {
			h.inst.createTime.Record(ctx, op.Duration.Seconds(), metric.WithAttributeSet(h.cache.pool(op.Addr, op.DB)))
			if op.Reconnect {
				h.inst.reconnects.Add(ctx, 1, metric.WithAttributeSet(h.cache.pool(op.Addr, op.DB)))
			}
		}
	case conn.OpCommand, conn.OpPipeline, conn.OpTransaction:
		if !op.Batched {
			h.inst.duration.Record(ctx, op.Duration.Seconds(),
				metric.WithAttributeSet(h.cache.operation(op.Addr, op.DB, op.Name, errType, status)))
		}
	}
	if h.cfg.noDials && ctx.Value(untracedKey{}) != nil {
		return // no span of ours to end
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		span.End()
		return
	}
	if op.Kind == conn.OpTransaction {
		span.SetName(op.Name)
		span.SetAttributes(semconv.DBOperationName(op.Name), semconv.DBOperationBatchSize(op.Size))
	}
	if op.Err != nil {
		if status != "" {
			span.SetAttributes(semconv.DBResponseStatusCode(status))
		}
		span.SetAttributes(semconv.ErrorTypeKey.String(errType))
		span.RecordError(op.Err)
		span.SetStatus(codes.Error, op.Err.Error())
	}
	span.End(trace.WithTimestamp(op.Start.Add(op.Duration)))
}
