package conn

import (
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// Resolver receives the reply to one command, exactly once: a value (which
// may be a server error reply) or a connection error. Resolve runs on the
// connection's reader goroutine (or on the sender's goroutine when the
// command fails before it is sent) and must not block.
type Resolver interface {
	Resolve(v proto.Value, err error)
}

// Sender is what every handle implements: connections, pools, shards,
// transactions, pipelines, clusters. Send takes ownership of cmd (it is
// released when no longer needed) and resolves r exactly once.
type Sender interface {
	Send(cmd *proto.Cmd, r Resolver)
}

// BatchSender is a Sender that can send several commands as one unit,
// in one write, with nothing interleaved (explicit pipelines, EXEC).
type BatchSender interface {
	Sender
	SendBatch(cmds []*proto.Cmd, rs []Resolver)
}

// ResolverFunc adapts a function to a Resolver.
type ResolverFunc func(v proto.Value, err error)

// Resolve calls f(v, err).
func (f ResolverFunc) Resolve(v proto.Value, err error) { f(v, err) }

// typed is a Deferred that is also the Resolver of its command:
// one allocation per command.
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

// request sends cmd through s and returns a Deferred that fires with the
// reply converted by conv. Server error replies fail the Deferred with a
// *proto.Error; conv sees only non-error values. (handle.Request is the
// same for handles of other packages.)
func request[T any](s Sender, cmd *proto.Cmd, conv func(proto.Value) (T, error)) *deferred.Deferred[T] {
	r := &typed[T]{conv: conv}
	s.Send(cmd, r)
	return &r.d
}

// failed returns a Deferred failed with err, releasing cmd: for commands
// rejected before anything is sent (bad arguments).
func failed[T any](cmd *proto.Cmd, err error) *deferred.Deferred[T] {
	if cmd != nil {
		cmd.Release()
	}
	return deferred.Fail[T](err)
}

// identity returns the reply value unchanged (Do's conversion).
func identity(v proto.Value) (proto.Value, error) { return v, nil }
