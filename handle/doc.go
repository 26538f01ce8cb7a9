// Package handle is for people writing a handle: a type that sends
// commands for package conn's command set (conn.NewCommands over a
// conn.Sender), as the module's own pool, shard, cluster, sentinel, txn
// and pubsub packages do — a router, a proxy, a test double. Code that
// only uses the client never needs it: what users call lives in conn
// (Options, ParseURL, the errors to test with errors.Is, ErrBadArgs
// among them) and in the handle packages.
//
// What it offers:
//
//   - Request, Failed and Identity build the typed Deferred of a command
//     sent through any Sender, as conn's typed methods do.
//   - BadArgs builds an error matching conn.ErrBadArgs.
//   - RefuseShared is the check every handle makes where raw commands
//     come in (Send, Do), refusing those whose replies would not answer
//     them one to one or that change the connection under other callers;
//     MarkBlocking flags a raw blocking command with its timeout, so that
//     a pool gives it a connection of its own.
//   - Network, RedactAddr, Redacted and WriteFormatted help a handle dial
//     an address and print itself without a password.
//
// Why here and not in conn: these functions serve the module's handle
// packages and third-party handles, not the users of a handle, and conn
// exported them only because its siblings needed them. They depend on
// nothing of conn's internals; their implementations live in an
// internal package that conn calls directly on its hot path (no extra
// call or allocation per command), and this package is their public
// face.
//
// What stays in conn: the types a handle is made of — Sender,
// BatchSender, Resolver, ResolverFunc, Leaser, Commands and NewCommands,
// StatsSource — and what reaches into a connection's internals: the
// methods Conn.Abort, Conn.TryLease, Conn.SendNoReply,
// Lease.ObserveReplies, the hook plumbing (HookTarget, Hooked, StartOp,
// ActiveOp). Moving those would take an exported bridge into conn's
// internals or type aliases that hide their documentation, for no gain to
// users: they are methods of conn's own types or the vocabulary of its
// Hook interface, and conn's documentation lists them under "Writing a
// handle".
//
// This package is new in the pre-1.0 series; see CHANGELOG.md for the
// names it took over from conn.
package handle
