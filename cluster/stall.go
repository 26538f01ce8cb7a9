package cluster

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/txredis/txredis/conn"
)

// ErrStalled matches the error of commands that were waiting on a node
// that stopped answering and that the slot map no longer names as a
// master (a frozen or cut-off master that a replica replaced): they fail
// with a *conn.ConnectionError wrapping it, which may have run.
var ErrStalled = errors.New("txredis/cluster: node stopped answering and no longer serves its slots")

// progress counts the commands the cluster sent to a node's shared
// connection(s) and the replies to them (blocking commands left out:
// they may wait as long as they like). The stall monitor compares them.
type progress struct {
	sent     atomic.Uint64
	_        [56]byte // sent and answered are written by different goroutines
	answered atomic.Uint64
	_        [56]byte
	// stalled is set while the node has left a command unanswered for
	// StallTimeout with no reply in between.
	stalled atomic.Bool

	// Owned by the monitor goroutine.
	seen  uint64    // answered at the last check that saw progress
	since time.Time // when that check ran
}

// check updates the node's stall state at now: it is stalled when
// commands are outstanding and none was answered for at least limit.
// One tick of imprecision is added to limit by the caller.
func (p *progress) check(now time.Time, limit time.Duration) bool {
	a := p.answered.Load()
	s := p.sent.Load() // read after answered: s >= a
	if s == a || a != p.seen || p.since.IsZero() {
		p.seen, p.since = a, now
		p.stalled.Store(false)
		return false
	}
	if now.Sub(p.since) < limit {
		return false
	}
	p.stalled.Store(true)
	return true
}

// monitor checks every node's progress every tick until Disconnect;
// while a node is stalled it refreshes the map at every tick, so that a
// replica taking over from it is seen within a tick of the other nodes
// knowing it.
func (c *Cluster) monitor(limit time.Duration) {
	defer c.wg.Done()
	tick := max(limit/4, 10*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			stalled := false
			c.mu.Lock()
			for _, n := range c.nodes {
				if n.prog.check(now, limit+tick) {
					stalled = true
				}
			}
			c.mu.Unlock()
			if stalled {
				c.triggerRefresh()
			}
		case <-c.done:
			return
		}
	}
}

// abort fails every connection of n (see conn.Conn.Abort): the commands
// waiting on it fail with a *conn.ConnectionError wrapping ErrStalled.
func (n *node) abort() {
	err := &conn.ConnectionError{Addr: n.addr, Op: "stalled", Err: ErrStalled}
	if n.p != nil {
		n.p.Abort(err)
		return
	}
	n.c.Abort(err)
	n.mu.Lock()
	cs := make([]*conn.Conn, 0, len(n.leased)+len(n.spare))
	for c := range n.leased {
		cs = append(cs, c)
	}
	cs = append(cs, n.spare...)
	n.mu.Unlock()
	for _, c := range cs {
		c.Abort(err)
	}
}
