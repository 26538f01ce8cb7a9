package pubsub

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
)

// Subscriber is a dedicated subscriber connection (txredisapi's
// SubscriberProtocol): it subscribes to channels, patterns and shard
// channels, delivers their messages through a bounded buffer to a Handler
// or a Go channel, and resubscribes by itself after a lost connection.
//
// Commands that are invalid on a subscribed connection are not offered.
// Publish through any other handle. A Subscriber is safe for concurrent
// use.
type Subscriber struct {
	opts Options // immutable, with defaults
	h    Handler // nil with channel delivery

	buf  *buffer[Message]
	out  chan Message  // channel delivery; closed when delivery ends
	stop chan struct{} // closed by Disconnect

	keepaliveDone chan struct{}
	pinging       atomic.Bool
	reconnects    atomic.Uint64
	closeOnce     sync.Once
	disconnectD   deferred.Deferred[struct{}]

	mu sync.Mutex // protects the fields below
	// c is the connection; set once, before any request can be sent.
	c *conn.Conn
	// state mirrors the connection's state as last reported by OnState:
	// Connecting queues requests, Connected sends them, Disconnected and
	// Closed fail them.
	state   conn.State
	downErr error
	closing bool
	// everConnected tells a reconnect from the first connect.
	everConnected bool
	// tracked holds what the server confirmed, per family: subscribe
	// confirmations add, unsubscribe confirmations remove. It survives a
	// lost connection and is what is resubscribed.
	tracked [numFamilies]map[string]struct{}
	// wire holds what the server will hold once it has processed every
	// request written on the current socket; an unsubscribe of everything
	// expects one confirmation per entry.
	wire [numFamilies]map[string]struct{}
	// pend holds requests written and not yet fully confirmed, per family
	// in wire order.
	pend [numFamilies][]*request
	// queued holds requests made while a dial was in flight; they are sent
	// after the resubscriptions once connected.
	queued []*request
	seq    uint64
}

// New returns a Subscriber at once and connects in the background
// (txredisapi's lazy subscriber; lazy.Subscriber may wrap it). Requests
// made before the connection is up wait for it; if the dial fails they
// fail with a *conn.ConnectionError and the connection keeps redialling.
// A nil Handler discards messages unless opts.Channel is set.
func New(opts Options, h Handler) *Subscriber {
	s := newSubscriber(opts, h)
	s.mu.Lock()
	s.c = conn.New(s.connOptions())
	s.mu.Unlock()
	s.start()
	return s
}

// Connect dials and fires the returned Deferred with the Subscriber once
// connected. If the first dial fails the Deferred fails with a
// *conn.ConnectionError and nothing is left running. A nil Handler
// discards messages unless opts.Channel is set.
func Connect(opts Options, h Handler) *deferred.Deferred[*Subscriber] {
	s := newSubscriber(opts, h)
	return deferred.Then(conn.Connect(s.connOptions()), func(c *conn.Conn) (*Subscriber, error) {
		s.mu.Lock()
		s.c = c
		s.mu.Unlock()
		s.start()
		return s, nil
	})
}

func newSubscriber(opts Options, h Handler) *Subscriber {
	opts = opts.withDefaults()
	s := &Subscriber{
		opts:          opts,
		h:             h,
		stop:          make(chan struct{}),
		keepaliveDone: make(chan struct{}),
		state:         conn.StateConnecting,
	}
	if opts.Channel {
		s.out = make(chan Message)
		s.h = nil
	}
	s.buf = newBuffer[Message](opts, s.stop)
	for f := range s.tracked {
		s.tracked[f] = map[string]struct{}{}
		s.wire[f] = map[string]struct{}{}
	}
	return s
}

// connOptions returns the options of the subscriber's connection.
func (s *Subscriber) connOptions() conn.Options {
	co := s.opts.Options
	co.PubSub = true
	co.OnPush = s.onPush
	co.OnState = s.onState
	if s.opts.PingInterval > 0 {
		co.ReplyTimeout = s.opts.PingTimeout
	}
	return co
}

// start runs the delivery and keepalive goroutines; both end after
// Disconnect, and the delivery goroutine fires Disconnect's Deferred last.
func (s *Subscriber) start() {
	go s.keepalive()
	go s.deliverLoop()
}

func (s *Subscriber) deliverLoop() {
	s.buf.run(s.deliver)
	<-s.c.Disconnect().Done()
	<-s.keepaliveDone
	if s.out != nil {
		close(s.out)
	}
	s.disconnectD.Callback(struct{}{})
}

func (s *Subscriber) deliver(m Message) bool {
	switch {
	case s.out != nil:
		select {
		case s.out <- m:
			return true
		case <-s.stop:
			return false
		}
	case s.h != nil:
		s.h.MessageReceived(m.Pattern, m.Channel, m.Payload)
	}
	return true
}

// Messages returns the channel messages are delivered to when
// Options.Channel is set, and nil otherwise. It is closed once Disconnect
// has completed. Messages wait in the bounded buffer until read; a reader
// that falls behind loses messages according to Options.Overflow.
func (s *Subscriber) Messages() <-chan Message { return s.out }

// Conn returns the subscriber's connection (for its State and Addr).
// Sending commands on it directly bypasses the subscriber's bookkeeping.
func (s *Subscriber) Conn() *conn.Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c
}

// Dropped returns how many messages were dropped because the buffer was
// full.
func (s *Subscriber) Dropped() uint64 { return s.buf.dropped.Load() }

// Stats returns the delivery counters and the connection's, with
// Reconnects the number of resubscriptions after a lost connection.
func (s *Subscriber) Stats() Stats {
	st := s.buf.stats()
	if c := s.Conn(); c != nil {
		st = st.Add(c.Stats())
	}
	st.Reconnects = s.reconnects.Load()
	return st
}

// Disconnect stops delivery and closes the connection. Messages still in
// the buffer are discarded; a Handler call in progress completes first.
// Pending requests fail with a *conn.ConnectionError. The Deferred fires
// once every goroutine of the subscriber has ended (then the Messages
// channel is closed). It is idempotent. It may be called from a Handler,
// but a Handler must not wait for it.
func (s *Subscriber) Disconnect() *deferred.Deferred[struct{}] {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		close(s.stop)
		s.c.Disconnect()
	})
	return &s.disconnectD
}

// onState follows the connection's state changes; it runs on the
// connection's supervisor goroutine.
func (s *Subscriber) onState(e conn.StateEvent) {
	switch e.State {
	case conn.StateConnecting:
		s.mu.Lock()
		if !s.closing {
			s.state = conn.StateConnecting
		}
		s.mu.Unlock()
	case conn.StateConnected:
		s.connected()
	case conn.StateDisconnected, conn.StateClosed:
		s.lost(e)
	}
	if s.opts.OnState != nil {
		s.opts.OnState(e)
	}
}

// connected resubscribes what the subscriber held, then sends the
// requests queued while the dial was in flight.
func (s *Subscriber) connected() {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	s.state = conn.StateConnected
	s.downErr = nil
	for f := range s.wire {
		clear(s.wire[f])
	}
	var rs *resubscription
	if s.everConnected {
		if r := s.resubscribeLocked(); r.left == 0 {
			rs = r // nothing to confirm: report it now
		}
	}
	s.everConnected = true
	queued := s.queued
	s.queued = nil
	var failed []*request
	var errs []error
	for _, r := range queued {
		if err := s.sendLocked(r); err != nil {
			failed = append(failed, r)
			errs = append(errs, err)
		}
	}
	s.mu.Unlock()
	for i, r := range failed {
		r.fail(errs[i])
	}
	if rs != nil {
		s.resubscribed(rs)
	}
}

// lost fails every pending and queued request with the connection error.
func (s *Subscriber) lost(e conn.StateEvent) {
	err := e.Err
	var cerr *conn.ConnectionError
	if !errors.As(err, &cerr) {
		if err == nil {
			err = conn.ErrNotConnected
			if e.State == conn.StateClosed {
				err = conn.ErrClosed
			}
		}
		err = &conn.ConnectionError{Addr: e.Addr, Op: "lost connection", Err: err}
	}
	s.mu.Lock()
	s.state = e.State
	s.downErr = err
	var failed []*request
	for f := range s.pend {
		for _, r := range s.pend[f] {
			// An unsubscribe already on the wire is honoured: the old
			// socket's subscriptions are gone, so not restoring these
			// is always right, and the caller asked for it.
			if !r.subscribe && r.resub == nil {
				if len(r.args) == 0 {
					clear(s.tracked[r.fam])
				}
				for _, a := range r.args {
					delete(s.tracked[r.fam], a)
				}
			}
		}
		failed = append(failed, s.pend[f]...)
		s.pend[f] = nil
		clear(s.wire[f])
	}
	failed = append(failed, s.queued...)
	s.queued = nil
	s.mu.Unlock()
	for _, r := range failed {
		r.fail(err)
	}
}

// unavailableLocked returns the error a request fails with at once while
// the connection is down or closed.
func (s *Subscriber) unavailableLocked() error {
	addr := s.opts.Addr
	if s.c != nil {
		addr = s.c.Addr()
	}
	if s.closing || s.state == conn.StateClosed {
		if s.downErr != nil && !s.closing {
			return &conn.ConnectionError{Addr: addr, Op: "not connected", Err: s.downErr}
		}
		return &conn.ConnectionError{Addr: addr, Op: "closed", Err: conn.ErrClosed}
	}
	cause := s.downErr
	if cause == nil {
		cause = conn.ErrNotConnected
	}
	return &conn.ConnectionError{Addr: addr, Op: "not connected", Err: cause}
}
