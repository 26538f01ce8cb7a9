// Package conn is one connection to a Redis server: dialing (TCP, unix
// socket, TLS), the handshake, the writer and reader goroutines with the
// FIFO of pending commands between them, timeouts, the reconnecting
// supervisor, and the typed command set every handle shares.
//
// Install the module with
//
//	go get github.com/txredis/txredis@latest
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
// # Defaults
//
// The zero Options connect to localhost:6379 (DefaultAddr), database 0,
// over RESP2, without password, client name or TLS, and use:
//
//   - ConnectTimeout 5s (DefaultConnectTimeout) for one dial with its
//     handshake; commands sent during a dial wait for it at most that;
//   - no ReplyTimeout: a reply may take as long as the server takes
//     (set one to detect a silent server; blocking commands get their
//     own timeout on top);
//   - reconnection on (NoReconnect false), with DefaultBackoff: the first
//     retry at once, then 50ms doubling up to 2s, with jitter;
//   - a 16 KiB read buffer, bulk replies up to 512 MiB (MaxBulk) and
//     aggregates up to proto.DefaultMaxElems elements (MaxElems).
//
// A pool adds PoolSize 10, MaxExclusive 100, LeaseTimeout equal to
// ConnectTimeout and ExtraIdleTimeout 10s (package pool); a cluster adds
// MaxRedirects 5 and RetryTimeout 5s (package cluster); a sharded ring
// places keys as txredisapi on Python 2 did (package shard).
//
// # Addresses and URLs
//
// Options.Addr is "host:port", a unix socket path ("/path",
// "unix:///path"), or a URL, accepted wherever an address is (pools,
// sharded address lists, cluster start addresses, subscribers):
//
//	redis://[[user]:password@]host[:port][/db][?option=value&...]
//	rediss://...   the same over TLS, verifying the server's name
//	unix://[[user]:password@]/path/to/socket[?db=N&...]
//
// ParseURL documents the options (db, protocol, client_name,
// connect_timeout, reply_timeout). A URL in Addr fills the Options fields
// left at zero; a field set to a different value than the URL's is a
// conflict, reported as an error matching ErrBadURL (see ApplyURL). A
// connection whose URL cannot be used fails at once and for good; no
// error, Addr or state event shows the URL's password.
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
// ScanSeq, SScanSeq, HScanSeq and ZScanSeq are iterators (iter.Seq2,
// for range-over-func) over SCAN, SSCAN, HSCAN and ZSCAN: page by page,
// holding no connection between pages, ended by their context, with
// errors as the second value. shard.Ring and cluster.Cluster have a
// ScanSeq of their own that visits every node.
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
// A quiet connection (one goroutine sending a command and waiting for it,
// again and again) skips the hand-offs: a command sent on an idle
// connection is written by the sending goroutine itself, and once Wait has
// found the only command in flight awaited a few times in a row, the
// reader goroutine stops reading while nothing is pending and Wait reads
// the reply on the waiting goroutine (as go-redis and rueidis do). One
// goroutine owns the socket's reads at any time; anything but a plain
// Wait (a callback, Done, Result, a second command in flight, a batch,
// client-side caching, a failure) hands them back to the reader
// goroutine, which also looks at a parked socket every watchdog tick, so
// a server closing a quiet connection is noticed within one.
//
// # Order
//
// On one Conn, commands are written and answered in the order they are
// sent, whether or not anyone waits for them: a GET sent right after an
// unawaited SET of the same key reads that SET's value, and the replies
// fire in send order. Goroutines sharing a Conn each keep their own
// order; how their commands interleave is not defined.
//
// A handle over several connections gives no order between commands that
// are neither awaited nor chained, since they may go to different
// connections: pool.Pool (any of its connections), shard.Ring over pools,
// cluster.Cluster (a redirection or a retry also resends a command after
// later ones), sentinel.Client with PoolSize > 1, and any handle's
// blocking commands, which go to a connection of their own. A Ring over
// single connections keeps the order of the commands that go to the same
// node. To order commands on any handle:
//
//   - chain them: send the next from the previous one's callback
//     (deferred.Chain, Then) or after waiting for it;
//   - send them as one Pipeline on a Conn, a pool or a Ring: one batch
//     on one connection (on a Ring, its keys must be on one node). A
//     Cluster sends a Pipeline's commands one by one, each to its slot's
//     node, so it does not order them;
//   - send them through a Lease (pool.Pool.Lease, cluster Node.Lease),
//     which is one connection; a transaction (Multi) is one too.
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
// # Contexts
//
// Commands take no context: they never block. A context view binds one:
// rc.WithContext(ctx) is the same command set whose commands carry ctx to
// the hooks and are cancelled when ctx ends (their Deferreds fail with an
// error matching ctx's, their replies are still read and dropped). It
// costs nothing for a context that cannot end, and for one that can, one
// registration on the context while commands are pending. Transactions
// and pipelines started from a view lease and report under its context.
//
// # Hooks
//
// Options.Hooks observe every command a connection sends (on any handle:
// pools, sharded, cluster and sentinel handles, transactions, pipelines
// and subscribers all send through connections made from the same
// Options), every explicit pipeline and transaction as a whole, every dial
// with its handshake, and every wait of a pool for a lease: a Hook's
// Start and End see the operation's context, name, command, the node
// that answered, its duration and its outcome. With no hook the cost is
// one nil check per command. The module
// github.com/txredis/txredis/otel/txredisotel builds OpenTelemetry
// tracing and metrics on them.
//
// # Stats
//
// Every handle reports its counters in one shape, Stats: connections
// held and open, replies pending, leases, waits, dials, failures,
// reconnects, and for clusters and subscribers their routing and delivery
// counters.
// # Client-side caching
//
// Cached returns a cached view of a connection (pool.Pool, shard.Ring
// and cluster.Cluster have the same method): its read methods (Get, MGet,
// HGet, HGetAll, HMGet, SMembers, SIsMember, ZRange, ZScore, Exists,
// StrLen and a few more) answer from the memory of the connection that
// serves the key, kept correct by the server's invalidations (CLIENT
// TRACKING). A hit fires the returned Deferred before the method
// returns. The first view that reads through a connection turns tracking
// on for it: over RESP3 on the connection itself (Options.Cache picks the
// default, BCAST or OPTIN mode and the memory bound), over RESP2 through
// a second connection that receives the invalidations (REDIRECT).
// Invalidations are applied on the reader goroutine before any later
// reply, so after a write is acknowledged and a round trip on the caching
// connection (Cached.Sync does one on each), no read returns the older
// value. A lost connection drops its cache before its pending commands
// fail.
//
// # Testing code that uses the client
//
// Package redistest gives a test an embedded server (NewServer, a
// miniredis per test) or a scripted fake (NewFake: expected commands and
// their replies, over net.Pipe or with no connection at all). Code
// written against Commands, which every handle embeds, takes either.
//
// # Writing a handle
//
// Users never need this section. A handle is a type that sends commands:
// it implements Sender (and BatchSender for pipelines and EXEC) and
// embeds the command set, NewCommands(itself). Package
// github.com/txredis/txredis/handle holds the helpers a handle writer
// calls (Request, Failed, identity, BadArgs, RefuseShared, MarkBlocking,
// Network, RedactAddr, WriteFormatted). What stays here is what a handle
// is made of or what reaches into a connection: Sender, BatchSender,
// Resolver, ResolverFunc, Leaser and StatsSource; the methods
// Conn.TryLease, Conn.Abort, Conn.SendNoReply, Lease.ObserveReplies and
// HookTarget; and, to report operations to Hooks, HookTarget, Hooked,
// StartOp and ActiveOp.
//
// # Concurrency
//
// A Conn is safe for concurrent use by many goroutines. Deferred
// callbacks of replies run on the connection's reader goroutine: they must
// not block, but they may send more commands (sending never blocks). (A
// step that another goroutine adds to a Deferred while a quiet Wait is
// reading its reply runs on the waiting goroutine, before any later reply
// is read, and a Wait there fails as on the reader; see Pipelining.)
//
// Never Wait in a callback: the reader goroutine would stop delivering
// replies, the awaited one included. On amd64 and arm64 such a Wait
// fails at once with deferred.ErrWaitOnDispatcher (and is reported to the
// deferred package's error handler) instead of hanging the connection; a
// callback that needs another reply returns its Deferred through
// deferred.Chain.
//
// Quit and Auth are methods of Conn, not of Commands: they change the
// connection they run on, which a pool or a sharded handle shares among
// callers.
package conn
