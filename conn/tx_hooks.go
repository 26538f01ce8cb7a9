package conn

import (
	"context"

	"github.com/txredis/txredis/proto"
)

// txObs is what a Tx reports to hooks: the transaction, from MULTI to
// the reply to EXEC or DISCARD, and the commands queued in it. A Tx
// reports its commands itself, sending them on its lease unobserved, so
// that a queued command's OpCommand ends with its own result at EXEC
// rather than with QUEUED.
type txObs struct {
	op    ActiveOp        // the OpTransaction while in MULTI
	ctx   context.Context // the context of the commands inside op
	name  string          // the name of the queued commands, if all alike
	mixed bool            // the queued commands have several names
	size  int             // commands queued
}

// startOp reports the transaction to hooks as MULTI is sent.
func (tx *Tx) startOp() {
	t := tx.lease.c.HookTarget()
	if len(t.Hooks) == 0 {
		return
	}
	a := StartOp(tx.ctx, t.Hooks, Op{Kind: OpTransaction, Name: "MULTI", Addr: t.Addr, DB: t.DB})
	ctx := batchContext(a)
	tx.mu.Lock()
	tx.obs = txObs{op: a, ctx: ctx}
	tx.mu.Unlock()
}

// endOp ends the reported transaction, if any, with err.
func (tx *Tx) endOp(err error) {
	tx.mu.Lock()
	o := tx.obs
	tx.obs = txObs{}
	tx.mu.Unlock()
	if o.op.r == nil {
		return
	}
	o.op.r.op.Size = o.size
	if o.name != "" && !o.mixed {
		o.op.r.op.Name = "MULTI " + o.name
	}
	o.op.End(err)
}

// observe returns the Resolver that reports cmd to hooks before passing
// its outcome on to r (r itself when there are no hooks). Inside MULTI
// the command is part of the transaction: batched, under its context.
func (tx *Tx) observe(cmd *proto.Cmd, r Resolver) Resolver {
	t := tx.lease.c.HookTarget()
	if len(t.Hooks) == 0 {
		return r
	}
	tx.mu.Lock()
	batched := tx.obs.op.r != nil
	ctx := tx.ctx
	if batched {
		ctx = tx.obs.ctx
		switch name := cmd.Name(); name {
		case "MULTI", "EXEC", "DISCARD":
		default:
			tx.obs.size++
			if tx.obs.name == "" {
				tx.obs.name = name
			} else if tx.obs.name != name {
				tx.obs.mixed = true
			}
		}
	} else if c := cmd.Context(); c != nil {
		ctx = c
	}
	tx.mu.Unlock()
	cmd.SetContext(ctx)
	return observe(t, cmd, r, batched)
}

// sendOne sends one command on the lease without reporting it (the Tx
// has).
func (tx *Tx) sendOne(cmd *proto.Cmd, r Resolver) {
	tx.lease.sendBatch([]*proto.Cmd{cmd}, []Resolver{r})
}

// sendControl sends EXEC, DISCARD or UNWATCH, reported to hooks.
func (tx *Tx) sendControl(cmd *proto.Cmd, r Resolver) {
	tx.sendOne(cmd, tx.observe(cmd, r))
}

// HookTarget returns the hooks, address and database of the Tx's
// connection.
func (tx *Tx) HookTarget() HookTarget { return tx.lease.c.HookTarget() }
