package pool

import (
	"context"

	"github.com/txredis/txredis/conn"
)

// HookTarget returns the pool's hooks, address and database (every
// connection of the pool reports its commands to the same hooks).
func (p *Pool) HookTarget() conn.HookTarget {
	return conn.HookTarget{Hooks: p.opts.Hooks, Addr: p.opts.Addr, DB: p.opts.DB}
}

// observeLease reports w's wait for a connection to the hooks as an
// OpLease, ended when w is granted a lease or fails.
func (p *Pool) observeLease(ctx context.Context, w *waiter) {
	a := conn.StartOp(ctx, p.opts.Hooks, conn.Op{Kind: conn.OpLease, Addr: p.opts.Addr, DB: p.opts.DB})
	grant := w.grant
	w.grant = func(l *conn.Lease, err error) {
		a.End(err)
		grant(l, err)
	}
}
