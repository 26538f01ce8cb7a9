package conn

import (
	"bufio"
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// State is where a connection is in its life.
type State int32

// The states of a connection.
const (
	StateConnecting   State = iota // a dial is in flight; commands queue and wait for it
	StateConnected                 // commands are written and answered
	StateDisconnected              // down; commands fail at once until a redial succeeds
	StateClosed                    // Disconnect was called, or reconnecting gave up
)

func (s State) String() string {
	switch s {
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateDisconnected:
		return "disconnected"
	case StateClosed:
		return "closed"
	}
	return "unknown"
}

// StateEvent is reported to Options.OnState.
type StateEvent struct {
	Addr    string
	State   State
	Err     error // why the connection went down or a dial failed
	Attempt int   // reconnect attempt number, 0 for the first dial
}

// Conn is one connection to a Redis server: one writer goroutine, one
// reader goroutine, and one FIFO of pending commands between them. Every
// command pipelines: the writer never waits for a reply before writing
// the next command, and flushes whenever its queue drains.
//
// A Conn is safe for concurrent use. Sending a command never blocks on
// the network, so commands may be sent from Deferred callbacks running on
// the reader goroutine.
type Conn struct {
	Commands

	opts            Options // immutable after New
	addrErr         error   // immutable: why the Addr URL cannot be used (ErrBadURL)
	network, target string  // immutable
	epoch           time.Time

	// pendingCount is the number of commands sent and not yet answered:
	// those in q and in the reader's inbox. It is readable without mu.
	pendingCount atomic.Int64
	// inboxHead is the reply deadline of the oldest command in the
	// reader's inbox (0: none), or -1 when the inbox is empty; the reader
	// sets it, the watchdog reads it under mu.
	inboxHead atomic.Int64
	// draining is set while Disconnect waits for the replies in flight:
	// the reader closes drained when the last one arrives.
	draining atomic.Bool
	counts   connCounts // dials, failures, reconnects (stats.go)
	// pushes counts the values read that answer no command (pushes,
	// pub/sub messages): bytes that brought them are no sign that a reply
	// is on its way.
	pushes atomic.Uint64
	// clock is a coarse now (nanoseconds since epoch) for reply
	// deadlines, moved on by the watchdog every tick: reading the time
	// for every command would cost more than the rest of enqueueing it.
	// Deadlines from it are rounded up by a tick (watchdogTick).
	clock atomic.Int64

	mu sync.Mutex // protects the fields below
	// state is the current state; lastErr why it is not connected.
	// state changes only under mu, and is read without it by State,
	// which pools call for every command they route.
	state   stateCell
	lastErr error
	// w holds encoded commands the writer has not taken yet (see
	// write.go); every command in it has its entry in q.
	w wqueue
	q fifo
	// lastDeadline is the deadline of the newest pending command.
	lastDeadline int64
	// wakePending is set when the writer was signalled and has not yet
	// taken the queued chunks.
	wakePending bool
	// writing is set while one goroutine (the writer, or a sender doing a
	// direct write) holds chunks taken from the queue: writes to the
	// socket never overlap.
	writing bool
	// direct is the live socket's direct-write state (TCP and unix
	// sockets; nil for TLS and other net.Conns). Each socket has its own,
	// so a sender still writing to a socket that has since failed touches
	// nothing of its successor.
	direct *directWriter
	// nc, gen identify the live socket; gen grows with each dial so that
	// goroutines of an old socket cannot touch a new one.
	nc  net.Conn
	gen uint64
	// closing is set by Disconnect; drained is closed when the last
	// pending command is answered.
	closing bool
	drained chan struct{}
	// dialing fires when the dial in flight succeeds, or fails with its
	// error; nil when no dial is in flight.
	dialing *deferred.Deferred[struct{}]
	// leased is the Lease holding the connection, if any.
	leased *Lease
	// lastAttempt is when the latest dial started.
	lastAttempt time.Time

	wake        chan struct{}   // writer signal, capacity 1
	lost        chan uint64     // generation of a socket that failed, capacity 1
	kick        chan struct{}   // asks a waiting supervisor to redial now
	ctx         context.Context // cancelled by Disconnect
	cancel      context.CancelFunc
	closeCh     <-chan struct{} // ctx.Done()
	closeOnce   sync.Once
	disconnectD deferred.Deferred[struct{}]
	firstD      deferred.Deferred[*Conn] // fires on the first connect (eager constructor)

	// rx says who reads the socket (quiet.go); rxRd is the reader
	// goroutine's proto.Reader while it is parked.
	rx   uint8
	rxRd *proto.Reader
	// lone counts Waits in a row on the only command in flight.
	lone int

	// trk is the client-side cache and its tracking, installed by the
	// first cached view reading through the connection (tracking.go).
	trk atomic.Pointer[tracker]
	// rxWake hands a parked socket back to the reader goroutine
	// (capacity 1); wantDrive is set when a caller waited for the only
	// command in flight, so the reader parks when nothing is pending.
	rxWake    chan struct{}
	wantDrive atomic.Bool
	lazy      deferred.Lazy // drive and kickLazy, given to lazy Deferreds
}

// Addr returns the address the connection dials.
func (c *Conn) Addr() string { return c.opts.Addr }

// Options returns the options the connection was created with, with
// defaults filled in.
func (c *Conn) Options() Options { return c.opts }

// State returns the current state.
// It takes no lock: a pool asks it of its connections for every command
// it routes, and learns of a failure at once, before OnState reports it.
func (c *Conn) State() State { return c.state.load() }

// stateCell holds a State that is written under Conn.mu and read with or
// without it.
type stateCell struct{ v atomic.Int32 }

func (s *stateCell) load() State { return State(s.v.Load()) }

// storeLocked sets the state; the caller holds Conn.mu.
func (s *stateCell) storeLocked(st State) { s.v.Store(int32(st)) }

// Pending returns the number of commands sent and not yet answered.
func (c *Conn) Pending() int { return int(c.pendingCount.Load()) }

func (c *Conn) now() int64 { return int64(time.Since(c.epoch)) }

// send is Send without the refusal of raw commands; hooks see it.
func (c *Conn) send(cmd *proto.Cmd, r Resolver) {
	if len(c.opts.Hooks) != 0 {
		r = observe(c.HookTarget(), cmd, r, false)
	}
	c.mu.Lock()
	if err := c.acceptOwnLocked(); err != nil {
		c.mu.Unlock()
		cmd.Release()
		r.Resolve(proto.Value{}, err)
		return
	}
	idle := c.pendingCount.Load() == 0
	lazy := c.lazyLocked(r, idle)
	c.enqueueLocked(cmd, r)
	c.flushAndUnlock(idle)
	cmd.Release()
	if lazy != nil {
		lazy.markLazy(c)
	}
}

// sendBatch is SendBatch without the refusal of raw commands; hooks
// see it.
func (c *Conn) sendBatch(cmds []*proto.Cmd, rs []Resolver) {
	if len(c.opts.Hooks) != 0 {
		rs = observeAll(c.HookTarget(), cmds, rs)
	}
	c.mu.Lock()
	c.sendBatchLocked(c.acceptOwnLocked(), cmds, rs)
}

// sendBatchLocked, called with c.mu held, queues cmds as one unit and gets
// them on their way, or fails each with err when err is not nil. It
// releases c.mu and the commands.
func (c *Conn) sendBatchLocked(err error, cmds []*proto.Cmd, rs []Resolver) {
	if err != nil {
		c.mu.Unlock()
		for i, cmd := range cmds {
			cmd.Release()
			rs[i].Resolve(proto.Value{}, err)
		}
		return
	}
	idle := c.pendingCount.Load() == 0
	c.unparkLocked()
	for i, cmd := range cmds {
		c.enqueueLocked(cmd, rs[i])
	}
	c.flushAndUnlock(idle)
	for _, cmd := range cmds {
		cmd.Release()
	}
}

// SendNoReply writes cmd without waiting for a reply in the FIFO: for
// commands whose answers arrive as pushes (SUBSCRIBE and friends on a
// subscriber connection). It takes ownership of cmd. Only a connection
// with Options.PubSub takes it: on any other, a reply to cmd would be
// taken for the reply to the next command, and it fails with ErrBadArgs.
//
// For handle writers (see "Writing a handle" in the package documentation).
func (c *Conn) SendNoReply(cmd *proto.Cmd) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer cmd.Release()
	if !c.opts.PubSub {
		return plumb.BadArgs(cmd.Name(), "SendNoReply needs a connection with Options.PubSub; a reply to it would answer the next command")
	}
	if err := c.acceptLocked(); err != nil {
		return err
	}
	c.w.append(cmd)
	c.signalLocked()
	return nil
}

// acceptOwnLocked is acceptLocked for the connection's own handle, which
// must not interleave commands with a lease.
func (c *Conn) acceptOwnLocked() error {
	if c.leased != nil {
		return ErrLeased
	}
	return c.acceptLocked()
}

// acceptLocked returns the error a new command fails with, or nil when it
// can be queued (connected, or a dial in flight).
func (c *Conn) acceptLocked() error {
	switch {
	case c.closing || c.state.load() == StateClosed:
		if c.state.load() == StateClosed && !c.closing && c.lastErr != nil {
			return &ConnectionError{Addr: c.opts.Addr, Op: "not connected", Err: c.lastErr}
		}
		return &ConnectionError{Addr: c.opts.Addr, Op: "closed", Err: ErrClosed}
	case c.state.load() == StateDisconnected:
		c.kickLocked()
		err := c.lastErr
		if err == nil {
			err = ErrNotConnected
		}
		return &ConnectionError{Addr: c.opts.Addr, Op: "not connected", Err: err}
	}
	return nil
}

func (c *Conn) enqueueLocked(cmd *proto.Cmd, r Resolver) {
	if t := c.trk.Load(); t != nil {
		t.sendingLocked(cmd)
	}
	c.w.append(cmd)
	var timeout, dl int64
	if c.opts.ReplyTimeout > 0 {
		block, blocking := cmd.Blocking()
		switch {
		case !blocking:
			timeout = int64(c.opts.ReplyTimeout)
		case block > 0:
			timeout = int64(c.opts.ReplyTimeout + block)
		}
		// While a dial is in flight the deadline is set when the socket
		// is up (serve); a command queued now cannot be answered sooner.
		if c.state.load() == StateConnected {
			dl = nextDeadline(c.pendingCount.Load() > 0, c.lastDeadline, c.clock.Load()+int64(c.watchdogTick()), timeout)
			c.lastDeadline = dl
		}
	}
	c.q.push(pending{r: r, deadline: dl, timeout: timeout})
	c.pendingCount.Add(1)
}

// nextDeadline is the reply deadline of a command written at now with the
// given timeout (0: none), behind commands whose latest deadline is last
// when ahead is true: a reply cannot come before the replies ahead of it,
// so the deadline is never earlier than last, and none when last is none.
func nextDeadline(ahead bool, last, now, timeout int64) int64 {
	var dl int64
	if timeout != 0 {
		dl = now + timeout
	}
	if ahead && (last == 0 || (dl != 0 && last > dl)) {
		dl = last
	}
	return dl
}

// kickLocked asks a supervisor waiting out a backoff to redial now, at
// most once per minRedialInterval: demand shortens the backoff so a
// restarted server is found quickly.
func (c *Conn) kickLocked() {
	if time.Since(c.lastAttempt) < minRedialInterval {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// minRedialInterval spaces dials triggered by commands on a down
// connection.
const minRedialInterval = 100 * time.Millisecond

// readLoop owns reads on the socket of generation gen, through br. It
// takes pending commands from the FIFO a batch at a time (see inbox), so
// that a burst of replies costs one lock, not one per reply. It runs every
// callback of the socket's commands, so it marks itself a dispatcher: a
// Wait in a callback fails instead of hanging the connection.
func (c *Conn) readLoop(br *bufio.Reader, gen uint64) {
	defer deferred.MarkDispatcher()()
	var in inbox
	defer func() { c.failPending(gen, in.rest()) }()
	rd := proto.NewReader(br, c.opts.readerOptions())
	for {
		if in.empty() && c.wantDrive.Load() && c.pendingCount.Load() == 0 && !c.park(gen, br, rd) {
			return // the socket failed while parked (quiet.go)
		}
		v, err := rd.ReadValue()
		if err != nil {
			c.fail(gen, err)
			return
		}
		if c.isPush(v) {
			c.takePush(v)
			continue
		}
		p, ok := in.next()
		if !ok {
			c.mu.Lock()
			in.refill(&c.q)
			p, ok = in.next()
			c.inboxHead.Store(in.head())
			c.mu.Unlock()
		} else {
			c.inboxHead.Store(in.head())
		}
		if !ok {
			if c.opts.OnPush != nil {
				c.pushes.Add(1)
				c.opts.OnPush(v)
				continue
			}
			c.fail(gen, &proto.ProtocolError{Offset: rd.Offset(), Msg: "reply with no command pending: " + v.String()})
			return
		}
		if c.pendingCount.Add(-1) == 0 && c.draining.Load() {
			c.mu.Lock()
			c.closeDrainedLocked()
			c.mu.Unlock()
		}
		p.r.Resolve(v, nil)
	}
}

// takePush handles a value read that answers no command.
func (c *Conn) takePush(v proto.Value) {
	c.pushes.Add(1)
	if t := c.trk.Load(); t != nil {
		t.push(v) // invalidations apply before any later reply
	}
	// Pushes are never replies: without a handler they are dropped.
	if c.opts.OnPush != nil {
		c.opts.OnPush(v)
	}
}

// closeDrainedLocked tells a Disconnect waiting for the replies in flight
// that the last one has arrived.
func (c *Conn) closeDrainedLocked() {
	if c.drained != nil && c.pendingCount.Load() == 0 {
		close(c.drained)
		c.drained = nil
	}
}

var pubsubKinds = map[string]bool{
	"message": true, "pmessage": true, "smessage": true,
	"subscribe": true, "psubscribe": true, "ssubscribe": true,
	"unsubscribe": true, "punsubscribe": true, "sunsubscribe": true,
}

func (c *Conn) isPush(v proto.Value) bool {
	if v.Kind == proto.Push {
		return true
	}
	return c.opts.PubSub && v.Kind == proto.Array && len(v.Elems) > 0 &&
		v.Elems[0].Kind == proto.BulkString && pubsubKinds[v.Elems[0].Str]
}

// watchdog fails the connection when the oldest pending reply is overdue
// and the server sent nothing that could be a reply for ReplyTimeout: a
// reply that is streaming is late, not lost. A tick in which a push or a
// pub/sub message arrived proves nothing: the bytes may all be theirs
// while the server never got the commands.
func (c *Conn) watchdog(gen uint64, stop <-chan struct{}, rc *readCounter) {
	t := time.NewTicker(c.watchdogTick())
	defer t.Stop()
	reads, pushes, heard := rc.n.Load(), c.pushes.Load(), c.now()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		now := c.now()
		c.clock.Store(now)
		n, np := rc.n.Load(), c.pushes.Load()
		if n != reads && np == pushes {
			heard = now
		}
		reads, pushes = n, np
		c.mu.Lock()
		// The oldest command waiting for its reply is in the reader's
		// inbox, or else at the head of the FIFO.
		dl := c.inboxHead.Load()
		if dl < 0 {
			if p, ok := c.q.peek(); ok {
				dl = p.deadline
			} else {
				dl = 0
			}
		}
		overdue := c.gen == gen && dl != 0 && now > dl
		c.mu.Unlock()
		c.quietTick(gen)
		if overdue && now-heard >= int64(c.opts.ReplyTimeout) {
			c.fail(gen, &ConnectionError{Addr: c.opts.Addr, Op: "reply timeout",
				Err: &timeoutError{msg: "no reply within " + c.opts.ReplyTimeout.String(), cause: ErrTimeout}})
			return
		}
	}
}

// watchdogTick is how often the watchdog looks: an eighth of
// ReplyTimeout, at least 5ms. A silent server is found between
// ReplyTimeout and ReplyTimeout plus two ticks after the command (one
// for the coarse clock, one for the look).
func (c *Conn) watchdogTick() time.Duration {
	return max(c.opts.ReplyTimeout/8, 5*time.Millisecond)
}

// fail records the first fatal error of socket generation gen: it marks
// the connection down (new commands are refused from now on), drops the
// bytes not yet written, closes the socket, which ends the reader and the
// writer, and tells the supervisor. The commands still pending are failed
// with the error by the reader goroutine as it exits (failPending), so
// every callback of a live socket's commands runs on its reader
// goroutine, failures included. Later calls for the same generation do
// nothing.
func (c *Conn) fail(gen uint64, cause error) {
	c.mu.Lock()
	if c.gen != gen || c.nc == nil {
		c.mu.Unlock()
		return
	}
	nc := c.nc
	c.nc = nil
	var cerr *ConnectionError
	if !errors.As(cause, &cerr) {
		cerr = &ConnectionError{Addr: c.opts.Addr, Op: "lost connection", Err: cause}
	}
	c.lastErr = cerr
	if c.closing {
		c.state.storeLocked(StateClosed)
	} else {
		c.state.storeLocked(StateDisconnected)
	}
	c.w.drop()
	c.wakePending = false
	c.writing = false
	c.unparkLocked() // the reader goroutine ends and fails what is pending
	if t := c.trk.Load(); t != nil {
		t.lost() // under mu: before any pending command fails
	}
	c.mu.Unlock()
	_ = nc.Close()
	select {
	case c.lost <- gen:
	default:
	}
}

// failPending fails every command still pending on socket generation gen
// with the error that broke it: those in the reader's inbox, then those
// in the FIFO. The reader runs it as it exits; the
// supervisor waits for the reader before it dials again, so gen is still
// current here.
func (c *Conn) failPending(gen uint64, inbox []pending) {
	c.mu.Lock()
	c.inboxHead.Store(-1)
	var failed []pending
	if c.gen == gen {
		failed = c.takePendingLocked()
	}
	err := c.lastErr
	c.mu.Unlock()
	c.resolveAll(inbox, err)
	c.resolveAll(failed, err)
}

// takePendingLocked empties the FIFO and the write buffer.
func (c *Conn) takePendingLocked() []pending {
	failed := c.q.drain()
	c.pendingCount.Store(0)
	c.draining.Store(false)
	c.w.drop()
	c.wakePending = false
	c.writing = false
	c.lastDeadline = 0
	if c.drained != nil {
		close(c.drained)
		c.drained = nil
	}
	return failed
}

func (c *Conn) resolveAll(ps []pending, err error) {
	for _, p := range ps {
		p.r.Resolve(proto.Value{}, err)
	}
}
