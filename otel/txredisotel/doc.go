// Package txredisotel traces and measures txredis with OpenTelemetry.
//
// It is a module of its own, so that the client itself depends on the
// standard library alone. A Hook plugs into the client's hooks
// (conn.Options.Hooks) and reports every command, pipeline, transaction,
// dial and pool wait of every handle made with those options, following
// the OpenTelemetry semantic conventions for Redis clients (spans with
// db.system.name "redis", db.operation.name, db.namespace,
// server.address, server.port, error.type; the db.client.operation.duration
// histogram and the connection metrics):
//
//	hook, err := txredisotel.NewHook(
//		txredisotel.WithTracerProvider(tp),
//		txredisotel.WithMeterProvider(mp))
//	...
//	rc := lazy.ConnectionPool(pool.Options{Options: conn.Options{
//		Addr: "localhost:6379", Hooks: []conn.Hook{hook}}})
//	reg, err := hook.ObserveStats("cache", rc) // connection counts
//
// Commands attach to the caller's trace through a context view: the span
// of rc.WithContext(ctx).Get("k") is a child of the span in ctx.
//
// # Costs
//
// A Hook adds a span and one histogram measurement per command; see the
// package's benchmarks (BenchmarkHook) for the figures on a given machine.
// Spans that the sampler drops cost less; metrics are always recorded.
package txredisotel
