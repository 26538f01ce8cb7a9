package sentinel

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// ErrReplaced matches the error of commands that were in flight on a
// master when the client switched to another: they fail with a
// *conn.ConnectionError wrapping it, and may or may not have run (a
// demoted master discards what it ran after its replica was promoted).
var ErrReplaced = errors.New("txredis/sentinel: the master was replaced")

// client is what a server is reached through: one conn.Conn or a pool.
type client interface {
	conn.BatchSender
	conn.Leaser
	Disconnect() *deferred.Deferred[struct{}]
}

// server is a master or a replica, by address.
type server struct {
	addr string
	cl   client
	// down is set while the connection is down (its OnState hook keeps
	// it); a replica that is down is left out of the rotation.
	down atomic.Bool
}

// abort fails what is in flight on s (see conn.Conn.Abort).
func (s *server) abort(err error) {
	switch cl := s.cl.(type) {
	case *conn.Conn:
		cl.Abort(err)
	case *pool.Pool:
		cl.Abort(err)
	}
}

// newServer connects (lazily) to addr. The connection going down marks
// the server down and asks the sentinels again (the master may have
// failed, a replica may be gone); coming up clears the mark.
func (c *Client) newServer(addr string) *server {
	s := &server{addr: addr}
	co := c.opts.Options
	co.Addr = addr
	user := co.OnState
	co.OnState = func(e conn.StateEvent) {
		if user != nil {
			user(e)
		}
		switch e.State {
		case conn.StateConnected:
			s.down.Store(false)
		case conn.StateDisconnected:
			s.down.Store(true)
			c.trigger()
		}
	}
	if c.opts.PoolSize > 1 {
		s.cl = pool.New(pool.Options{Options: co, PoolSize: c.opts.PoolSize})
	} else {
		s.cl = conn.New(co)
	}
	return s
}

// role asks s for ROLE and reports whether it is a master.
func role(ctx context.Context, s *server) error {
	v, err := handle.Request(s.cl, proto.NewCmd("ROLE"), handle.Identity).Wait(ctx)
	if err != nil {
		return err
	}
	if len(v.Elems) == 0 || v.Elems[0].Str != "master" {
		return fmt.Errorf("txredis/sentinel: %s is not a master (ROLE %v)", s.addr, v)
	}
	return nil
}

// discover asks the sentinels and installs the best master they give
// (see rank) once ROLE confirms it, unless it is the master installed
// already, with the replicas they agree are healthy. When no candidate
// qualifies, the installed master stays and only the replicas are
// updated; with no master installed, discover fails with an error
// matching ErrNoMaster.
func (c *Client) discover(ctx context.Context) error {
	c.dmu.Lock()
	defer c.dmu.Unlock()
	if c.isClosed() {
		return closedError()
	}
	reports := c.sn.ask(ctx)
	cur := c.master.Load()
	c.mu.Lock()
	o := pickOptions{floor: c.epoch, hint: c.hint}
	c.mu.Unlock()
	if cur != nil {
		o.current = cur.addr
		if cur.down.Load() {
			o.floor = -1 // a lost master does not hold the client back
		}
	}
	var errs []error
	var chosen *server
	var epoch int64 = -1
	for _, cand := range rank(reports, o) {
		if cur != nil && cand.addr == cur.addr {
			chosen, epoch = cur, cand.epoch
			break
		}
		s := c.newServer(cand.addr)
		if err := role(ctx, s); err != nil {
			errs = append(errs, err)
			c.retire(s, nil)
			continue
		}
		chosen, epoch = s, cand.epoch
		break
	}
	if chosen == nil {
		if cur == nil {
			if allUnknown(reports) {
				return fmt.Errorf("%w: no sentinel monitors %q", ErrNoMaster, c.name)
			}
			return fmt.Errorf("%w: %w", reportsError(c.name, reports), errors.Join(errs...))
		}
		chosen = cur
	}
	answered := false
	for _, r := range reports {
		answered = answered || r.err == nil
	}
	c.install(chosen, epoch, mergeReplicas(reports, chosen.addr), answered)
	return nil
}

// install makes s the master (the old one's commands in flight fail with
// ErrReplaced, and its connections close), raises the epoch floor to
// epoch, and, when setReplicas, sets the replicas to replicaAddrs,
// keeping the connections of those that stay. It releases the commands
// waiting for a first master.
func (c *Client) install(s *server, epoch int64, replicaAddrs []string, setReplicas bool) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		if c.master.Load() != s {
			c.retire(s, nil)
		}
		return
	}
	old := c.master.Load()
	if old != s {
		c.master.Store(s)
		c.switches++
		if old != nil {
			c.retireLocked(old, &conn.ConnectionError{Addr: old.addr, Op: "replaced", Err: ErrReplaced})
		}
	}
	c.epoch = max(c.epoch, epoch)
	if !setReplicas {
		replicaAddrs = nil
		for _, r := range c.replicas {
			replicaAddrs = append(replicaAddrs, r.addr)
		}
	}
	keep := map[string]*server{}
	for _, r := range c.replicas {
		keep[r.addr] = r
	}
	var reps []*server
	for _, a := range replicaAddrs {
		if a == s.addr {
			continue
		}
		if r, ok := keep[a]; ok {
			reps = append(reps, r)
			delete(keep, a)
			continue
		}
		reps = append(reps, c.newServer(a))
	}
	for _, r := range keep {
		c.retireLocked(r, nil)
	}
	c.replicas = reps
	search := c.search
	c.search = nil
	c.mu.Unlock()
	if search != nil {
		_ = search.Callback(s)
	}
}

// retire closes s (after aborting what is in flight on it when abort is
// not nil); Disconnect waits for it.
func (c *Client) retire(s *server, abort error) {
	c.mu.Lock()
	c.retireLocked(s, abort)
	c.mu.Unlock()
}

func (c *Client) retireLocked(s *server, abort error) {
	if abort != nil {
		s.abort(abort)
	}
	live := c.retired[:0]
	for _, d := range c.retired {
		if !d.Fired() {
			live = append(live, d)
		}
	}
	c.retired = append(live, s.cl.Disconnect())
}
