package deferred

import (
	"slices"
	"sync"
	"time"
)

// Clock schedules a call after a delay, for Timeout (Twisted's
// IReactorTime.callLater). RealClock is the system's; ManualClock is a
// clock whose time passes only when a test says so.
type Clock interface {
	// AfterFunc calls f, once, on a goroutine of the Clock's choosing,
	// after d has passed, unless the returned Timer is stopped first.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a call scheduled by a Clock.
type Timer interface {
	// Stop prevents the call if it has not started, and reports whether
	// it did so.
	Stop() bool
}

// RealClock is the Clock of time.AfterFunc: calls run on goroutines of
// their own.
var RealClock Clock = realClock{}

type realClock struct{}

func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// ManualClock is a Clock whose time stands still until Advance moves it
// (Twisted's task.Clock): tests of timeouts run without waiting. The zero
// value is a clock at time 0, ready to use. It is safe for concurrent use.
type ManualClock struct {
	mu    sync.Mutex // protects the fields below
	now   time.Duration
	seq   uint64
	calls []*manualCall // scheduled and not stopped, in no particular order
}

type manualCall struct {
	c    *ManualClock
	at   time.Duration
	seq  uint64 // breaks ties: calls due at once run in the order scheduled
	f    func()
	done bool // run or stopped
}

// AfterFunc schedules f to run when Advance moves the clock d or more
// past now. A d of zero or less runs f at the next Advance.
func (c *ManualClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	call := &manualCall{c: c, at: c.now + max(d, 0), seq: c.seq, f: f}
	c.calls = append(c.calls, call)
	return call
}

// Stop prevents the call if Advance has not run it.
func (m *manualCall) Stop() bool {
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	if m.done {
		return false
	}
	m.done = true
	m.c.calls = slices.DeleteFunc(m.c.calls, func(x *manualCall) bool { return x == m })
	return true
}

// Now returns how far Advance has moved the clock.
func (c *ManualClock) Now() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Pending returns the number of calls scheduled and not yet run or
// stopped.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

// Advance moves the clock d forward and runs, on the calling goroutine
// and in the order they fall due, the calls due by then, including those
// they schedule.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now + max(d, 0)
	for {
		next := c.nextLocked(end)
		if next == nil {
			break
		}
		next.done = true
		c.calls = slices.DeleteFunc(c.calls, func(x *manualCall) bool { return x == next })
		c.now = next.at
		c.mu.Unlock()
		next.f()
		c.mu.Lock()
	}
	c.now = end
	c.mu.Unlock()
}

// nextLocked returns the earliest call due by end, or nil.
func (c *ManualClock) nextLocked(end time.Duration) *manualCall {
	var next *manualCall
	for _, call := range c.calls {
		if call.at <= end && (next == nil || call.at < next.at || (call.at == next.at && call.seq < next.seq)) {
			next = call
		}
	}
	return next
}
