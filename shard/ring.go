package shard

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/internal/cmdinfo"
	"github.com/txredis/txredis/internal/scatter"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// A Ring is a handle: it sends, batches on one node, and refuses leases.
var (
	_ conn.BatchSender = (*Ring)(nil)
	_ conn.Leaser      = (*Ring)(nil)
)

// Handle is what a Ring holds for each node: a *conn.Conn (Connect, New)
// or a *pool.Pool (ConnectPool, NewPool).
type Handle interface {
	conn.Sender
	Disconnect() *deferred.Deferred[struct{}]
}

// Ring is a sharded handle: the typed command set over several servers,
// each key on the node txredisapi's HashRing gives it (txredisapi's
// ShardedConnection and ShardedConnectionPool). See the package
// documentation for placement, hash tags, routing and failures.
//
// A Ring is safe for concurrent use; like every handle, its commands never
// block, so they may be sent from Deferred callbacks.
type Ring struct {
	conn.Commands

	// immutable after construction
	hr     *HashRing
	names  []string
	nodes  []Handle
	byName map[string]int
	err    error // the address error of a Ring built from a bad list

	// learner finds the keys of commands the command table lacks.
	learner cmdinfo.Learner

	closeOnce   sync.Once
	disconnectD deferred.Deferred[struct{}]
}

// New returns a Ring at once, with one lazy conn.Conn per address
// (txredisapi's lazyShardedConnection and lazyShardedUnixConnection).
// Each connection dials in the background and reconnects by itself.
// opts apply to every node; opts.Addr is ignored. An entry may be a URL
// (conn.ParseURL) whose settings apply to its node on top of opts, as
// conn.Options.ApplyURL says. An address list that is empty, holds an
// entry that is neither "host:port", a unix socket path nor a usable URL,
// or names a node twice gives a Ring whose every command fails with an
// error matching ErrBadAddrs (also reported by Err).
func New(addrs []string, opts conn.Options, ringOpts ...Option) *Ring {
	return build(addrs, opts, ringOpts, func(addr string) Handle {
		o := opts
		o.Addr = addr
		return conn.New(o)
	})
}

// Connect connects one conn.Conn per address and fires with the Ring once
// every node is up (txredisapi's ShardedConnection and
// ShardedUnixConnection). If a node's first dial fails, the nodes already
// up are disconnected and the Deferred fails with that node's
// *conn.ConnectionError, which names it. A bad address list fails it with
// an error matching ErrBadAddrs. opts.Addr is ignored.
func Connect(addrs []string, opts conn.Options, ringOpts ...Option) *deferred.Deferred[*Ring] {
	return connect(addrs, opts, ringOpts, func(addr string) *deferred.Deferred[Handle] {
		o := opts
		o.Addr = addr
		return deferred.Then(conn.Connect(o), func(c *conn.Conn) (Handle, error) { return c, nil })
	})
}

// NewPool returns a Ring at once, with one lazy pool.Pool per address
// (txredisapi's lazyShardedConnectionPool). opts apply to every node;
// opts.Addr is ignored. Bad address lists are reported as by New.
func NewPool(addrs []string, opts pool.Options, ringOpts ...Option) *Ring {
	return build(addrs, opts.Options, ringOpts, func(addr string) Handle {
		o := opts
		o.Addr = addr
		return pool.New(o)
	})
}

// ConnectPool connects one pool.Pool per address and fires with the Ring
// once every pool is up (txredisapi's ShardedConnectionPool). Failures are
// reported as by Connect.
func ConnectPool(addrs []string, opts pool.Options, ringOpts ...Option) *deferred.Deferred[*Ring] {
	return connect(addrs, opts.Options, ringOpts, func(addr string) *deferred.Deferred[Handle] {
		o := opts
		o.Addr = addr
		return deferred.Then(pool.Connect(o), func(p *pool.Pool) (Handle, error) { return p, nil })
	})
}

// build is the lazy core: parse the addresses, open a handle per node.
func build(addrs []string, base conn.Options, ringOpts []Option, open func(addr string) Handle) *Ring {
	names, dials, err := parseAddrs(addrs, base)
	if err != nil {
		r := &Ring{err: err}
		r.Commands = conn.NewCommands(r)
		return r
	}
	nodes := make([]Handle, len(names))
	for i, a := range dials {
		nodes[i] = open(a)
	}
	return newRing(names, nodes, newConfig(ringOpts))
}

// connect is the eager form: the lazy core plus a Deferred on every
// node's first connect.
func connect(addrs []string, base conn.Options, ringOpts []Option, open func(addr string) *deferred.Deferred[Handle]) *deferred.Deferred[*Ring] {
	names, dials, err := parseAddrs(addrs, base)
	if err != nil {
		return deferred.Fail[*Ring](err)
	}
	cfg := newConfig(ringOpts)
	ds := make([]*deferred.Deferred[Handle], len(names))
	for i, a := range dials {
		ds[i] = open(a)
	}
	return deferred.Chain(deferred.List(ds, deferred.ListOptions{}), func(outs []deferred.Outcome[Handle]) *deferred.Deferred[*Ring] {
		var first error
		nodes := make([]Handle, len(outs))
		for i, o := range outs {
			if !o.OK {
				if first == nil {
					first = o.Err
				}
				continue
			}
			nodes[i] = o.Value
		}
		if first == nil {
			return deferred.Succeed(newRing(names, nodes, cfg))
		}
		// Close the nodes that came up, then report the failure.
		var ups []*deferred.Deferred[struct{}]
		for _, n := range nodes {
			if n != nil {
				ups = append(ups, n.Disconnect())
			}
		}
		return deferred.Then(deferred.List(ups, deferred.ListOptions{}), func([]deferred.Outcome[struct{}]) (*Ring, error) {
			return nil, first
		})
	})
}

func newRing(names []string, nodes []Handle, cfg config) *Ring {
	r := &Ring{
		hr:     newHashRing(names, cfg),
		names:  names,
		nodes:  nodes,
		byName: make(map[string]int, len(names)),
	}
	for i, n := range names {
		r.byName[n] = i
	}
	r.Commands = conn.NewCommands(r)
	return r
}

// Err returns the error of a Ring built from a bad address list (matching
// ErrBadAddrs), nil for a working Ring.
func (r *Ring) Err() error { return r.err }

// Nodes returns the node names in the order given: "host:port" with the
// port in canonical decimal, or a unix socket path.
func (r *Ring) Nodes() []string { return append([]string(nil), r.names...) }

// Shard returns the name of the node that owns key, as txredisapi's
// HashRing placed it; "" for a Ring built from a bad address list.
func (r *Ring) Shard(key string) string {
	if r.err != nil {
		return ""
	}
	return r.hr.Node(key)
}

// HashRing returns the ring's placement, nil for a Ring built from a bad
// address list.
func (r *Ring) HashRing() *HashRing { return r.hr }

// Node returns the handle of the named node (a *conn.Conn or a
// *pool.Pool), for direct access: a transaction on one shard, admin
// commands. The name may be given as in the address list. It returns nil
// for an unknown node.
func (r *Ring) Node(name string) Handle {
	if i, ok := r.byName[name]; ok {
		return r.nodes[i]
	}
	if n, err := nodeName(name); err == nil {
		if i, ok := r.byName[n]; ok {
			return r.nodes[i]
		}
	}
	return nil
}

// ForEach calls f with the name and command set of every node, in node
// order, on the calling goroutine.
func (r *Ring) ForEach(f func(node string, c conn.Commands)) {
	for i, n := range r.names {
		f(n, conn.NewCommands(r.nodes[i]))
	}
}

// ForEachDo sends the command args (as Commands.Do takes them) to every
// node and fires with each node's reply once all have answered: for admin
// work a Ring cannot route, such as FLUSHDB, KEYS, INFO or DBSIZE. If a
// node fails, the Deferred fails with a *ShardError naming it (errors
// joined when several fail).
func (r *Ring) ForEachDo(args ...any) *deferred.Deferred[map[string]proto.Value] {
	if r.err != nil {
		return deferred.Fail[map[string]proto.Value](r.err)
	}
	name := "command"
	if len(args) > 0 {
		if s, ok := args[0].(string); ok {
			name = s
		}
	}
	ds := make([]*deferred.Deferred[proto.Value], len(r.nodes))
	for i, h := range r.nodes {
		ds[i] = conn.NewCommands(h).Do(args...)
	}
	return deferred.Then(deferred.List(ds, deferred.ListOptions{}), func(outs []deferred.Outcome[proto.Value]) (map[string]proto.Value, error) {
		m := make(map[string]proto.Value, len(outs))
		var errs []error
		for i, o := range outs {
			if !o.OK {
				errs = append(errs, &ShardError{Command: name, Node: r.names[i], Err: o.Err})
				continue
			}
			m[r.names[i]] = o.Value
		}
		if len(errs) > 0 {
			return nil, errors.Join(errs...)
		}
		return m, nil
	})
}

// Disconnect disconnects every node and fires once all are down. It is
// idempotent: every call returns the same Deferred.
func (r *Ring) Disconnect() *deferred.Deferred[struct{}] {
	r.closeOnce.Do(func() {
		ds := make([]*deferred.Deferred[struct{}], len(r.nodes))
		for i, h := range r.nodes {
			ds[i] = h.Disconnect()
		}
		deferred.List(ds, deferred.ListOptions{}).Observe(func([]deferred.Outcome[struct{}], error) {
			_ = r.disconnectD.Callback(struct{}{})
		})
	})
	return &r.disconnectD
}

// Lease fails with ErrNotSharded: a transaction or an exclusive lease
// needs one connection, and a Ring spans several. txredisapi did not
// support transactions on sharded connections either. Use Node(name) to
// run a transaction on one shard.
func (r *Ring) Lease(ctx context.Context) *deferred.Deferred[*conn.Lease] {
	return deferred.Fail[*conn.Lease](&NotShardedError{Command: "MULTI", Reason: "transactions and exclusive leases need a single node (use Node)"})
}

// Send routes cmd to the node of its keys: the key arguments it marks
// (proto.Cmd.Key), or, for a command built without marks, the ones the
// command table gives, or for a command the table lacks (newer than
// Redis 7.0, or a module's), the ones the servers describe (see the
// package documentation). A command whose keys span nodes is split when
// it is MGET, DEL, EXISTS, UNLINK, TOUCH or MSET, and fails with
// ErrNotSharded otherwise, as does a command without keys.
func (r *Ring) Send(cmd *proto.Cmd, res conn.Resolver) {
	if r.err != nil {
		cmd.Release()
		res.Resolve(proto.Value{}, r.err)
		return
	}
	if handle.RefuseShared(cmd) != nil {
		fail(cmd, res, "it changes the state of a shared connection")
		return
	}
	keys := routeKeys(cmd)
	if len(keys) == 0 {
		if !cmdinfo.Known(cmd) {
			r.learn(cmd, res)
			return
		}
		fail(cmd, res, "no key")
		return
	}
	first := r.hr.index(cmd.ArgBytes(keys[0]))
	for _, k := range keys[1:] {
		if r.hr.index(cmd.ArgBytes(k)) != first {
			if scatter.Splittable(cmd, keys) {
				r.scatter(cmd, keys, res)
				return
			}
			fail(cmd, res, "keys on different shards")
			return
		}
	}
	r.nodes[first].Send(cmd, res)
}

// SendBatch sends cmds as one unit to the node all their keys belong to
// (an explicit pipeline or a batch on one shard). A batch with a keyless
// command or keys on several nodes fails every command with ErrNotSharded,
// as txredisapi's sharded pipeline() did; nothing is sent. The keys of
// commands the command table lacks are learned first, as by Send.
func (r *Ring) SendBatch(cmds []*proto.Cmd, rs []conn.Resolver) {
	if r.err == nil {
		if unknown := unlearned(cmds); len(unknown) > 0 {
			r.learnBatch(cmds, rs, unknown)
			return
		}
	}
	r.sendBatch(cmds, rs)
}

// sendBatch routes a batch whose commands' keys are known.
func (r *Ring) sendBatch(cmds []*proto.Cmd, rs []conn.Resolver) {
	var err error
	node := -1
	for _, cmd := range cmds {
		if r.err != nil {
			err = r.err
			break
		}
		if handle.RefuseShared(cmd) != nil {
			err = &NotShardedError{Command: cmd.Name(), Reason: "it changes the state of a shared connection"}
			break
		}
		keys := routeKeys(cmd)
		if len(keys) == 0 {
			err = &NotShardedError{Command: cmd.Name(), Reason: "no key (in a batch)"}
			break
		}
		for _, k := range keys {
			i := r.hr.index(cmd.ArgBytes(k))
			if node >= 0 && i != node {
				err = &NotShardedError{Command: cmd.Name(), Reason: "batch spans shards"}
				break
			}
			node = i
		}
		if err != nil {
			break
		}
	}
	if err == nil && node < 0 {
		return // an empty batch
	}
	if err != nil {
		for i, cmd := range cmds {
			cmd.Release()
			rs[i].Resolve(proto.Value{}, err)
		}
		return
	}
	if b, ok := r.nodes[node].(conn.BatchSender); ok {
		b.SendBatch(cmds, rs)
		return
	}
	for i, cmd := range cmds {
		r.nodes[node].Send(cmd, rs[i])
	}
}

// routeKeys returns the indexes of the arguments cmd is routed by. The
// slice may alias cmd: it is valid until cmd is released.
func routeKeys(cmd *proto.Cmd) []int {
	if keys := cmd.Keys(); len(keys) > 0 {
		return keys
	}
	if cmd.Name() == "PUBLISH" && cmd.Len() == 3 {
		// txredisapi routed publish by its channel, as if it were a key.
		return []int{1}
	}
	return cmdinfo.Keys(cmd)
}

func fail(cmd *proto.Cmd, res conn.Resolver, reason string) {
	err := &NotShardedError{Command: cmd.Name(), Reason: reason}
	cmd.Release()
	res.Resolve(proto.Value{}, err)
}

// String returns a description of the ring for logs: its node names.
func (r *Ring) String() string {
	if r.err != nil {
		return "shard.Ring(" + r.err.Error() + ")"
	}
	return "shard.Ring(" + strings.Join(r.names, ", ") + ")"
}
