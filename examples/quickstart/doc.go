// Command quickstart is a tour of txredis, the Go port of txredisapi: a
// connection, a pool, a lazy connection, a sharded connection, a
// transaction and publish/subscribe, each in a few lines.
//
//	go run ./examples/quickstart [-addr host:port [-addr2 host:port]]
//
// Flags:
//
//	-addr   the server of the tour: host:port, a unix socket path, or a
//	        URL (redis://localhost:6379/15 picks database 15). Default:
//	        $REDIS_ADDR, else an embedded miniredis.
//	-addr2  a second server, for the sharded connection only. Without
//	        -addr, a second embedded miniredis is started for it; with
//	        -addr and no -addr2 the sharded part is skipped.
//
// On real servers the tour writes only keys starting with
// txredis:example:quickstart: (foo, counter, hits, lazy, tx:a, tx:b, and
// key00..key09 spread over both servers), in database 0 or the database
// a URL selects, publishes on txredis:example:quickstart:channel, and
// leaves the keys there. The output names keys without the prefix.
//
// Every command returns a *deferred.Deferred: Wait blocks until it
// fires, as a Python inlineCallbacks function yields; callbacks added
// with Then, Catch and Chain run when it fires, as in Twisted. Callbacks
// run on the connection's reader goroutine: never Wait inside one (it
// fails with deferred.ErrWaitOnDispatcher rather than hang the
// connection); return the next Deferred with Chain instead.
package main
