package conn

import (
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/cmdinfo"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// Commands is the typed Redis command set. It is written once and
// embedded in every handle (Conn, pool.Pool, shard.Ring, txn.Tx, ...), so
// a program can switch between handle kinds without changing its logic.
// The zero value has no Sender and must not be used; build one with
// NewCommands.
type Commands struct {
	s Sender
}

// NewCommands returns the command set that sends through s.
func NewCommands(s Sender) Commands { return Commands{s: s} }

// Sender returns the handle the commands go through.
func (c Commands) Sender() Sender { return handleOf(c.s) }

// ErrBadArgs matches arguments rejected before anything is sent
// (txredisapi's InvalidData).
var ErrBadArgs = plumb.ErrBadArgs

// Do sends any command, given as its name followed by its arguments
// (string, []byte, integers, floats, bool), and fires with the raw reply.
// Server errors fail the Deferred with a *proto.Error.
//
// Do marks the key arguments of the commands it knows (the table of
// internal/cmdinfo, from the key specifications of Redis 7.0), so sharded
// and cluster handles route raw commands as they route typed ones, and
// flags blocking commands (BLPOP, XREAD BLOCK, WAIT, WAITAOF...) with
// their timeout. For a command the table lacks (HEXPIRE, a module's
// JSON.GET), sharded and cluster handles ask the server where its keys
// are (see package shard, Routing).
//
// Commands whose replies do not answer them one to one, or that change
// the connection under other callers (subscriber and monitor modes,
// CLIENT REPLY, MULTI, SELECT, AUTH...; see handle.RefuseShared), and an empty
// name, fail with ErrBadArgs before anything is sent.
func (c Commands) Do(args ...any) *deferred.Deferred[proto.Value] {
	if len(args) == 0 {
		return deferred.Fail[proto.Value](plumb.BadArgs("Do", "no command given"))
	}
	name, ok := args[0].(string)
	if !ok {
		if b, isBytes := args[0].([]byte); isBytes {
			name = string(b)
		} else {
			return deferred.Fail[proto.Value](plumb.BadArgs("Do", "command name must be a string, not %T", args[0]))
		}
	}
	cmd := proto.NewCmd(name)
	for _, a := range args[1:] {
		if err := cmd.Any(a); err != nil {
			return failed[proto.Value](cmd, plumb.BadArgs(name, "%v", err))
		}
	}
	if err := c.checkRaw(cmd); err != nil {
		return failed[proto.Value](cmd, err)
	}
	for _, k := range cmdinfo.Keys(cmd) {
		cmd.MarkKey(k)
	}
	plumb.MarkBlocking(cmd)
	return request(c.s, cmd, identity)
}

// DoCmd sends a prepared command and fires with the raw reply. It refuses
// what Do refuses.
func (c Commands) DoCmd(cmd *proto.Cmd) *deferred.Deferred[proto.Value] {
	if err := c.checkRaw(cmd); err != nil {
		return failed[proto.Value](cmd, err)
	}
	return request(c.s, cmd, identity)
}

// Ping sends PING and fires with the reply ("PONG").
func (c Commands) Ping() *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("PING"), proto.Value.AsString)
}

// checkRaw returns the error a raw command given to Do or DoCmd of c
// fails with before it is sent: an empty name, or, when c sends through
// an owned view that skips the check (a Conn's, a Tx's, a Pipeline's),
// directly or through context views, a command handle.RefuseShared
// refuses. Every other handle's Send refuses such commands itself, with
// its own error (a Ring's is an ErrNotSharded).
func (c Commands) checkRaw(cmd *proto.Cmd) error {
	if cmd.Name() == "" {
		return plumb.BadArgs("Do", "empty command name")
	}
	if skipsRefusal(c.s) {
		return plumb.RefuseShared(cmd)
	}
	return nil
}

// skipsRefusal reports whether s sends to an owned view, which does not
// check raw commands, directly or through context views, which pass
// commands on unchecked.
func skipsRefusal(s Sender) bool {
	for {
		switch v := s.(type) {
		case owned:
			return true
		case *view:
			s = v.s
		default:
			return false
		}
	}
}
