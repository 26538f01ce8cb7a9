package conn

import (
	"bufio"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/dispatch"
	"github.com/txredis/txredis/proto"
)

// Reading a quiet connection on the caller's goroutine.
//
// A caller that sends one command and waits for its reply (the
// round-trip-bound pattern: one goroutine, c=1) would otherwise pay for
// two goroutine hand-offs per command: the reader goroutine is woken by
// the reply and wakes the waiter. Instead, when the reader goroutine finds
// nothing pending and the connection has been used that way, it parks
// (rxParked) without reading. A command sent then is lazy: its Deferred
// is marked with deferred.SetLazy, and Wait reads the reply itself on the
// waiting goroutine (drive), as rueidis and go-redis do. Anything else
// hands the socket back to the reader goroutine (unparkLocked): a command
// whose reply is not a plain typed Deferred (batches, pipelines,
// transactions), a step added to a lazy Deferred or its Done channel
// taken (kickLazy), a second command pending when the reply is read,
// a failure, Disconnect, or the watchdog finding a reply owed or bytes
// waiting on the socket (quietTick). So every Deferred fires without
// anybody's help within a watchdog tick, and a server that closes a quiet
// connection is noticed within one.
//
// Only connections whose socket carries nothing but replies park: not
// subscribers, not with OnPush, not with client-side caching (whose
// invalidations must be read as they come), not without a reply timeout
// (no watchdog), and only TCP and unix sockets (which can be peeked).

// Who reads the socket (Conn.rx, under Conn.mu).
const (
	rxReader uint8 = iota // the reader goroutine
	rxParked              // nobody: the reader goroutine waits on rxWake
	rxCaller              // a goroutine waiting for a lazy command's reply
)

// loneWaits is how many Waits in a row on the only command in flight
// make the reader park: a connection shared by a few waiting goroutines
// sees lone commands now and then, and would otherwise park, and be
// taken back at once, over and over.
const loneWaits = 8

// lazyResolver is a Resolver whose Deferred can be marked lazy: the
// typed Deferreds of the command methods.
type lazyResolver interface {
	Resolver
	markLazy(c *Conn)
	deferred() any // the Deferred, as Lazy.Drive is given it
}

func (r *typed[T]) markLazy(c *Conn) { r.d.SetLazy(&c.lazy) }

func (r *typed[T]) deferred() any { return &r.d }

// isDeferredOf reports whether r is the resolver of Deferred d.
func isDeferredOf(r Resolver, d any) bool {
	lr := lazyOf(r)
	return lr != nil && lr.deferred() == d
}

// lazyOf returns the typed resolver r is, or the one behind the hooks
// that observe r's command; nil when there is none. r must not have been
// resolved (hooks recycle their wrapper once the reply has passed).
func lazyOf(r Resolver) lazyResolver {
	switch x := r.(type) {
	case lazyResolver:
		return x
	case *opRun:
		if lr, ok := x.next.(lazyResolver); ok {
			return lr
		}
	}
	return nil
}

// quietLocked reports whether the reader goroutine may park: see above.
func (c *Conn) quietLocked() bool {
	return !c.opts.PubSub && c.opts.OnPush == nil && c.opts.ReplyTimeout > 0 &&
		c.trk.Load() == nil && c.direct != nil && !c.closing
}

// park is called by the reader goroutine of socket gen when nothing is
// pending, its inbox is empty and nothing is buffered: if the connection
// is quiet it waits until the socket is handed back to it. It returns
// false when the socket has failed meanwhile.
func (c *Conn) park(gen uint64, br *bufio.Reader, rd *proto.Reader) bool {
	if br.Buffered() != 0 {
		return true
	}
	c.mu.Lock()
	if c.gen != gen || c.nc == nil {
		c.mu.Unlock()
		return false
	}
	if c.pendingCount.Load() != 0 || !c.quietLocked() {
		c.mu.Unlock()
		return true
	}
	c.rx, c.rxRd = rxParked, rd
	c.mu.Unlock()
	for {
		<-c.rxWake
		c.mu.Lock()
		if c.rx == rxReader {
			ok := c.gen == gen && c.nc != nil
			c.mu.Unlock()
			return ok
		}
		c.mu.Unlock() // a wake-up meant for an earlier park
	}
}

// unparkLocked hands a parked socket back to the reader goroutine.
func (c *Conn) unparkLocked() {
	if c.rx != rxParked {
		return
	}
	c.rx = rxReader
	select {
	case c.rxWake <- struct{}{}:
	default:
	}
}

// lazyLocked decides, for a command about to be queued with r, whether
// its Deferred is marked lazy (the returned resolver, to be marked once
// c.mu is released) or the parked reader must take the socket back. A
// command sent when nothing is pending is marked even while the reader
// goroutine reads, so that a Wait on it tells the reader to park.
func (c *Conn) lazyLocked(r Resolver, idle bool) lazyResolver {
	if c.rx != rxParked && !idle {
		return nil
	}
	if lr := lazyOf(r); lr != nil {
		return lr
	}
	c.unparkLocked()
	return nil
}

// kickLazy hands the socket back to the reader goroutine: a lazy
// Deferred is observed by something other than a plain Wait, so the
// caller is not the one to read. The connection stops parking until a
// Wait finds it round-trip bound again.
func (c *Conn) kickLazy() {
	c.mu.Lock()
	c.lone = 0
	c.wantDrive.Store(false)
	if c.pendingCount.Load() > 0 {
		c.unparkLocked()
	}
	c.mu.Unlock()
}

// drive is Wait's Drive on the Deferred d of a lazy command: when the
// socket is parked and d's reply is the next one, it reads it on this
// goroutine and resolves d. Otherwise it makes sure the reader goroutine
// reads it, and Wait blocks as usual.
func (c *Conn) drive(d any) {
	c.mu.Lock()
	if c.rx != rxParked {
		if c.rx == rxReader && c.pendingCount.Load() == 1 {
			// One command in flight and its caller waiting: after a few
			// in a row, the next time the reader finds nothing pending
			// it leaves the socket to the caller.
			if c.lone++; c.lone >= loneWaits {
				c.wantDrive.Store(true)
			}
		}
		c.mu.Unlock()
		return
	}
	if p, ok := c.q.peek(); !ok || !isDeferredOf(p.r, d) || c.nc == nil {
		c.unparkLocked()
		c.mu.Unlock()
		return
	}
	c.rx = rxCaller
	gen, rd := c.gen, c.rxRd
	c.mu.Unlock()

	var v proto.Value
	for {
		var err error
		if v, err = rd.ReadValue(); err != nil {
			// The reader goroutine, handed the failed socket, fails d's
			// command and everything behind it, and ends.
			c.fail(gen, err)
			c.mu.Lock()
			c.rx = rxParked
			c.unparkLocked()
			c.mu.Unlock()
			return
		}
		if !c.isPush(v) {
			break
		}
		c.takePush(v)
	}
	c.mu.Lock()
	p, _ := c.q.pop() // d's: only the goroutine holding the socket pops
	c.pendingCount.Add(-1)
	c.closeDrainedLocked()
	c.mu.Unlock()
	// d fires before the socket is handed on, as the reader goroutine
	// fires a reply before it reads the next: a command sent meanwhile
	// waits for it, however long converting the reply takes. Its steps
	// (added by other goroutines while this one read) run here as they
	// would on the reader goroutine, so a Wait in them cannot block the
	// replies behind d.
	if slot := dispatch.Enter(); slot >= 0 {
		p.r.Resolve(v, nil)
		dispatch.Leave(slot)
	} else {
		unmark := deferred.MarkDispatcher()
		p.r.Resolve(v, nil)
		unmark()
	}
	c.mu.Lock()
	c.rx = rxParked
	if c.pendingCount.Load() != 0 || c.nc == nil || !c.quietLocked() {
		// Replies behind d are owed to others (or the socket failed, or
		// may no longer park): the reader goroutine takes it back.
		if c.pendingCount.Load() != 0 {
			c.lone = 0
			c.wantDrive.Store(false)
		}
		c.unparkLocked()
	}
	c.mu.Unlock()
}

// quietTick is the watchdog's look at a parked socket: a reply owed to a
// Deferred nobody observes, or bytes (or the end of the stream) waiting
// on the socket, hand it back to the reader goroutine.
func (c *Conn) quietTick(gen uint64) {
	c.mu.Lock()
	if c.gen != gen || c.rx != rxParked {
		c.mu.Unlock()
		return
	}
	if c.pendingCount.Load() > 0 {
		c.unparkLocked()
		c.mu.Unlock()
		return
	}
	dw := c.direct
	c.mu.Unlock()
	if !dw.readable() {
		return
	}
	c.mu.Lock()
	if c.gen == gen {
		c.unparkLocked()
	}
	c.mu.Unlock()
}
