package cluster

import (
	"context"
	"sync"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// client is what a node sends through: one conn.Conn or a pool.Pool.
type client interface {
	conn.BatchSender
	Disconnect() *deferred.Deferred[struct{}]
}

// node is one server of the cluster, by address.
type node struct {
	addr  string
	owner *Cluster   // immutable
	cl    client     // immutable
	c     *conn.Conn // cl when it is a single connection, else nil
	p     *pool.Pool // cl when it is a pool, else nil
	opts  conn.Options

	// prog feeds the stall monitor.
	prog progress

	mu sync.Mutex // protects spare, leased and gone
	// spare holds dedicated connections kept for the next lease, leased
	// those lent now (single-connection nodes).
	spare  []*conn.Conn
	leased map[*conn.Conn]struct{}
	gone   bool
}

// maxSpare is how many dedicated connections a single-connection node
// keeps for the next lease.
const maxSpare = 2

// newNode starts the connection(s) of the node at addr, lazily.
func newNode(owner *Cluster, addr string, o Options, onState func(conn.StateEvent)) *node {
	co := o.Options
	co.Addr = addr
	user := co.OnState
	co.OnState = func(e conn.StateEvent) {
		if user != nil {
			user(e)
		}
		onState(e)
	}
	if o.ReadFromReplicas {
		co = readOnlyOptions(co)
	}
	n := &node{addr: addr, owner: owner, opts: co, leased: map[*conn.Conn]struct{}{}}
	if o.PoolSize > 1 {
		n.p = pool.New(pool.Options{Options: co, PoolSize: o.PoolSize})
		n.cl = n.p
	} else {
		n.c = conn.New(co)
		n.cl = n.c
	}
	return n
}

// down reports whether the node's connection is known to be down.
func (n *node) down() bool {
	return n.c != nil && n.c.State() == conn.StateDisconnected
}

// lease lends a connection of the node for exclusive use: a pool leases
// one of its own; a single-connection node uses a dedicated connection,
// kept for the next lease when it comes back healthy, so that ordinary
// commands keep flowing on the node's shared connection. Every reply on
// the lease goes past the cluster, which learns from MOVED and ASK.
func (n *node) lease(ctx context.Context) *deferred.Deferred[*conn.Lease] {
	return deferred.Then(n.leaseConn(ctx), func(l *conn.Lease) (*conn.Lease, error) {
		l.ObserveReplies(n.learn)
		return l, nil
	})
}

// learn passes a reply from the node to the cluster (see Cluster.learn).
func (n *node) learn(v proto.Value) { n.owner.learn(v, n) }

// leaseConn is lease without the observation of replies.
func (n *node) leaseConn(ctx context.Context) *deferred.Deferred[*conn.Lease] {
	if n.p != nil {
		return n.p.Lease(ctx)
	}
	n.mu.Lock()
	if n.gone {
		n.mu.Unlock()
		return deferred.Fail[*conn.Lease](&conn.ConnectionError{Addr: n.addr, Op: "closed", Err: conn.ErrClosed})
	}
	for len(n.spare) > 0 {
		c := n.spare[len(n.spare)-1]
		n.spare = n.spare[:len(n.spare)-1]
		if l, err := c.TryLease(n.released); err == nil {
			n.leased[c] = struct{}{}
			n.mu.Unlock()
			return deferred.Succeed(l)
		}
		c.Disconnect()
	}
	n.mu.Unlock()
	o := n.opts
	o.OnState = nil
	o.NoReconnect = true
	return deferred.Then(conn.Connect(o), func(c *conn.Conn) (*conn.Lease, error) {
		l, err := c.TryLease(n.released)
		if err != nil {
			c.Disconnect()
			return nil, err
		}
		n.mu.Lock()
		n.leased[c] = struct{}{}
		n.mu.Unlock()
		return l, nil
	})
}

// released takes a dedicated connection back after its lease.
func (n *node) released(l *conn.Lease) {
	c := l.Conn()
	n.mu.Lock()
	delete(n.leased, c)
	if !n.gone && !l.Broken() && len(n.spare) < maxSpare {
		n.spare = append(n.spare, c)
		n.mu.Unlock()
		return
	}
	n.mu.Unlock()
	c.Disconnect()
}

// close disconnects the node and its spare connections; the returned
// Deferreds fire when each is closed.
func (n *node) close() []*deferred.Deferred[struct{}] {
	n.mu.Lock()
	n.gone = true
	spare := n.spare
	n.spare = nil
	n.mu.Unlock()
	ds := []*deferred.Deferred[struct{}]{n.cl.Disconnect()}
	for _, c := range spare {
		ds = append(ds, c.Disconnect())
	}
	return ds
}

// readOnlyOptions returns o for a connection to a replica: READONLY is
// the last step of every handshake, so the connection serves reads from
// its first command on, after every reconnect too.
func readOnlyOptions(o conn.Options) conn.Options {
	o.ReadOnly = true
	return o
}

// Node is the handle of one cluster node: commands through it go to that
// node only, without following redirections (a MOVED answer still
// updates the cluster's map, so the next Node(key) names the new owner),
// and transactions started on it (Multi, Watch) lease one of its
// connections. Get one with
// Cluster.Node(key) for the node serving a key's slot, or Cluster.Masters.
// A Node is valid while the node is part of the cluster; after a
// failover or resharding get a fresh one.
type Node struct {
	conn.Commands
	n *node
}

// learning passes a reply through the cluster (see Cluster.learn) on its
// way to the command's Resolver.
type learning struct {
	n    *node
	next conn.Resolver
}

func (r *learning) Resolve(v proto.Value, err error) {
	if err == nil {
		r.n.learn(v)
	}
	r.next.Resolve(v, err)
}

func newNodeHandle(n *node) *Node {
	h := &Node{n: n}
	h.Commands = conn.NewCommands(h)
	return h
}

// Addr returns the node's address.
func (h *Node) Addr() string { return h.n.addr }

// Send sends cmd to the node. It takes ownership of cmd and resolves r
// exactly once. A MOVED answer is not followed, but it updates the
// cluster's slot map, as does an ASK answer (with a refresh).
func (h *Node) Send(cmd *proto.Cmd, r conn.Resolver) {
	h.n.cl.Send(cmd, &learning{n: h.n, next: r})
}

// SendBatch sends cmds to the node as one unit; its replies update the
// slot map as Send's do.
func (h *Node) SendBatch(cmds []*proto.Cmd, rs []conn.Resolver) {
	wrapped := make([]conn.Resolver, len(rs))
	for i, r := range rs {
		wrapped[i] = &learning{n: h.n, next: r}
	}
	h.n.cl.SendBatch(cmds, wrapped)
}

// Lease lends one connection of the node for exclusive use (conn.Leaser):
// this is what Multi and Watch use. With a pool per node it is a pool
// lease; with one connection per node it is a dedicated connection, so
// the node's shared connection keeps serving other commands.
func (h *Node) Lease(ctx context.Context) *deferred.Deferred[*conn.Lease] {
	return h.n.lease(ctx)
}
