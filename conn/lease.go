package conn

import (
	"context"
	"errors"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// ErrLeased matches commands sent through a connection's own handle while
// the connection is leased for exclusive use (a transaction on a single
// connection). Use a pool to run ordinary commands beside a transaction,
// as in txredisapi.
var ErrLeased = errors.New("txredis/conn: connection is leased for exclusive use (in a transaction); use a pool to run commands beside it")

// Leaser is implemented by handles that can lend one connection for
// exclusive use: a Conn lends itself, a pool leases one of its
// connections, a sharded handle refuses.
//
// For handle writers (see "Writing a handle" in the package documentation).
type Leaser interface {
	Lease(ctx context.Context) *deferred.Deferred[*Lease]
}

// Lease is exclusive use of one connection, for transactions and
// blocking commands. Commands go through the Lease (it is a
// BatchSender); nothing else is sent on the connection until Release.
// A Lease is bound to the socket it started on: if the connection is lost
// and redialled, commands on the Lease fail with a ConnectionError, so a
// transaction never continues on a fresh socket outside its MULTI.
type Lease struct {
	c         *Conn
	gen       uint64
	onRelease func(l *Lease)
	observe   func(proto.Value) // see ObserveReplies; set before first use
	released  bool              // protected by c.mu
}

// Conn returns the leased connection.
func (l *Lease) Conn() *Conn { return l.c }

// Broken reports whether the socket the lease started on is gone.
func (l *Lease) Broken() bool {
	l.c.mu.Lock()
	defer l.c.mu.Unlock()
	return l.c.gen != l.gen || l.c.state.load() != StateConnected
}

// Send sends cmd on the leased connection. A command handle.RefuseShared
// refuses fails with ErrBadArgs, as on the connection itself: a lease
// ends, and the connection must be as it was when it does.
func (l *Lease) Send(cmd *proto.Cmd, r Resolver) {
	l.SendBatch([]*proto.Cmd{cmd}, []Resolver{r})
}

// SendBatch sends cmds on the leased connection as one unit; a batch
// holding a command Send refuses fails whole.
func (l *Lease) SendBatch(cmds []*proto.Cmd, rs []Resolver) {
	if err := l.c.refuseBatch(cmds); err != nil {
		failBatch(cmds, rs, err)
		return
	}
	if len(l.c.opts.Hooks) != 0 {
		rs = observeAll(l.c.HookTarget(), cmds, rs)
	}
	l.sendBatch(cmds, rs)
}

// send is Send without the refusal of raw commands or reporting to
// hooks, for the Tx's own cleanup.
func (l *Lease) send(cmd *proto.Cmd, r Resolver) {
	l.sendBatch([]*proto.Cmd{cmd}, []Resolver{r})
}

// sendBatch is SendBatch without the refusal of raw commands or reporting
// to hooks, for a Tx, which checks and reports its commands itself.
func (l *Lease) sendBatch(cmds []*proto.Cmd, rs []Resolver) {
	c := l.c
	c.mu.Lock()
	err := c.acceptLocked()
	switch {
	case err != nil:
	case l.released:
		err = &ConnectionError{Addr: c.opts.Addr, Op: "lease released", Err: ErrClosed}
	case c.gen != l.gen || c.state.load() != StateConnected:
		err = &ConnectionError{Addr: c.opts.Addr, Op: "lost connection", Err: errors.New("the leased connection was lost")}
	case l.observe != nil:
		rs = observed(rs, l.observe)
	}
	c.sendBatchLocked(err, cmds, rs)
}

// breakConn fails the leased socket with cause, a malformed reply found
// by a resolver, as the reader does with malformed input: every command
// pending on it fails, and the connection is redialled. It returns the
// error they fail with.
func (l *Lease) breakConn(cause error) error {
	err := &ConnectionError{Addr: l.c.opts.Addr, Op: "lost connection", Err: cause}
	l.c.fail(l.gen, err)
	return err
}

// Release ends the lease; the connection takes ordinary commands again.
// It is idempotent.
func (l *Lease) Release() {
	c := l.c
	c.mu.Lock()
	if l.released {
		c.mu.Unlock()
		return
	}
	l.released = true
	if c.leased == l {
		c.leased = nil
	}
	c.mu.Unlock()
	if l.onRelease != nil {
		l.onRelease(l)
	}
}

// Lease lends the connection for exclusive use. While a dial is in
// flight it waits for it, as commands do (at most ConnectTimeout, or
// until ctx ends: then it fails with ctx.Err()). It
// fails with ErrLeased when the connection is already leased, and with a
// ConnectionError when it is down or the dial fails.
func (c *Conn) Lease(ctx context.Context) *deferred.Deferred[*Lease] {
	c.mu.Lock()
	dialing := c.dialing
	if c.state.load() != StateConnecting || c.closing {
		dialing = nil
	}
	c.mu.Unlock()
	if dialing == nil {
		return c.leaseNow()
	}
	// A Deferred of its own (not a step of dialing), so that cancelling
	// one Lease does not cancel the dial others wait for.
	d := new(deferred.Deferred[*Lease])
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { d.Errback(ctx.Err()) })
		d.Observe(func(*Lease, error) { stop() })
	}
	dialing.Observe(func(_ struct{}, err error) {
		if err != nil {
			d.Errback(err)
			return
		}
		l, err := c.TryLease(nil)
		if err != nil {
			d.Errback(err)
			return
		}
		if d.Callback(l) != nil {
			l.Release() // the Lease was cancelled meanwhile
		}
	})
	return d
}

func (c *Conn) leaseNow() *deferred.Deferred[*Lease] {
	l, err := c.TryLease(nil)
	if err != nil {
		return deferred.Fail[*Lease](err)
	}
	return deferred.Succeed(l)
}

// TryLease leases the connection if it is connected and not leased;
// onRelease, when not nil, runs after Release (pools use it to take the
// connection back).
//
// For handle writers (see "Writing a handle" in the package documentation).
func (c *Conn) TryLease(onRelease func(*Lease)) (*Lease, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.acceptLocked(); err != nil {
		return nil, err
	}
	if c.state.load() != StateConnected {
		return nil, &ConnectionError{Addr: c.opts.Addr, Op: "not connected", Err: ErrNotConnected}
	}
	if c.leased != nil {
		return nil, ErrLeased
	}
	l := &Lease{c: c, gen: c.gen, onRelease: onRelease}
	c.leased = l
	return l, nil
}

// Leased reports whether the connection is leased.
func (c *Conn) Leased() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.leased != nil
}
