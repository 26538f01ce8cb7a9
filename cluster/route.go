package cluster

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/internal/cmdinfo"
	"github.com/txredis/txredis/internal/scatter"
	"github.com/txredis/txredis/proto"
)

// Send routes cmd to the node serving the slot of its keys (a master, or
// a replica for a read-only command with ReadFromReplicas), follows MOVED
// and ASK redirections, and retries TRYAGAIN, CLUSTERDOWN and LOADING
// answers with backoff within RetryTimeout. Keyless commands go to a
// master at random. The keys of a command the command table lacks
// (newer than Redis 7.0, or a module's) are learned from the cluster
// first (see the package documentation). A multi-key command whose keys
// span slots fails with ErrCrossSlot before anything is sent, except
// MGET, DEL, EXISTS, UNLINK and TOUCH, which are split per slot and
// gathered (MGET in key order). Send takes ownership of cmd and resolves
// r exactly once, with the reply of the last node asked.
func (c *Cluster) Send(cmd *proto.Cmd, r conn.Resolver) {
	if c.isClosed() {
		cmd.Release()
		r.Resolve(proto.Value{}, c.closedErr())
		return
	}
	if err := handle.RefuseShared(cmd); err != nil {
		cmd.Release()
		r.Resolve(proto.Value{}, err)
		return
	}
	slot, err := c.slotOf(cmd)
	if err != nil {
		// MSET stays a cross-slot error, as in Redis Cluster: a split MSET
		// would not be atomic.
		if keys := keysOf(cmd); cmd.Name() != "MSET" && scatter.Splittable(cmd, keys) {
			// One command per slot, each routed (and redirected) on its own.
			scatter.Split(cmd, keys, scatter.Router{
				Group: slotBytes,
				Send:  func(_ int, sub *proto.Cmd, pr conn.Resolver) { c.Send(sub, pr) },
			}, r)
			return
		}
		cmd.Release()
		r.Resolve(proto.Value{}, err)
		return
	}
	if slot < 0 && !cmdinfo.Known(cmd) {
		c.learnKeys(cmd, r) // newer than the command table: ask the cluster
		return
	}
	c.send(cmd, r, slot)
}

// send dispatches cmd, whose slot is known (-1: keyless).
func (c *Cluster) send(cmd *proto.Cmd, r conn.Resolver, slot int) {
	x := requestPool.Get().(*request)
	x.c, x.cmd, x.r, x.slot = c, cmd, r, slot
	if (c.opts.ReadFromReplicas && slot >= 0) || c.opts.RetryReads {
		if info, ok := cmdinfo.LookupCmd(cmd); ok && info.ReadOnly() {
			x.read = true
			x.replica = c.opts.ReadFromReplicas && slot >= 0
		}
	}
	c.dispatch(x)
}

// slotOf returns the slot of cmd's keys, -1 for a keyless command, or an
// ErrCrossSlot error.
func (c *Cluster) slotOf(cmd *proto.Cmd) (int, error) {
	idx := keysOf(cmd)
	if len(idx) == 0 {
		return -1, nil
	}
	slot := slotBytes(cmd.ArgBytes(idx[0]))
	for _, i := range idx[1:] {
		if s := slotBytes(cmd.ArgBytes(i)); s != slot {
			return 0, crossSlot(cmd.Name(), slot, s)
		}
	}
	return slot, nil
}

// keysOf returns the indexes of cmd's key arguments: those it marks, else
// those the command table gives. The slice may alias cmd.
func keysOf(cmd *proto.Cmd) []int {
	if idx := cmd.Keys(); len(idx) > 0 {
		return idx
	}
	return cmdinfo.Keys(cmd)
}

// request is one command on its way through the cluster: the Resolver of
// every send of it, which resends a copy on a redirection or a retry and
// passes the final reply to the caller's Resolver.
type request struct {
	c         *Cluster
	cmd       *proto.Cmd    // kept for resends; released at the end
	r         conn.Resolver // the caller's
	slot      int           // -1 for keyless commands
	replica   bool          // may go to a replica
	read      bool          // read-only, known when ReadFromReplicas or RetryReads
	to        *node         // where the next send goes, set by a redirection
	asking    bool          // the next send is preceded by ASKING
	from      *node         // where the last send went
	counted   bool          // the send to from is counted in its progress
	redirects int
	attempts  int
	deadline  time.Time // set at the first retry
}

var requestPool = sync.Pool{New: func() any { return new(request) }}

// asking is the Resolver of the ASKING that precedes a command sent after
// an ASK redirection: its reply ("OK") is of no interest.
var discard = conn.ResolverFunc(func(proto.Value, error) {})

// dispatch sends a copy of x's command to the node chosen for it.
func (c *Cluster) dispatch(x *request) {
	n := x.to
	asking := x.asking
	x.to, x.asking = nil, false
	if n == nil {
		n = c.route(x.slot, x.replica)
	}
	if n == nil {
		x.finish(proto.Value{}, closedError())
		return
	}
	x.from = n
	cmd := x.cmd.Clone()
	_, blocking := cmd.Blocking()
	if blocking && n.c != nil {
		// A blocking command would hold up every command pipelined
		// behind it on the node's one connection: it gets its own.
		sendLeased(n, cmd, asking, x)
		return
	}
	if !blocking {
		// Counted for the stall monitor; blocking commands may wait.
		x.counted = true
		n.prog.sent.Add(1)
	}
	if asking {
		ask := proto.NewCmd("ASKING")
		ask.SetContext(cmd.Context())
		n.cl.SendBatch([]*proto.Cmd{ask, cmd}, []conn.Resolver{discard, x})
		return
	}
	n.cl.Send(cmd, x)
}

// sendLeased sends cmd (after ASKING when asking) on a connection of n
// leased for it, released when the reply arrives.
func sendLeased(n *node, cmd *proto.Cmd, asking bool, x *request) {
	n.leaseConn(context.Background()).Observe(func(l *conn.Lease, err error) {
		if err != nil {
			cmd.Release()
			x.Resolve(proto.Value{}, err)
			return
		}
		r := &leased{l: l, next: x}
		if asking {
			l.SendBatch([]*proto.Cmd{proto.NewCmd("ASKING"), cmd}, []conn.Resolver{discard, r})
			return
		}
		l.Send(cmd, r)
	})
}

// leased releases a lease before passing the reply on.
type leased struct {
	l    *conn.Lease
	next conn.Resolver
}

func (r *leased) Resolve(v proto.Value, err error) {
	r.l.Release()
	r.next.Resolve(v, err)
}

// route returns the node for a command on slot (-1: keyless).
func (c *Cluster) route(slot int, replica bool) *node {
	if slot >= 0 {
		if sh := c.slots[slot].Load(); sh != nil {
			if replica && len(sh.replicas) > 0 {
				i := sh.rr.Add(1)
				return sh.replicas[int(i)%len(sh.replicas)]
			}
			return sh.master
		}
	}
	return c.anyNode()
}

// Resolve takes the reply to one send: a redirection or a retryable
// answer sends the command again, anything else goes to the caller.
func (x *request) Resolve(v proto.Value, err error) {
	c := x.c
	if x.counted {
		x.counted = false
		x.from.prog.answered.Add(1)
	}
	switch {
	case err == nil && (v.Kind == proto.ErrorReply || v.Kind == proto.BlobError):
		if x.redirect(v) {
			return
		}
	case err == nil:
	case unsent(err) && !c.isClosed():
		// The node could not take the command: it was not sent, so it
		// can go elsewhere once the map is refreshed.
		c.triggerRefresh()
		x.replica = false
		if x.retry() {
			return
		}
	case errors.Is(err, conn.ErrConnection):
		c.triggerRefresh()
		if x.read && c.opts.RetryReads && !c.isClosed() {
			// Sent and lost: only a read may run twice.
			x.replica = false
			if x.retry() {
				return
			}
		}
	}
	x.finish(v, err)
}

// finish resolves the caller's Resolver and recycles x.
func (x *request) finish(v proto.Value, err error) {
	r, cmd := x.r, x.cmd
	*x = request{}
	requestPool.Put(x)
	cmd.Release()
	r.Resolve(v, err)
}

// redirect handles MOVED, ASK, TRYAGAIN, CLUSTERDOWN and LOADING; it
// reports whether the command was sent again.
func (x *request) redirect(v proto.Value) bool {
	c := x.c
	s := v.Str
	switch {
	case hasPrefix(s, "MOVED ") || hasPrefix(s, "ASK "):
		if x.redirects >= c.opts.MaxRedirects {
			return false
		}
		slot, addr, ask, ok := redirection(v, x.from)
		if !ok {
			return false
		}
		n, cut := c.redirectTarget(addr)
		if cut {
			// A node that has not caught up names a master the cluster
			// cut off as stalled: wait for the map to name its successor.
			c.triggerRefresh()
			return x.retry()
		}
		if n == nil {
			return false
		}
		x.redirects++
		x.to = n
		if ask {
			c.stats.asked.Add(1)
			x.asking = true
		} else {
			c.stats.moved.Add(1)
			x.replica = false
			if c.moved(slot, n) {
				c.triggerRefresh()
			}
		}
		c.dispatch(x)
		return true
	case hasPrefix(s, "TRYAGAIN") || hasPrefix(s, "CLUSTERDOWN") || hasPrefix(s, "LOADING"):
		if hasPrefix(s, "CLUSTERDOWN") {
			c.triggerRefresh()
		}
		return x.retry()
	}
	return false
}

// redirection parses a MOVED or ASK answer from the node from (nil when
// unknown): "MOVED 3999 :6380" names the same host as from.
func redirection(v proto.Value, from *node) (slot int, addr string, ask, ok bool) {
	slot, addr, ask, ok = proto.ParseRedirect(v.Err())
	if !ok {
		return
	}
	if host, port, err := net.SplitHostPort(addr); err == nil && host == "" && from != nil {
		h, _, _ := net.SplitHostPort(from.addr)
		addr = net.JoinHostPort(h, port)
	}
	return
}

// learn takes a reply that the cluster does not route itself (on a
// lease, a transaction, a Node handle) and updates the map from it: a
// MOVED points its slot at the node named and refreshes the map in the
// background, an ASK (a slot being migrated) refreshes it. Other replies
// are ignored. It runs on the reader goroutine of from and does not
// block.
func (c *Cluster) learn(v proto.Value, from *node) {
	if v.Kind != proto.ErrorReply && v.Kind != proto.BlobError {
		return
	}
	if !hasPrefix(v.Str, "MOVED ") && !hasPrefix(v.Str, "ASK ") {
		return
	}
	slot, addr, ask, ok := redirection(v, from)
	if !ok || c.isClosed() {
		return
	}
	if ask {
		c.triggerRefresh()
		return
	}
	n, cut := c.redirectTarget(addr)
	if cut {
		c.triggerRefresh()
		return
	}
	if n != nil && c.moved(slot, n) {
		c.triggerRefresh()
	}
}

// retry sends x again after a backoff, if its retry time allows; it
// reports whether it will.
func (x *request) retry() bool {
	c := x.c
	if c.opts.RetryTimeout < 0 {
		return false
	}
	now := time.Now()
	if x.deadline.IsZero() {
		x.deadline = now.Add(c.opts.RetryTimeout)
	}
	d := retryBackoff(x.attempts)
	if now.Add(d).After(x.deadline) {
		return false
	}
	x.attempts++
	c.stats.retried.Add(1)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	c.wg.Add(1)
	c.mu.Unlock()
	time.AfterFunc(d, func() {
		defer c.wg.Done()
		c.dispatch(x)
	})
	return true
}

// retryBackoff is the wait before retry n: 10ms doubling to 200ms, with
// jitter.
func retryBackoff(n int) time.Duration {
	d := 10 * time.Millisecond
	for i := 0; i < n && d < 200*time.Millisecond; i++ {
		d *= 2
	}
	d = min(d, 200*time.Millisecond)
	return d/2 + rand.N(d/2+1)
}

// unsent reports connection errors of commands that never reached the
// server: the node was down, closed, or its dial failed.
func unsent(err error) bool {
	var ce *conn.ConnectionError
	if !errors.As(err, &ce) {
		return false
	}
	switch ce.Op {
	case "not connected", "closed", "dial", "tls handshake", "handshake":
		return true
	}
	return false
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
