// Command quickstart is a tour of txredis, the Go port of txredisapi: a
// connection, a pool, a lazy connection, a sharded connection, a
// transaction and publish/subscribe, each in a few lines.
//
//	go run ./examples/quickstart [-addr host:port [-addr2 host:port]]
//
// Without -addr (or REDIS_ADDR) it starts an embedded miniredis, and a
// second one for the sharded connection. With -addr it runs on that
// server; the sharded connection needs a second server, given with
// -addr2, and is skipped without it.
//
// Every command returns a *deferred.Deferred: Wait blocks until it
// fires, as a Python inlineCallbacks function yields; callbacks added
// with Then, Catch and Chain run when it fires, as in Twisted. Callbacks
// run on the connection's reader goroutine: never Wait inside one (it
// fails with deferred.ErrWaitOnDispatcher rather than hang the
// connection); return the next Deferred with Chain instead.
package main
