package handle

import (
	"fmt"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// typed is a Deferred that is also the Resolver of its command: one
// allocation per command.
type typed[T any] struct {
	d    deferred.Deferred[T]
	conv func(proto.Value) (T, error)
}

func (r *typed[T]) Resolve(v proto.Value, err error) {
	var t T
	switch {
	case err != nil:
	case v.IsError():
		err = v.Err()
	default:
		t, err = r.conv(v)
	}
	// A cancelled command's reply lands on a fired Deferred and is dropped.
	_ = r.d.Resolve(t, err)
}

// Request sends cmd through s and returns a Deferred that fires exactly
// once with the reply converted by conv. Server error replies fail the
// Deferred with a *proto.Error; conv sees only non-error values, and an
// error it returns fails the Deferred. s takes ownership of cmd.
func Request[T any](s conn.Sender, cmd *proto.Cmd, conv func(proto.Value) (T, error)) *deferred.Deferred[T] {
	r := &typed[T]{conv: conv}
	s.Send(cmd, r)
	return &r.d
}

// Failed returns a Deferred failed with err, releasing cmd (which may be
// nil): for commands rejected before anything is sent.
func Failed[T any](cmd *proto.Cmd, err error) *deferred.Deferred[T] {
	if cmd != nil {
		cmd.Release()
	}
	return deferred.Fail[T](err)
}

// Identity returns the reply value unchanged: Request's conversion for a
// raw reply, as conn.Commands.Do uses.
func Identity(v proto.Value) (proto.Value, error) { return v, nil }

// BadArgs returns an error matching conn.ErrBadArgs for the named
// command: "txredis: invalid arguments: COMMAND: reason".
func BadArgs(command, format string, a ...any) error {
	return plumb.BadArgs(command, format, a...)
}

// RefuseShared returns an error matching conn.ErrBadArgs when cmd, sent
// as it is through a handle, would break the matching of replies to
// commands or change the connection under the commands of other callers:
//
//   - subscriber and monitor modes (SUBSCRIBE and the five other
//     subscription commands, MONITOR), whose messages answer no command;
//   - CLIENT REPLY (OFF and SKIP silence replies), the replication
//     protocol (SYNC, PSYNC, REPLCONF) and SCRIPT DEBUG, whose replies do
//     not answer one command each;
//   - QUIT, which closes the connection (use Disconnect);
//   - identity, protocol and database (AUTH, HELLO with arguments, RESET,
//     SELECT), which a redial would silently undo (use conn.Options;
//     conn.Conn.Auth is the one call that logs in a live socket);
//   - transactions (MULTI, EXEC, DISCARD, WATCH, UNWATCH), which would
//     take other callers' commands into them (use Multi and Watch).
//
// Every handle of the module refuses them where raw commands come in —
// Do, DoCmd and Send on connections, leases, pipelines, transactions,
// pools, sharded and cluster handles — before anything is sent; a handle
// that takes raw commands should call it in its Send. It returns nil for
// every other command, most names after two loads and no comparison.
func RefuseShared(cmd *proto.Cmd) error { return plumb.RefuseShared(cmd) }

// MarkBlocking flags cmd as blocking when it is one of the commands that
// wait on the server (BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP, BZPOPMIN,
// BZPOPMAX, BZMPOP, XREAD/XREADGROUP with BLOCK, WAIT, WAITAOF), with the
// timeout found in its arguments. conn's typed methods and Do set it
// already; a handle that builds raw commands itself calls it.
func MarkBlocking(cmd *proto.Cmd) { plumb.MarkBlocking(cmd) }

// Network splits an address into the network and address net.Dial
// takes: "/path" and "unix:///path" are unix sockets, anything else is
// TCP. Resolve a URL first (conn.Options.ApplyURL).
func Network(addr string) (network, address string) { return plumb.Network(addr) }

// RedactAddr returns addr, which may be a Redis URL, with its password
// masked and its query dropped, for errors and printed forms; a plain
// address is returned as it is.
func RedactAddr(addr string) string { return plumb.RedactAddr(addr) }

// Redacted is what printed options show in place of a password.
const Redacted = "[redacted]"

// WriteFormatted writes s for any fmt verb: quoted for %q, as it is
// otherwise. A handle's Format method calls it with its String, so that
// no verb (%+v, %#v, %x...) falls back to printing its fields, options
// and password included.
func WriteFormatted(f fmt.State, verb rune, s string) { plumb.WriteFormatted(f, verb, s) }
