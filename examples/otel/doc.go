// Command otel traces a small web request's Redis work with
// OpenTelemetry and prints the spans to stdout (the SDK's stdouttrace
// exporter), then the operation counts the metrics recorded and the
// pool's connection counts.
//
// It is a module of its own (the core module depends on the standard
// library alone); run it from its directory:
//
//	cd examples/otel && go run .
//	cd examples/otel && go run . -addr localhost:6379
//
// Without -addr (or $REDIS_ADDR) it uses an embedded miniredis server.
package main
