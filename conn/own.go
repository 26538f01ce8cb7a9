package conn

import (
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// Raw commands and typed ones. Commands that break the matching of
// replies or change a shared connection's state (handle.RefuseShared) are
// refused where raw commands come in: Do and DoCmd, and the Send and
// SendBatch methods of every handle. The typed methods of a handle's own
// command set build none of them, and Do and DoCmd check theirs, so the
// command set of a Conn, a Tx and a Pipeline sends through an owned view
// of the handle that skips the check: typed commands pay nothing for it.

// owned is the view a handle's own command set sends through.
type owned interface {
	Sender
	// handle returns the handle itself, whose Send checks raw commands.
	handle() Sender
}

// Send encodes cmd for the wire and arranges for r to be resolved exactly
// once: with the reply, or with a *ConnectionError. It takes ownership of
// cmd. It never blocks on the network. A command that would break reply
// matching or change the connection under other callers (see
// handle.RefuseShared) fails with ErrBadArgs before anything is sent, unless
// the connection is a dedicated one (Options.PubSub).
func (c *Conn) Send(cmd *proto.Cmd, r Resolver) {
	if err := c.refuse(cmd); err != nil {
		cmd.Release()
		r.Resolve(proto.Value{}, err)
		return
	}
	c.send(cmd, r)
}

// SendBatch sends all commands in order as one unit: no other command is
// interleaved between them and they reach the socket in a single write
// unless the batch is larger than what one write takes. rs[i] receives
// the reply to cmds[i]. It takes ownership of cmds. A batch holding a
// command Send refuses fails whole, with nothing sent.
func (c *Conn) SendBatch(cmds []*proto.Cmd, rs []Resolver) {
	if err := c.refuseBatch(cmds); err != nil {
		failBatch(cmds, rs, err)
		return
	}
	c.sendBatch(cmds, rs)
}

// refuse returns why Send refuses cmd, or nil. A PubSub connection is
// dedicated to the pubsub package, which handles those modes itself.
func (c *Conn) refuse(cmd *proto.Cmd) error {
	if c.opts.PubSub {
		return nil
	}
	return plumb.RefuseShared(cmd)
}

func (c *Conn) refuseBatch(cmds []*proto.Cmd) error {
	for _, cmd := range cmds {
		if err := c.refuse(cmd); err != nil {
			return err
		}
	}
	return nil
}

// refuseAll returns the first refusal handle.RefuseShared gives in cmds.
func refuseAll(cmds []*proto.Cmd) error {
	for _, cmd := range cmds {
		if err := plumb.RefuseShared(cmd); err != nil {
			return err
		}
	}
	return nil
}

// failBatch fails every command of a batch with err, releasing them.
func failBatch(cmds []*proto.Cmd, rs []Resolver, err error) {
	for i, cmd := range cmds {
		cmd.Release()
		rs[i].Resolve(proto.Value{}, err)
	}
}

// handleOf returns the handle behind s when s is an owned view, else s:
// what a lease, a hook target or a printed form must be asked of.
func handleOf(s Sender) Sender {
	if o, ok := s.(owned); ok {
		return o.handle()
	}
	return s
}

// ownConn is a Conn's own command set's way in.
type ownConn Conn

func (o *ownConn) Send(cmd *proto.Cmd, r Resolver)            { (*Conn)(o).send(cmd, r) }
func (o *ownConn) SendBatch(cmds []*proto.Cmd, rs []Resolver) { (*Conn)(o).sendBatch(cmds, rs) }
func (o *ownConn) handle() Sender                             { return (*Conn)(o) }

// ownTx is a Tx's own command set's way in.
type ownTx Tx

func (o *ownTx) Send(cmd *proto.Cmd, r Resolver)            { (*Tx)(o).send(cmd, r) }
func (o *ownTx) SendBatch(cmds []*proto.Cmd, rs []Resolver) { (*Tx)(o).sendBatch(cmds, rs) }
func (o *ownTx) handle() Sender                             { return (*Tx)(o) }

// ownPipeline is a Pipeline's own command set's way in.
type ownPipeline Pipeline

func (o *ownPipeline) Send(cmd *proto.Cmd, r Resolver) { (*Pipeline)(o).buffer(cmd, r) }
func (o *ownPipeline) SendBatch(cmds []*proto.Cmd, rs []Resolver) {
	(*Pipeline)(o).bufferBatch(cmds, rs)
}
func (o *ownPipeline) handle() Sender { return (*Pipeline)(o) }
