package conn

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// New returns a connection at once and dials in the background; this is
// the core both constructors share (txredisapi's lazyConnection). Commands
// sent before the first dial completes wait for it up to ConnectTimeout.
func New(opts Options) *Conn {
	return newConn(opts, false)
}

// Connect dials and fires the returned Deferred with the connection once
// it is up (txredisapi's Connection). If the first attempt fails the
// Deferred fails with a *ConnectionError and nothing is left running.
func Connect(opts Options) *deferred.Deferred[*Conn] {
	return &newConn(opts, true).firstD
}

// Ready returns a Deferred that fires with c once it is first connected
// (or fails if it is closed before, or, for Connect, if the first dial
// fails).
func (c *Conn) Ready() *deferred.Deferred[*Conn] { return &c.firstD }

func newConn(opts Options, eager bool) *Conn {
	opts, addrErr := opts.ApplyURL()
	opts = opts.withDefaults()
	c := &Conn{
		opts:   opts,
		epoch:  time.Now(),
		wake:   make(chan struct{}, 1),
		rxWake: make(chan struct{}, 1),
		lost:   make(chan uint64, 1),
		kick:   make(chan struct{}, 1),
		// The first dial is in flight from the start.
		dialing: new(deferred.Deferred[struct{}]),
	}
	c.state.storeLocked(StateConnecting) // before anyone else sees c
	c.inboxHead.Store(-1)
	c.lazy = deferred.Lazy{Drive: c.drive, Kick: c.kickLazy}
	c.addrErr = addrErr
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.closeCh = c.ctx.Done()
	c.network, c.target = plumb.Network(opts.Addr)
	c.Commands = NewCommands((*ownConn)(c))
	go c.supervise(eager)
	return c
}

// Disconnect stops reconnecting, lets replies already in flight arrive
// (waiting at most ReplyTimeout, or ConnectTimeout when that is zero),
// closes the socket and fires once every goroutine of the connection has
// ended. Commands sent afterwards fail with ErrClosed. It is idempotent:
// every call returns the same Deferred.
func (c *Conn) Disconnect() *deferred.Deferred[struct{}] {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closing = true
		c.mu.Unlock()
		c.cancel()
	})
	return &c.disconnectD
}

func (c *Conn) closed() bool {
	select {
	case <-c.closeCh:
		return true
	default:
		return false
	}
}

func (c *Conn) supervise(eager bool) {
	// attempt counts the dials since the connection last proved healthy:
	// it grows with every failed dial and every connection lost before
	// healthyAfter, so that a server that accepts and closes, or refuses
	// at maxclients, is not redialled in a hot loop.
	attempt := 0
	everConnected := false
	var wait time.Duration // before the next dial
	kickable := true       // a command on the down connection may cut the wait
	for redial := false; ; redial = true {
		if redial && !c.waitBackoff(wait, kickable) {
			break
		}
		c.mu.Lock()
		if c.closing {
			c.mu.Unlock()
			break
		}
		c.state.storeLocked(StateConnecting)
		c.lastAttempt = time.Now()
		if c.dialing == nil {
			c.dialing = new(deferred.Deferred[struct{}])
		}
		c.mu.Unlock()
		c.emit(StateEvent{State: StateConnecting, Attempt: attempt})

		nc, br, rc, err := c.observeDial(attempt, everConnected)
		if err != nil {
			permanent := isPermanent(err)
			// An Addr URL that cannot be used never will: the connection
			// closes for good instead of retrying it.
			stop := c.closed() || c.opts.NoReconnect || (eager && !everConnected) || c.addrErr != nil
			c.mu.Lock()
			c.lastErr = err
			c.state.storeLocked(StateDisconnected)
			if stop {
				c.state.storeLocked(StateClosed)
			}
			failed := c.takePendingLocked()
			dialing := c.dialing
			c.dialing = nil
			c.mu.Unlock()
			c.resolveAll(failed, err)
			dialing.Errback(err)
			c.emit(StateEvent{State: StateDisconnected, Err: err, Attempt: attempt})
			if eager && !everConnected {
				c.firstD.Errback(err)
			}
			if stop {
				break
			}
			attempt++
			wait, kickable = c.opts.Backoff(attempt), true
			if permanent {
				// Wrong credentials or configuration: retry slowly (the
				// server's ACL may be fixed), whatever the demand.
				wait, kickable = jitter(time.Duration(permanentRetry.Load())), false
			}
			continue
		}
		everConnected = true
		up := time.Now()
		c.serve(nc, br, rc)
		if c.closed() || c.opts.NoReconnect {
			break
		}
		if time.Since(up) >= healthyAfter {
			attempt = 0 // a healthy connection was lost: redial at once
		} else {
			attempt++
		}
		wait, kickable = c.opts.Backoff(attempt), true
	}
	c.shutdown()
}

// healthyAfter is how long a connection must stay up to prove the server
// healthy: one lost sooner does not reset the backoff.
const healthyAfter = time.Second

// permanentRetry is the wait before redialling after a credential or
// configuration error (see isPermanent); tests shorten it.
var permanentRetry atomic.Int64

func init() { permanentRetry.Store(int64(DefaultPermanentRetry)) }

// DefaultPermanentRetry is roughly how long a connection waits before
// dialling again after a handshake error that retrying cannot fix by
// itself (wrong password, unknown database): long enough not to load a
// server, short enough to find a fixed ACL. Commands do not hurry it.
const DefaultPermanentRetry = 30 * time.Second

// jitter returns a duration drawn uniformly from [d/2, d).
func jitter(d time.Duration) time.Duration {
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// serve runs the reader, writer and watchdog on a fresh socket until it
// fails or Disconnect is called, and waits for them.
func (c *Conn) serve(nc net.Conn, br *bufio.Reader, rc *readCounter) {
	c.mu.Lock()
	c.gen++
	gen := c.gen
	c.nc = nc
	c.direct = newDirectWriter(nc)
	c.inboxHead.Store(-1)
	c.writing = false
	c.rx, c.rxRd = rxReader, nil
	c.state.storeLocked(StateConnected)
	c.lastErr = nil
	// Reply deadlines of commands queued during the dial start now.
	now := c.now()
	c.clock.Store(now)
	c.lastDeadline = c.q.startDeadlines(now)
	dialing := c.dialing
	c.dialing = nil
	c.wakePending = false
	if !c.w.empty() {
		c.signalLocked()
	}
	c.mu.Unlock()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.writeLoop(nc, gen, stop) }()
	go func() { defer wg.Done(); c.readLoop(br, gen) }()
	if c.opts.ReplyTimeout > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); c.watchdog(gen, stop, rc) }()
	}
	dialing.Callback(struct{}{})
	c.emit(StateEvent{State: StateConnected})
	c.firstD.Callback(c)

	select {
	case <-c.lost:
	case <-c.closeCh:
		c.mu.Lock()
		c.unparkLocked() // replies owed to Deferreds nobody observes
		if c.pendingCount.Load() > 0 && c.nc != nil {
			c.drained = make(chan struct{})
			c.draining.Store(true)
			// The reader counts down without mu: if it reached zero
			// before it could see draining, it did not close drained.
			if c.pendingCount.Load() == 0 {
				close(c.drained)
				c.drained = nil
			}
		}
		drained := c.drained
		c.mu.Unlock()
		if drained != nil {
			wait := c.opts.ReplyTimeout
			if wait <= 0 {
				wait = c.opts.ConnectTimeout
			}
			t := time.NewTimer(wait)
			select {
			case <-drained:
			case <-c.lost:
			case <-t.C:
			}
			t.Stop()
		}
		c.fail(gen, &ConnectionError{Addr: c.opts.Addr, Op: "closed", Err: ErrClosed})
	}
	close(stop)
	wg.Wait()
	c.mu.Lock()
	err := c.lastErr
	c.mu.Unlock()
	if !c.closed() {
		c.emit(StateEvent{State: StateDisconnected, Err: err})
	}
}

// waitBackoff sleeps d before a redial; when kickable, a command arriving
// on the down connection cuts it short (at most once per
// minRedialInterval). It reports false when Disconnect was called.
func (c *Conn) waitBackoff(d time.Duration, kickable bool) bool {
	if d <= 0 {
		return !c.closed()
	}
	kick := c.kick
	if !kickable {
		kick = nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-kick:
		return true
	case <-c.closeCh:
		return false
	}
}

func (c *Conn) shutdown() {
	c.mu.Lock()
	c.state.storeLocked(StateClosed)
	err := c.lastErr
	failed := c.takePendingLocked()
	dialing := c.dialing
	c.dialing = nil
	c.mu.Unlock()
	closedErr := &ConnectionError{Addr: c.opts.Addr, Op: "closed", Err: ErrClosed}
	c.resolveAll(failed, closedErr)
	if dialing != nil {
		dialing.Errback(closedErr)
	}
	if err == nil {
		err = closedErr
	}
	c.firstD.Errback(err)
	c.emit(StateEvent{State: StateClosed, Err: err})
	c.closeTracking()
	c.disconnectD.Callback(struct{}{})
}

func (c *Conn) emit(e StateEvent) {
	e.Addr = c.opts.Addr
	c.counts.record(e)
	if c.opts.Logger != nil {
		level := slog.LevelInfo
		if e.Err != nil {
			level = slog.LevelWarn
		}
		c.opts.Logger.Log(context.Background(), level, "txredis: connection "+e.State.String(),
			"addr", e.Addr, "attempt", e.Attempt, "err", e.Err)
	}
	if c.opts.OnState != nil {
		c.opts.OnState(e)
	}
}

// keepAlive finds a peer that vanished from the network (a partition, a
// machine powered off) under a connection that has no reply deadline (a
// command blocking forever) in about 30s: 15s idle, then 3 probes 5s
// apart. The system default is two hours, Go's own 2.5 minutes.
var keepAlive = net.KeepAliveConfig{Enable: true, Idle: 15 * time.Second, Interval: 5 * time.Second, Count: 3}

// readCounter counts the reads that brought bytes from the socket, for
// the watchdog to tell a silent server from a slow reply.
type readCounter struct {
	r io.Reader
	n atomic.Uint64
}

func (rc *readCounter) Read(p []byte) (int, error) {
	n, err := rc.r.Read(p)
	if n > 0 {
		rc.n.Add(1)
	}
	return n, err
}

// dial opens a socket and runs the handshake within ConnectTimeout;
// parent is c.ctx, or the context of a dial reported to hooks.
func (c *Conn) dial(parent context.Context) (net.Conn, *bufio.Reader, *readCounter, error) {
	ctx, cancel := context.WithTimeout(parent, c.opts.ConnectTimeout)
	defer cancel()
	var nc net.Conn
	var err error
	if c.addrErr != nil {
		// A URL that cannot be used: a permanent failure (isPermanent).
		return nil, nil, nil, &ConnectionError{Addr: c.opts.Addr, Op: "bad address", Err: c.addrErr}
	}
	if c.opts.Dialer != nil {
		nc, err = c.opts.Dialer(ctx, c.network, c.target)
	} else {
		d := net.Dialer{KeepAliveConfig: keepAlive}
		nc, err = d.DialContext(ctx, c.network, c.target)
	}
	if err != nil {
		return nil, nil, nil, c.dialError("dial", "", err, ctx)
	}
	if c.opts.TLS != nil {
		cfg := c.opts.TLS.Clone()
		if cfg.ServerName == "" {
			if host, _, err := net.SplitHostPort(c.target); err == nil {
				cfg.ServerName = host
			}
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, nil, nil, c.dialError("tls handshake", "", err, ctx)
		}
		nc = tc
	}
	unblock := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Now()) })
	defer unblock()
	rc := &readCounter{r: nc}
	br := bufio.NewReaderSize(rc, c.opts.ReadBufferSize)
	if step, err := c.handshake(ctx, nc, br); err != nil {
		nc.Close()
		return nil, nil, nil, c.dialError("handshake", step, err, ctx)
	}
	if !unblock() {
		nc.Close()
		return nil, nil, nil, c.dialError("handshake", "", ctx.Err(), ctx)
	}
	_ = nc.SetDeadline(time.Time{})
	return nc, br, rc, nil
}

// dialError is the error of a failed dial: closed when Disconnect
// interrupted it (nothing else went wrong), a timeout when ConnectTimeout
// ran out, the cause otherwise.
func (c *Conn) dialError(op, step string, err error, ctx context.Context) error {
	if c.closed() {
		return &ConnectionError{Addr: c.opts.Addr, Op: "closed", Err: ErrClosed}
	}
	if ctx.Err() == context.DeadlineExceeded || errors.Is(err, context.DeadlineExceeded) || isNetTimeout(err) {
		err = &timeoutError{msg: "timed out after " + c.opts.ConnectTimeout.String(), cause: err}
	}
	return &ConnectionError{Addr: c.opts.Addr, Op: op, Step: step, Err: err}
}

func isNetTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// handshake sends HELLO/AUTH, SELECT, CLIENT SETNAME and READONLY (those
// the options ask for) in one write and
// checks each reply in order; it returns the step that failed.
func (c *Conn) handshake(ctx context.Context, nc net.Conn, br *bufio.Reader) (string, error) {
	o := c.opts
	var steps []string
	var buf []byte
	var obs handshakeOps // reports the steps to hooks
	add := func(step string, args ...string) {
		steps = append(steps, step)
		buf = proto.AppendCommand(buf, args...)
		obs.add(c, ctx, args)
	}
	named := false
	if o.Protocol == 3 {
		args := []string{"HELLO", "3"}
		if o.Password != "" {
			user := o.Username
			if user == "" {
				user = "default"
			}
			args = append(args, "AUTH", user, o.Password)
		}
		if o.ClientName != "" {
			args = append(args, "SETNAME", o.ClientName)
			named = true
		}
		add("HELLO", args...)
	} else if o.Password != "" {
		if o.Username != "" {
			add("AUTH", "AUTH", o.Username, o.Password)
		} else {
			add("AUTH", "AUTH", o.Password)
		}
	}
	if o.DB != 0 {
		add("SELECT", "SELECT", strconv.Itoa(o.DB))
	}
	if o.ClientName != "" && !named {
		add("CLIENT SETNAME", "CLIENT", "SETNAME", o.ClientName)
	}
	if o.ReadOnly {
		add("READONLY", "READONLY")
	}
	if len(steps) == 0 {
		return "", nil
	}
	if _, err := nc.Write(buf); err != nil {
		obs.endFrom(0, err)
		return steps[0], err
	}
	rd := proto.NewReader(br, o.readerOptions())
	var firstErr error
	failed := ""
	for i, step := range steps {
		v, err := rd.ReadValue()
		if err != nil {
			err = redactError(err, o.Password)
			obs.endFrom(i, err)
			return step, err
		}
		e := v.Err()
		if e != nil {
			e = redactError(e, o.Password)
		}
		obs.end(i, e)
		if e != nil && firstErr == nil {
			firstErr, failed = e, step
		}
	}
	return failed, firstErr
}

// isPermanent reports errors that retrying soon cannot fix: wrong
// credentials, missing permissions, a database that does not exist, a
// protocol or command the server does not have, an Addr URL that cannot
// be used. Every other error reply is transient — a server at
// maxclients, LOADING, BUSY, MASTERDOWN, TRYAGAIN, OOM — and is retried
// with the usual backoff.
func isPermanent(err error) bool {
	if errors.Is(err, ErrBadURL) {
		return true
	}
	var perr *proto.Error
	if !errors.As(err, &perr) {
		return false
	}
	switch perr.Prefix {
	case "WRONGPASS", "NOAUTH", "NOPERM", "NOPROTO":
		return true
	case "ERR":
		msg := strings.ToLower(perr.Msg)
		for _, config := range configErrors {
			if strings.Contains(msg, config) {
				return true
			}
		}
	}
	return false
}

// configErrors are the texts of ERR replies that say the options do not
// fit the server.
var configErrors = []string{
	"password",            // "invalid password", "no password is set", "without any password configured"
	"invalid username",    //
	"db index",            // "DB index is out of range", "invalid DB index"
	"unknown command",     // HELLO on Redis 5, READONLY renamed away
	"unknown subcommand",  //
	"wrong number of arg", // AUTH user pass on Redis 5
	"cluster support disabled",
}
