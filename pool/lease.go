package pool

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// kind is what a lease is for; it only feeds the counts in Stats and
// ExhaustedError.
type kind uint8

const (
	kindTx       kind = iota // Lease callers: transactions
	kindBlocking             // blocking commands sent through Send
)

// waiter is one request for a lease. grant is called exactly once, never
// with mu held: with a lease, or with the error that ended the request.
type waiter struct {
	kind    kind
	grant   func(*conn.Lease, error)
	since   time.Time
	queued  bool // in p.waiters; protected by p.mu
	done    bool // granted, failed or dropped; protected by p.mu
	timer   *time.Timer
	stopCtx func() bool
}

// finishLocked marks w done and stops its timers.
func (w *waiter) finishLocked() {
	w.done, w.queued = true, false
	if w.timer != nil {
		w.timer.Stop()
	}
	if w.stopCtx != nil {
		w.stopCtx()
	}
}

// extra is a dedicated connection dialled for a lease when the pooled
// connections cannot give one without starving ordinary commands.
type extra struct {
	c *conn.Conn
	// The fields below are protected by p.mu.
	leased    bool
	idleSince time.Time
	closed    bool
}

// outcome is what to do, once mu is released, about a lease request that
// was served: call grant with lease or err, or wait for dial to connect.
type outcome struct {
	w     *waiter
	lease *conn.Lease
	err   error
	dial  *extra
}

// Lease lends one connection for exclusive use (transactions: WATCH,
// MULTI, EXEC), as conn.Leaser. The pool lends a pooled connection while
// at least one other pooled connection stays free for ordinary commands,
// reuses an idle extra connection, or dials a new one. When MaxExclusive
// leases are held it waits, until ctx ends or LeaseTimeout passes, and
// then fails with an *ExhaustedError (errors.Is(err, ErrExhausted)).
// Cancelling the Deferred withdraws the request. The holder must Release
// the lease, leaving the connection as it found it (no open MULTI, no
// subscriptions): a pooled connection goes back to ordinary traffic.
func (p *Pool) Lease(ctx context.Context) *deferred.Deferred[*conn.Lease] {
	if err := ctx.Err(); err != nil {
		return deferred.Fail[*conn.Lease](err)
	}
	w := &waiter{kind: kindTx}
	d := deferred.New(func(*deferred.Deferred[*conn.Lease]) { p.dropWaiter(w) })
	w.grant = func(l *conn.Lease, err error) {
		if err != nil {
			_ = d.Errback(err)
			return
		}
		if d.Callback(l) != nil {
			l.Release() // cancelled meanwhile
		}
	}
	p.acquire(ctx, w)
	return d
}

// blockingReq sends a blocking command (or a batch holding one) on a
// lease and releases the lease when the last reply arrives.
type blockingReq struct {
	cmds  []*proto.Cmd
	rs    []conn.Resolver
	last  conn.Resolver
	lease *conn.Lease
}

func (p *Pool) sendExclusive(cmds []*proto.Cmd, rs []conn.Resolver) {
	b := &blockingReq{cmds: cmds, rs: rs}
	ctx := cmds[0].Context() // a context view's: its end ends the wait
	if ctx == nil {
		ctx = context.Background()
	}
	p.acquire(ctx, &waiter{kind: kindBlocking, grant: b.granted})
}

func (b *blockingReq) granted(l *conn.Lease, err error) {
	if err != nil {
		for i, cmd := range b.cmds {
			cmd.Release()
			b.rs[i].Resolve(proto.Value{}, err)
		}
		return
	}
	b.lease = l
	n := len(b.rs) - 1
	b.last, b.rs[n] = b.rs[n], b
	l.SendBatch(b.cmds, b.rs)
}

// Resolve releases the lease before passing the reply on, so that a
// callback sending the next blocking command can reuse the connection.
func (b *blockingReq) Resolve(v proto.Value, err error) {
	b.lease.Release()
	b.last.Resolve(v, err)
}

// acquire serves w now if it can, or queues it. A ctx that can end also
// ends the wait.
func (p *Pool) acquire(ctx context.Context, w *waiter) {
	if len(p.opts.Hooks) != 0 {
		p.observeLease(ctx, w)
	}
	p.mu.Lock()
	if p.closing {
		p.mu.Unlock()
		w.grant(nil, &conn.ConnectionError{Addr: p.opts.Addr, Op: "closed", Err: conn.ErrClosed})
		return
	}
	if p.leases >= p.opts.MaxExclusive {
		w.since = time.Now()
		w.queued = true
		p.waiters = append(p.waiters, w)
		w.timer = time.AfterFunc(p.opts.LeaseTimeout, func() { p.expire(w, nil) })
		if ctx.Done() != nil {
			w.stopCtx = context.AfterFunc(ctx, func() { p.expire(w, ctx.Err()) })
		}
		p.unlockAndFlush()
		return
	}
	o := p.takeLocked(w)
	p.unlockAndFlush()
	p.finish(o)
}

// expire fails w with an *ExhaustedError if it is still waiting.
func (p *Pool) expire(w *waiter, cause error) {
	p.mu.Lock()
	if w.done {
		p.mu.Unlock()
		return
	}
	p.removeWaiterLocked(w)
	w.finishLocked()
	err := &ExhaustedError{
		Waited:       time.Since(w.since),
		Leased:       p.leases - p.dialing,
		Blocking:     p.blocking,
		Transactions: p.txs,
		Dialing:      p.dialing,
		MaxExclusive: p.opts.MaxExclusive,
		Cause:        cause,
	}
	p.mu.Unlock()
	w.grant(nil, err)
}

// dropWaiter withdraws a cancelled Lease request.
func (p *Pool) dropWaiter(w *waiter) {
	p.mu.Lock()
	if w.queued {
		p.removeWaiterLocked(w)
		w.finishLocked()
	}
	p.mu.Unlock()
}

func (p *Pool) removeWaiterLocked(w *waiter) {
	for i, x := range p.waiters {
		if x == w {
			copy(p.waiters[i:], p.waiters[i+1:])
			p.waiters[len(p.waiters)-1] = nil
			p.waiters = p.waiters[:len(p.waiters)-1]
			return
		}
	}
}

// takeLocked takes a lease for w: on an idle extra connection, on a
// pooled connection if another stays free for ordinary commands, or on a
// new extra connection. The caller has checked leases < MaxExclusive.
func (p *Pool) takeLocked(w *waiter) outcome {
	w.done = true
	for len(p.idle) > 0 {
		e := p.idle[len(p.idle)-1]
		p.idle[len(p.idle)-1] = nil
		p.idle = p.idle[:len(p.idle)-1]
		if l, err := p.leaseExtraLocked(e, w.kind); err == nil {
			return outcome{w: w, lease: l}
		}
		p.closeExtraLocked(e)
	}
	if l := p.leasePooledLocked(w.kind); l != nil {
		return outcome{w: w, lease: l}
	}
	co := p.dialOpts
	co.NoReconnect = true
	co.OnState = p.extraHook()
	e := &extra{c: conn.New(co), leased: true}
	p.extras[e] = struct{}{}
	p.leases++
	p.dialing++
	return outcome{w: w, dial: e}
}

// leasePooledLocked leases the connected, unleased pooled connection with
// the fewest pending replies, if at least one other stays for ordinary
// commands; it returns nil otherwise.
func (p *Pool) leasePooledLocked(k kind) *conn.Lease {
	var skip []bool // connections that refused TryLease; allocated on the rare refusal
	for {
		var best *member
		free, bestPending := 0, 0
		for i, m := range p.members {
			if (skip != nil && skip[i]) || m.leased.Load() || m.c.State() != conn.StateConnected {
				continue
			}
			free++
			if pend := m.c.Pending(); best == nil || pend < bestPending {
				best, bestPending = m, pend
			}
		}
		if free < 2 {
			return nil
		}
		// Stop new Sends to best, wait out those already past the check,
		// then lease: the connection's own Send never sees ErrLeased. The
		// wait is bounded: a Send whose command failed at once may be
		// running a callback that waits for mu; that member is skipped.
		best.leased.Store(true)
		var l *conn.Lease
		err := errBusy
		for spin := 0; spin < maxSpin; spin++ {
			if best.inflight.Load() == 0 {
				l, err = best.c.TryLease(func(*conn.Lease) { p.releasePooled(best, k) })
				break
			}
			runtime.Gosched()
		}
		if err != nil {
			best.leased.Store(false)
			if skip == nil {
				skip = make([]bool, len(p.members))
			}
			for i, m := range p.members {
				if m == best {
					skip[i] = true
				}
			}
			continue
		}
		p.leases++
		p.count(k, 1)
		return l
	}
}

// maxSpin bounds the wait for Sends in progress on a connection being
// leased.
const maxSpin = 1000

var errBusy = errors.New("txredis/pool: connection busy")

func (p *Pool) leaseExtraLocked(e *extra, k kind) (*conn.Lease, error) {
	l, err := e.c.TryLease(func(l *conn.Lease) { p.releaseExtra(e, k, l) })
	if err != nil {
		return nil, err
	}
	e.leased = true
	p.leases++
	p.count(k, 1)
	return l, nil
}

func (p *Pool) count(k kind, n int) {
	if k == kindBlocking {
		p.blocking += n
	} else {
		p.txs += n
	}
}

// finish carries out o with mu released.
func (p *Pool) finish(o outcome) {
	if o.dial != nil {
		e, w := o.dial, o.w
		e.c.Ready().Observe(func(_ *conn.Conn, err error) { p.dialed(e, w, err) })
		return
	}
	o.w.grant(o.lease, o.err)
}

// dialed leases a freshly dialled extra connection to w, or fails w.
func (p *Pool) dialed(e *extra, w *waiter, err error) {
	p.mu.Lock()
	p.dialing--
	p.leases--
	var l *conn.Lease
	switch {
	case err != nil:
	case p.closing:
		err = &conn.ConnectionError{Addr: p.opts.Addr, Op: "closed", Err: conn.ErrClosed}
	default:
		l, err = p.leaseExtraLocked(e, w.kind)
	}
	var next []outcome
	if err != nil {
		p.closeExtraLocked(e)
		next = p.serveWaitersLocked()
	}
	p.unlockAndFlush()
	w.grant(l, err)
	for _, o := range next {
		p.finish(o)
	}
}

// releasePooled runs when a lease on a pooled connection ends: the
// connection takes ordinary commands again (if the lease broke it, its
// supervisor is already redialling).
func (p *Pool) releasePooled(m *member, k kind) {
	m.leased.Store(false)
	p.mu.Lock()
	p.leases--
	p.count(k, -1)
	next := p.serveWaitersLocked()
	p.unlockAndFlush()
	for _, o := range next {
		p.finish(o)
	}
}

// releaseExtra runs when a lease on an extra connection ends: a healthy
// connection is kept idle for ExtraIdleTimeout, a broken one is closed.
func (p *Pool) releaseExtra(e *extra, k kind, l *conn.Lease) {
	p.mu.Lock()
	p.leases--
	p.count(k, -1)
	e.leased = false
	if p.closing || p.opts.ExtraIdleTimeout < 0 || l.Broken() {
		p.closeExtraLocked(e)
	} else {
		e.idleSince = time.Now()
		p.idle = append(p.idle, e)
		p.armReaperLocked()
	}
	next := p.serveWaitersLocked()
	p.unlockAndFlush()
	for _, o := range next {
		p.finish(o)
	}
}

// serveWaitersLocked takes leases for queued waiters while leases are
// below MaxExclusive.
func (p *Pool) serveWaitersLocked() []outcome {
	var out []outcome
	for !p.closing && len(p.waiters) > 0 && p.leases < p.opts.MaxExclusive {
		w := p.waiters[0]
		p.waiters[0] = nil
		p.waiters = p.waiters[1:]
		w.finishLocked()
		out = append(out, p.takeLocked(w))
	}
	return out
}

// armReaperLocked schedules the closing of the oldest idle extra.
func (p *Pool) armReaperLocked() {
	if len(p.idle) == 0 || p.closing {
		return
	}
	d := time.Until(p.idle[0].idleSince.Add(p.opts.ExtraIdleTimeout))
	if p.reaper == nil {
		p.reaper = time.AfterFunc(d, p.reap)
	} else {
		p.reaper.Reset(d)
	}
}

// reap closes extra connections idle for ExtraIdleTimeout.
func (p *Pool) reap() {
	p.mu.Lock()
	if p.closing {
		p.mu.Unlock()
		return
	}
	cutoff := time.Now().Add(-p.opts.ExtraIdleTimeout)
	n := 0
	for n < len(p.idle) && !p.idle[n].idleSince.After(cutoff) {
		n++
	}
	old := append([]*extra(nil), p.idle[:n]...)
	p.idle = append(p.idle[:0], p.idle[n:]...)
	for _, e := range old {
		p.closeExtraLocked(e)
	}
	p.armReaperLocked()
	p.unlockAndFlush()
}

// closeExtraLocked marks e closed and queues its Disconnect.
func (p *Pool) closeExtraLocked(e *extra) {
	if e.closed {
		return
	}
	e.closed = true
	for i, x := range p.idle {
		if x == e {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			break
		}
	}
	p.closeQ = append(p.closeQ, e)
}

// unlockAndFlush releases mu and disconnects the extras queued by
// closeExtraLocked; each leaves p.extras once it has ended.
func (p *Pool) unlockAndFlush() {
	q := p.closeQ
	p.closeQ = nil
	p.mu.Unlock()
	for _, e := range q {
		e.c.Disconnect().Observe(func(struct{}, error) {
			p.mu.Lock()
			delete(p.extras, e)
			p.mu.Unlock()
		})
	}
}

// extraHook returns the OnState hook of an extra connection.
func (p *Pool) extraHook() func(conn.StateEvent) {
	user := p.opts.OnState
	return func(e conn.StateEvent) {
		switch e.State {
		case conn.StateConnecting:
			p.dials.Add(1)
		case conn.StateDisconnected:
			if e.Err != nil {
				p.failures.Add(1)
			}
		}
		if user != nil {
			user(e)
		}
	}
}
