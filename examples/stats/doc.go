// Command stats exports the counters of a pool, a sharded ring and a
// subscriber with expvar: every handle reports its Stats in one shape
// (conn.Stats: connections, pending replies, leases, reconnects, pub/sub
// messages dropped...). It does some work, then prints the expvar JSON
// once, or with -http serves it at /debug/vars until interrupted:
//
//	go run ./examples/stats
//	go run ./examples/stats -http localhost:8080   # then GET /debug/vars
//
// It takes -addr (default: $REDIS_ADDR, else an embedded miniredis). On a
// real server it writes txredis:example:stats:hits and
// txredis:example:stats:key:0 to key:99 in database 0 (or the database a
// URL selects: -addr redis://localhost:6379/15), publishes on
// txredis:example:stats:events, and leaves the keys there. The
// OpenTelemetry module exports the same counters as metrics
// (txredisotel.Hook.ObserveStats; see examples/otel).
package main
