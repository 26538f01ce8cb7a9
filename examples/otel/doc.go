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
// Without -addr (or $REDIS_ADDR) it uses an embedded miniredis server. On
// a real server it writes txredis:example:otel:article:42,
// txredis:example:otel:article:42:views and txredis:example:otel:popular,
// in database 0 (or the database a URL selects:
// -addr redis://localhost:6379/15), and leaves them there.
package main
