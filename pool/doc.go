// Package pool is N connections to one Redis server behind one handle
// (txredisapi's ConnectionPool and lazyConnectionPool), with exclusive
// leases for blocking commands and transactions that never starve
// ordinary commands.
//
// # Pools
//
// Connect returns a Deferred that fires with the *Pool once all PoolSize
// connections are up (default 10), or fails with the first dial's
// *conn.ConnectionError, leaving nothing running. New returns the *Pool at
// once and dials in the background; it is the core lazy.ConnectionPool
// builds on. Commands sent to a lazy pool before it has connected wait
// for the first dial, at most ConnectTimeout.
//
// A Pool embeds conn.Commands, so it has exactly the command set of a
// single *conn.Conn: a program switches between a connection and a pool
// without changing its logic. It implements conn.Sender,
// conn.BatchSender (a batch goes to one connection, in one write) and
// conn.Leaser.
//
// Each ordinary command goes to the first connected, unleased pooled
// connection, in pool order, with fewer than 256 replies pending, and to
// the least loaded one when all are that far behind. Concurrent callers'
// commands thus share one connection while it keeps up, and go out in a
// few large writes, as on a single connection, instead of one small write
// each on ten; the other connections serve leases and take over when the
// first is leased, down or far behind. The choice reads a few atomics per
// pooled connection: no lock, no allocation. Commands that are not
// awaited or chained have no guaranteed order on a pool (they may go to
// different connections): chain them, or send them as one Pipeline.
//
// # Leases and blocking commands
//
// A blocking command (BLPOP, BRPOP, BLMOVE, BZPOPMIN, XREAD BLOCK, WAIT,
// ... — any command whose proto.Cmd is marked Blocking; Do marks raw
// commands itself) would hold up every command queued behind it on its
// connection. The pool therefore sends it on a leased connection, released
// when its reply (or error) arrives. Lease lends a connection to a caller,
// for WATCH/MULTI/EXEC, until it calls Release. A leased connection
// carries nothing else.
//
// A lease takes, in order: an idle extra connection; a pooled connection,
// as long as another connected pooled connection stays free for ordinary
// commands; or a new extra connection, dialled with the pool's options
// (without reconnection); a lease asked for before any pooled connection
// is up therefore gets an extra connection. When a lease on a pooled connection ends, the
// connection goes back to ordinary traffic (if the lease broke it, its
// supervisor is already redialling). An extra connection whose lease ends
// is kept idle for ExtraIdleTimeout (default 10s) for the next lease, then
// closed; a broken one is closed at once. The pool cannot see what a
// holder sent: it must leave the connection clean (the transaction code
// sends DISCARD or UNWATCH before releasing).
//
// At most MaxExclusive leases (default 100) are held at once. Beyond that
// a lease waits, for LeaseTimeout (default ConnectTimeout) or until the
// Lease context ends, then fails with an *ExhaustedError that matches
// ErrExhausted and says what holds the connections ("12 leased: 10
// blocking commands, 2 transactions"). Ordinary commands never wait for a
// lease: at least one pooled connection is never leased.
//
// # Failures
//
// Each pooled connection has its own supervisor that redials it with
// backoff when it is lost. The pool sends to connected connections only;
// while none is connected but some are dialling, commands queue on a
// dialling one; when every connection is down, a command fails at once
// with a *conn.ConnectionError (an HTTP handler answers 503) and kicks the
// redial of a down connection, so the pool recovers as soon as the server
// is back. Stats counts dials, failures, open and leased connections.
// Options.OnState sees the state changes of every connection.
//
// # Concurrency
//
// A Pool is safe for concurrent use by many goroutines. Commands sent
// without waiting for each other may go to different connections and run
// in any order: to order two commands, send the second from the first's
// callback (or after waiting for it), or send them as one batch, which
// goes to one connection. Send never blocks,
// so commands may be sent from Deferred callbacks, which run on the
// reader goroutine of the connection that answered. A Lease's Deferred
// fires on the goroutine that freed or dialled the connection. Disconnect
// closes every connection, pooled and extra, after in-flight replies have
// arrived; the Deferred it returns fires once every goroutine of the pool
// has ended. It is idempotent.
package pool
