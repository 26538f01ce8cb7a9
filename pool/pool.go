package pool

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/proto"
)

// Pool is PoolSize connections to one server behind one handle, with the
// same command set as a single connection (it embeds conn.Commands built
// over itself). Ordinary commands go to the first live, unleased pooled
// connection that is not far behind (see Send); blocking commands and
// Lease callers get a connection of their own. A Pool is safe for
// concurrent use.
type Pool struct {
	conn.Commands

	opts    Options   // immutable after New, defaults filled in
	members []*member // pooled connections; the slice is immutable after New
	eager   bool      // Connect: a failed first dial fails Ready and closes the pool

	// dialOpts are the options every connection is made with (opts.Options,
	// or the URL as given when it cannot be used); immutable.
	dialOpts conn.Options

	dials      atomic.Uint64
	failures   atomic.Uint64
	reconnects atomic.Uint64
	up         atomic.Int32 // pooled connections that have connected at least once
	down       atomic.Uint32
	failed     atomic.Bool // an eager pool's first dial failed

	readyD      deferred.Deferred[*Pool]
	disconnectD deferred.Deferred[struct{}]
	closeOnce   sync.Once

	mu sync.Mutex // protects the fields below
	// closing is set by Disconnect.
	closing bool
	// firstErr is the first-dial error that closed an eager pool.
	firstErr error
	// leases counts leases held plus extra connections being dialled for
	// one; blocking, txs and dialing break it down.
	leases, blocking, txs, dialing int
	// waiters queue for a lease while leases >= MaxExclusive, oldest first.
	waiters []*waiter
	// extras are the extra connections not yet known to be closed; idle
	// those among them waiting for a lease, oldest first.
	extras map[*extra]struct{}
	idle   []*extra
	reaper *time.Timer
	// closeQ holds extras to disconnect once mu is released.
	closeQ []*extra
}

// member is one pooled connection. Picking one reads c.State, which
// takes no lock and changes the moment the connection fails (its OnState
// hook reports the failure only once the failed commands' callbacks
// have run).
type member struct {
	c        *conn.Conn
	leased   atomic.Bool  // set by the pool before TryLease, cleared after Release
	inflight atomic.Int32 // Sends in progress that saw leased == false
	everUp   atomic.Bool
	nextKick atomic.Int64 // unix nanoseconds before which kick does nothing
	_        [32]byte     // keep members' hot fields on separate cache lines
}

// New returns a pool at once and dials its PoolSize connections in the
// background (txredisapi's lazyConnectionPool; the core lazy.ConnectionPool
// uses). Commands sent before any connection is up wait for the first
// dial, at most ConnectTimeout. Ready fires once every connection is up.
func New(opts Options) *Pool {
	return newPool(opts, false)
}

// Connect returns a Deferred that fires with the pool once all PoolSize
// connections are up (txredisapi's ConnectionPool). If a first dial fails,
// the pool is disconnected and the Deferred fails with that
// *conn.ConnectionError once nothing of the pool is running.
func Connect(opts Options) *deferred.Deferred[*Pool] {
	return &newPool(opts, true).readyD
}

func newPool(opts Options, eager bool) *Pool {
	// A URL in Addr is applied once, before the defaults (which it could
	// otherwise contradict). If it cannot be used, every connection is
	// made with it as given and fails with its error, as a lone
	// connection would; the pool's own Addr has the password masked.
	raw := opts.Options
	co, urlErr := opts.Options.ApplyURL()
	opts.Options = co
	opts = opts.withDefaults()
	p := &Pool{opts: opts, dialOpts: opts.Options, eager: eager, extras: make(map[*extra]struct{})}
	if urlErr != nil {
		p.dialOpts = raw
	}
	p.Commands = conn.NewCommands(p)
	p.members = make([]*member, opts.PoolSize)
	// Hold mu while building so that a first-dial failure, which
	// disconnects the pool from a supervisor goroutine, sees every member.
	p.mu.Lock()
	for i := range p.members {
		m := &member{}
		co := p.dialOpts
		co.OnState = p.pooledHook(m)
		m.c = conn.New(co)
		p.members[i] = m
	}
	p.mu.Unlock()
	return p
}

// pooledHook returns the OnState hook of a pooled connection.
func (p *Pool) pooledHook(m *member) func(conn.StateEvent) {
	user := p.opts.OnState
	return func(e conn.StateEvent) {
		switch e.State {
		case conn.StateConnecting:
			p.dials.Add(1)
		case conn.StateConnected:
			if !m.everUp.CompareAndSwap(false, true) {
				p.reconnects.Add(1)
			} else if int(p.up.Add(1)) == len(p.members) && !p.failed.Load() {
				_ = p.readyD.Callback(p)
			}
		case conn.StateDisconnected:
			if e.Err != nil {
				p.failures.Add(1)
				if p.eager && !m.everUp.Load() {
					p.failFirst(e.Err)
				}
			}
		}
		if user != nil {
			user(e)
		}
	}
}

// failFirst closes an eager pool whose first dial failed; Ready fails
// with err once the pool is down.
func (p *Pool) failFirst(err error) {
	p.failed.Store(true)
	p.mu.Lock()
	if p.firstErr == nil && !p.closing {
		p.firstErr = err
	}
	p.mu.Unlock()
	p.Disconnect()
}

// Ready returns a Deferred that fires with p once all PoolSize
// connections have connected (for Connect, the Deferred it returned). It
// fails if the pool is disconnected before.
func (p *Pool) Ready() *deferred.Deferred[*Pool] { return &p.readyD }

// Addr returns the server address.
func (p *Pool) Addr() string { return p.opts.Addr }

// Options returns the pool's options with defaults filled in.
func (p *Pool) Options() Options { return p.opts }

// Send sends cmd on the first live, unleased pooled connection with fewer
// than 256 replies pending (else the one with the fewest), or, for a
// blocking command (cmd.Blocking()), on a
// leased connection released when the reply arrives. It takes ownership
// of cmd and resolves r exactly once. It never blocks. Commands that
// change the state of their connection (MULTI, SELECT, SUBSCRIBE...; see
// handle.RefuseShared) fail with conn.ErrBadArgs: use Multi, Watch,
// Options and the pubsub package.
func (p *Pool) Send(cmd *proto.Cmd, r conn.Resolver) {
	if err := handle.RefuseShared(cmd); err != nil {
		cmd.Release()
		r.Resolve(proto.Value{}, err)
		return
	}
	if _, blocking := cmd.Blocking(); blocking {
		p.sendExclusive([]*proto.Cmd{cmd}, []conn.Resolver{r})
		return
	}
	if m := p.pickShared(); m != nil {
		m.c.Send(cmd, r)
		m.inflight.Add(-1)
		return
	}
	cmd.Release()
	r.Resolve(proto.Value{}, errAllLeased(p.opts.Addr))
}

// pickShared returns an unleased member with its in-flight count raised (the
// caller lowers it once it has sent), or nil when every pick was leased.
func (p *Pool) pickShared() *member {
	for range len(p.members) + 1 {
		m := p.pick()
		m.inflight.Add(1)
		if !m.leased.Load() {
			return m
		}
		m.inflight.Add(-1)
	}
	return nil
}

// SendBatch sends cmds as one unit on one connection, chosen as for Send.
// A batch holding a blocking command goes to a leased connection, released
// when the reply to the last command arrives; a batch holding a command
// that changes its connection's state fails whole, as in Send.
func (p *Pool) SendBatch(cmds []*proto.Cmd, rs []conn.Resolver) {
	blocking := false
	for _, cmd := range cmds {
		if err := handle.RefuseShared(cmd); err != nil {
			for i, cmd := range cmds {
				cmd.Release()
				rs[i].Resolve(proto.Value{}, err)
			}
			return
		}
		if _, b := cmd.Blocking(); b {
			blocking = true
		}
	}
	if blocking {
		p.sendExclusive(cmds, rs)
		return
	}
	if m := p.pickShared(); m != nil {
		m.c.SendBatch(cmds, rs)
		m.inflight.Add(-1)
		return
	}
	err := errAllLeased(p.opts.Addr)
	for i, cmd := range cmds {
		cmd.Release()
		rs[i].Resolve(proto.Value{}, err)
	}
}

func errAllLeased(addr string) error {
	return &conn.ConnectionError{Addr: addr, Op: "not connected", Err: conn.ErrLeased}
}

// spillAt is the number of pending replies from which pick looks past a
// connection for a less loaded one.
const spillAt = 256

// pick returns the unleased pooled connection to send on: the first
// connected one, in pool order, with fewer than spillAt pending replies,
// or else the connected one with the fewest; else a connecting one (the
// command waits for its dial); else a down one, in turn, so the command
// fails at once and kicks that connection's redial. It takes no lock and
// does not allocate.
//
// Filling connections in order, rather than spreading every command over
// the least loaded, keeps concurrent callers' commands together: one
// connection carrying them all writes them in a few large batches, where
// ten would each write small ones (a syscall per command or two). The
// next connection takes over only when the first falls far behind, or
// is leased or down.
func (p *Pool) pick() *member {
	ms := p.members
	var first, best, connecting, down *member
	bestPending, connPending := 0, 0
	for _, m := range ms {
		if m.leased.Load() {
			continue
		}
		switch m.c.State() {
		case conn.StateConnected:
			pend := m.c.Pending()
			if first == nil && pend < spillAt {
				first = m
			}
			if best == nil || pend < bestPending {
				best, bestPending = m, pend
			}
		case conn.StateConnecting:
			if pend := m.c.Pending(); connecting == nil || pend < connPending {
				connecting, connPending = m, pend
			}
		case conn.StateDisconnected:
			down = m
		}
	}
	if first != nil {
		best = first
	}
	if best != nil {
		if down != nil {
			p.kick(down)
		}
		return best
	}
	if connecting != nil {
		return connecting
	}
	// Every unleased connection is down: rotate so each one's redial is
	// kicked in turn.
	n := len(ms)
	k := int(p.down.Add(1))
	for i := 0; i < n; i++ {
		m := ms[(k+i)%n]
		if !m.leased.Load() {
			return m
		}
	}
	return ms[k%n]
}

// kickInterval spaces the redials the pool asks of a down connection
// while others carry the traffic.
const kickInterval = int64(100 * time.Millisecond)

// discard is the Resolver of the pool's kicks.
var discard = conn.ResolverFunc(func(proto.Value, error) {})

// kick asks a down pooled connection, at most once per kickInterval, to
// redial now instead of waiting out its backoff: while other connections
// carry the traffic, no command fails on it to do so. The kick is a PING
// that fails at once on the down connection (or, if it has just come back,
// is answered and dropped).
func (p *Pool) kick(m *member) {
	now := time.Now().UnixNano()
	next := m.nextKick.Load()
	if now < next || !m.nextKick.CompareAndSwap(next, now+kickInterval) {
		return
	}
	m.c.Send(proto.NewCmd("PING"), discard)
}

// Disconnect closes every connection, pooled and extra, after letting
// replies already in flight arrive; waiting leases fail with
// conn.ErrClosed and later commands fail at once. The Deferred fires once
// every connection of the pool has ended. It is idempotent: every call
// returns the same Deferred.
func (p *Pool) Disconnect() *deferred.Deferred[struct{}] {
	p.closeOnce.Do(p.disconnect)
	return &p.disconnectD
}

func (p *Pool) disconnect() {
	p.mu.Lock()
	p.closing = true
	waiters := p.waiters
	p.waiters = nil
	for _, w := range waiters {
		w.finishLocked()
	}
	if p.reaper != nil {
		p.reaper.Stop()
	}
	extras := make([]*conn.Conn, 0, len(p.extras))
	for e := range p.extras {
		p.closeExtraLocked(e)
		extras = append(extras, e.c)
	}
	p.unlockAndFlush()

	closedErr := &conn.ConnectionError{Addr: p.opts.Addr, Op: "closed", Err: conn.ErrClosed}
	for _, w := range waiters {
		w.grant(nil, closedErr)
	}
	ds := make([]*deferred.Deferred[struct{}], 0, len(p.members)+len(extras))
	for _, m := range p.members {
		ds = append(ds, m.c.Disconnect())
	}
	for _, c := range extras {
		ds = append(ds, c.Disconnect())
	}
	deferred.All(ds...).Observe(func([]struct{}, error) {
		p.mu.Lock()
		err := p.firstErr
		p.mu.Unlock()
		if err == nil {
			err = closedErr
		}
		_ = p.readyD.Errback(err)
		_ = p.disconnectD.Callback(struct{}{})
	})
}

// Stats returns a snapshot of the pool's counters: connections pooled
// and extra, leases, waits, replies pending, dials, failures and
// reconnects.
func (p *Pool) Stats() Stats {
	s := Stats{PoolSize: len(p.members), Dials: p.dials.Load(), Failures: p.failures.Load(), Reconnects: p.reconnects.Load()}
	for _, m := range p.members {
		if m.c.State() == conn.StateConnected {
			s.Open++
		}
		s.Pending += m.c.Pending()
	}
	p.mu.Lock()
	s.Leased = p.leases - p.dialing
	s.Blocking, s.Transactions = p.blocking, p.txs
	s.Waiting = len(p.waiters)
	extras := make([]*conn.Conn, 0, len(p.extras))
	for e := range p.extras {
		if !e.closed {
			extras = append(extras, e.c)
		}
	}
	s.Extra = len(extras)
	s.Conns = len(p.members) + s.Extra
	p.mu.Unlock()
	for _, c := range extras {
		if c.State() == conn.StateConnected {
			s.Open++
		}
		s.Pending += c.Pending()
	}
	return s
}
