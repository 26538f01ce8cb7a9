// Package txn holds Redis transactions (MULTI, EXEC, DISCARD, WATCH) and
// explicit pipelines, as txredisapi's multi(), watch(), commit(),
// discard(), pipeline() and execute_pipeline().
//
// The types are defined in package conn, because every handle offers
// them through the shared command set (rc.Multi, rc.Watch, rc.Pipeline);
// this package gives them their user-facing names (txn.Tx,
// txn.Pipeline, txn.ErrWatch, ...) and adds the optimistic-locking
// helper Watch.
//
// # Transactions
//
// rc.Multi() lends one connection from the handle for the transaction's
// exclusive use, sends MULTI on it and fires with a *Tx. Commands sent
// through the Tx are queued by the server; each returns its own typed
// Deferred, which fires at Commit with that command's result (not with
// "QUEUED"):
//
//	tx, _ := rc.Multi().Wait(ctx)
//	n := tx.Incr("visits")        // *Deferred[int64]
//	tx.Set("last", "now")
//	replies, err := tx.Commit().Wait(ctx) // EXEC: every reply, in order
//	// n has fired with the new counter
//
// Commit is txredisapi's commit (exec being reserved in Python). A
// command that fails inside EXEC (INCR on a string) fails only its own
// Deferred and is an error Value in Commit's slice. A command refused
// when queued (an unknown command) fails at once, and Commit then fails
// with the server's EXECABORT error (errors.Is(err, proto.ErrExecAbort)),
// as do the other queued commands. Discard sends DISCARD; the queued
// commands fail with ErrDiscarded.
//
// Every Tx must end with Commit or Discard: ending it hands its
// connection back clean (after EXEC or DISCARD there is nothing to
// reset; a Tx that only watched sends UNWATCH first; a broken connection
// is simply released and redialled by its owner). Using a Tx after it
// ended fails with ErrTxDone; nothing panics.
//
// # Which connection
//
// On a single *conn.Conn the transaction leases the Conn itself: while
// it lasts, commands through the Conn's own handle fail with
// conn.ErrLeased ("it will fail if it's not a connection pool", says
// txredisapi). On a pool the transaction leases one connection and
// ordinary commands on the pool keep running on the others, outside the
// transaction; two transactions never share a connection. Sharded
// handles refuse transactions, as txredisapi does; a Tx or a Pipeline
// cannot start one (ErrNoLease).
//
// # Optimistic locking
//
// rc.Watch(keys...) leases a connection and sends WATCH only: commands
// on the Tx run at once, so the current values can be read; tx.Multi()
// then starts the transaction on the same connection. When another
// client changed a watched key in between, EXEC does nothing and Commit
// fails with ErrWatch, as does every queued command. The function Watch
// of this package runs that loop and retries on ErrWatch, up to
// MaxAttempts times (DefaultMaxAttempts).
//
// # Pipelines
//
// Every connection pipelines by itself: commands are written without
// waiting for earlier replies. rc.Pipeline() is for sending a known group
// of commands as one unit: commands on the Pipeline are buffered (their
// Deferreds pending) until Execute sends them all, in one write when the
// handle can (a Conn, a pool), and fires with every reply after each
// command's own Deferred has fired. Server errors are per command. A
// Pipeline is for one use: Execute again, or a command after Execute,
// fails with ErrTxDone. A Pipeline over a Tx sends its commands into the
// transaction; its Execute fires at Commit.
//
// # Errors
//
//	ErrWatch            a watched key changed; nothing was run
//	proto.ErrExecAbort  a command was refused when queued; nothing was run
//	ErrDiscarded        the command's transaction was discarded
//	ErrTxDone           the Tx or Pipeline had already ended
//	ErrNotInMulti       Commit on a Tx from Watch before Multi
//	ErrNoLease          the handle cannot lend a connection
//	conn.ErrConnection  the connection was lost: the Tx fails as a whole
//
// # Concurrency
//
// A Tx and a Pipeline are safe for concurrent use. A command sent on a
// Tx concurrently with Commit is either part of the transaction or fails
// with ErrTxDone; none runs after EXEC. Deferred callbacks run on the
// connection's reader goroutine and must not block; they may send
// commands, including on the Tx.
package txn
