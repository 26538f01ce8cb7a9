// Package conn is one connection to a Redis server: dialing (TCP, unix
// socket, TLS), the handshake, the writer and reader goroutines with the
// FIFO of pending commands between them, timeouts, the reconnecting
// supervisor, and the typed command set every handle shares.
//
// # Connections
//
// Connect dials and returns a Deferred that fires with the *Conn once it
// is up (txredisapi's Connection); New returns the *Conn at once and dials
// in the background (txredisapi's lazyConnection, also reachable as
// lazy.Connection). Both share one core: a supervisor goroutine that
// dials, runs the handshake (HELLO 3 when Protocol is 3, AUTH, SELECT,
// CLIENT SETNAME), and redials with exponential backoff and jitter when
// the connection is lost.
//
// # Commands
//
// Commands is the typed command set of Redis 7.0, written once and
// embedded in every handle (Conn, pool.Pool, shard.Ring, txn.Tx,
// Pipeline, cluster.Cluster, sentinel.Client). Methods are named after
// the command (HGetAll, ZRangeByScore, XAdd) and fire with typed results:
// a nil reply to a single-value command fails with proto.ErrNil; arrays
// with holes (MGET, HMGET) use Nullable; commands with many options take
// a ...Args struct (SetWithArgs, ZAddWithArgs, XAdd); Do sends anything
// and fires with the raw proto.Value. Arguments that Redis would reject
// fail with ErrBadArgs before anything is sent. SELECT has no method: on
// a pool it would change one connection only; use Options.DB.
//
// Transactions (Multi, Watch) lease one connection for the Tx; on a single
// Conn the Conn's own handle then fails with ErrLeased until the Tx ends.
// Pipeline buffers commands and sends them in one write on Execute.
//
// # Pipelining
//
// Every command is encoded into the connection's write buffer and its
// Resolver appended to a FIFO under one lock, so the wire order and the
// FIFO order are the same. A writer goroutine writes whatever has
// accumulated whenever it is signalled, so concurrent callers are batched
// into few writes without timers; a reader goroutine resolves the FIFO in
// order as replies arrive.
//
// # Errors and faults
//
// The first fatal error of a socket (a read or write error, a malformed
// reply, a reply timeout) is sticky: the socket is closed, every pending
// command fails with a *ConnectionError, and the supervisor redials.
// While the connection is down new commands fail at once; while a dial is
// in flight they wait for it, at most ConnectTimeout. A cancelled
// command's reply is still read and dropped, so replies stay matched.
//
// # Concurrency
//
// A Conn is safe for concurrent use by many goroutines. Deferred
// callbacks of replies run on the connection's reader goroutine: they must
// not block, but they may send more commands (sending never blocks).
package conn
