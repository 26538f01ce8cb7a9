package cluster

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/cmdinfo"
	"github.com/txredis/txredis/internal/coalesce"
)

// Cluster is a handle on a Redis Cluster: it embeds the same command set
// as every other handle and routes each command to the node serving the
// slot of its keys, following redirections. It is safe for concurrent use
// and, like a Conn, never blocks when a command is sent: commands may be
// sent from Deferred callbacks.
type Cluster struct {
	conn.Commands

	opts  Options  // immutable
	start []string // immutable: the start addresses

	// slots maps each hash slot to its shard; nil until known.
	slots [NumSlots]atomic.Pointer[shard]
	// masters holds every shard of the latest map, for keyless commands
	// and refreshes.
	masters atomic.Pointer[[]*shard]

	done chan struct{} // closed by Disconnect, holding mu
	// refresher runs the background refreshes of the slot map.
	refresher *coalesce.Runner // immutable

	mu sync.Mutex // protects the fields below
	// nodes holds a node per address in use.
	nodes map[string]*node
	// cutOff holds the addresses of masters cut off as stalled (see
	// StallTimeout) until a map names them masters again: redirections
	// to them from nodes that have not caught up are not followed.
	cutOff map[string]bool
	// retired holds nodes dropped from the map, whose Disconnect the
	// cluster's Disconnect waits for.
	retired []*deferred.Deferred[struct{}]
	closed  bool
	// onMap are called after each refresh of the map (shard subscribers).
	onMap []func()
	// connectErr is why Connect failed.
	connectErr error
	// addrErr is why a start address could not be used; immutable.
	addrErr error

	stats struct{ moved, asked, retried, refreshes atomic.Uint64 } // see Stats

	// learner finds the keys of commands the command table lacks.
	learner cmdinfo.Learner

	wg          sync.WaitGroup // refresh goroutines and retry timers
	closeOnce   sync.Once
	disconnectD deferred.Deferred[struct{}]
	readyD      deferred.Deferred[*Cluster]
	readyOnce   sync.Once
}

// New returns a cluster handle at once and discovers the slot map in the
// background (the lazy constructor). Commands sent before the map is
// known go to a start node and follow its redirections.
func New(startAddrs []string, opts Options) *Cluster {
	c := newCluster(startAddrs, opts)
	c.triggerRefresh()
	return c
}

// Connect discovers the slot map from the first start address that
// answers and fires the returned Deferred with the cluster once it is
// known. When no start node answers, the Deferred fails with an error
// matching ErrNoNodes and nothing is left running.
//
// A start address may be a URL ("rediss://:password@host:7000", see
// conn.ParseURL): its settings fill opts.Options for every node, as
// conn.Options.ApplyURL says, so several start URLs must agree. A URL
// that cannot be used, or that selects a database other than 0, fails
// the Deferred (New: every command) with an error matching
// conn.ErrBadURL.
func Connect(startAddrs []string, opts Options) *deferred.Deferred[*Cluster] {
	c := newCluster(startAddrs, opts)
	if c.addrErr != nil {
		return &c.readyD // failed with addrErr by newCluster
	}
	c.mu.Lock()
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		if err := c.refreshNow(); err != nil {
			c.mu.Lock()
			c.connectErr = err
			c.mu.Unlock()
			c.Disconnect() // fires Ready with connectErr once all is stopped
			return
		}
		c.ready(nil)
	}()
	return &c.readyD
}

func newCluster(startAddrs []string, opts Options) *Cluster {
	start, opts, addrErr := resolveSeeds(startAddrs, opts)
	opts = opts.withDefaults()
	c := &Cluster{opts: opts, start: start, done: make(chan struct{}), nodes: map[string]*node{}, cutOff: map[string]bool{}}
	c.Commands = conn.NewCommands(c)
	c.refresher = coalesce.New(&c.mu, &c.wg, c.done, minRefreshInterval, c.refreshOnce)
	if opts.RefreshInterval > 0 {
		c.wg.Add(1)
		go c.periodic(opts.RefreshInterval)
	}
	if opts.StallTimeout > 0 {
		c.wg.Add(1)
		go c.monitor(opts.StallTimeout)
	}
	if addrErr != nil {
		// Closed from the start: Ready fails and commands fail with it.
		c.addrErr, c.connectErr = addrErr, addrErr
		c.Disconnect()
	}
	return c
}

// ready fires Ready's Deferred once.
func (c *Cluster) ready(err error) {
	c.readyOnce.Do(func() {
		if err != nil {
			_ = c.readyD.Errback(err)
		} else {
			_ = c.readyD.Callback(c)
		}
	})
}

// Ready returns a Deferred that fires with c once the slot map is first
// known (for Connect, the Deferred Connect returned). It fails if the
// cluster is disconnected before.
func (c *Cluster) Ready() *deferred.Deferred[*Cluster] { return &c.readyD }

// Options returns the options the cluster was created with, defaults
// filled in.
func (c *Cluster) Options() Options { return c.opts }

// isClosed reports whether Disconnect was called.
func (c *Cluster) isClosed() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func closedError() error {
	return &conn.ConnectionError{Op: "closed", Err: conn.ErrClosed}
}

// nodeFor returns the node at addr, creating it (its connection dials in
// the background) if needed; nil after Disconnect.
func (c *Cluster) nodeFor(addr string) *node {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	if n, ok := c.nodes[addr]; ok {
		return n
	}
	n := newNode(c, addr, c.opts, c.nodeState)
	c.nodes[addr] = n
	return n
}

// redirectTarget returns the node at addr for a redirection (nil after
// Disconnect), or cut when addr was cut off as stalled.
func (c *Cluster) redirectTarget(addr string) (n *node, cut bool) {
	c.mu.Lock()
	cut = c.cutOff[addr]
	c.mu.Unlock()
	if cut {
		return nil, true
	}
	return c.nodeFor(addr), false
}

// nodeState is every node connection's OnState hook: a connection that
// goes down may mean a failover, so the map is refreshed.
func (c *Cluster) nodeState(e conn.StateEvent) {
	if e.State == conn.StateDisconnected {
		c.triggerRefresh()
	}
}

// retire disconnects nodes dropped from the map; Disconnect waits for them.
func (c *Cluster) retire(ns []*node) {
	if len(ns) == 0 {
		return
	}
	var ds []*deferred.Deferred[struct{}]
	for _, n := range ns {
		ds = append(ds, n.close()...)
	}
	c.mu.Lock()
	c.retired = append(c.retired, ds...)
	c.mu.Unlock()
}

// Disconnect stops refreshing, disconnects every node (letting replies in
// flight arrive) and fires once nothing of the cluster is running.
// Commands sent afterwards fail with a *conn.ConnectionError matching
// conn.ErrClosed. It is idempotent.
func (c *Cluster) Disconnect() *deferred.Deferred[struct{}] {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		close(c.done)
		var ns []*node
		for _, n := range c.nodes {
			ns = append(ns, n)
		}
		c.nodes = map[string]*node{}
		c.mu.Unlock()
		var ds []*deferred.Deferred[struct{}]
		for _, n := range ns {
			ds = append(ds, n.close()...)
		}
		go func() {
			c.wg.Wait() // no refresh nor retry runs past this point
			c.mu.Lock()
			ds = append(ds, c.retired...)
			c.retired = nil
			readyErr := c.connectErr
			c.mu.Unlock()
			if readyErr == nil {
				readyErr = closedError()
			}
			ctx := context.Background()
			for _, d := range ds {
				_, _ = d.Wait(ctx)
			}
			c.ready(readyErr)
			_ = c.disconnectD.Callback(struct{}{})
		}()
	})
	return &c.disconnectD
}

// Node returns the handle of the master serving key's slot, as the map
// currently says; transactions on keys of that slot run on it:
//
//	tx, err := c.Node("{user1}").Multi("{user1}.balance").Wait(ctx)
//
// It returns nil after Disconnect.
func (c *Cluster) Node(key string) *Node {
	return c.SlotNode(Slot(key))
}

// SlotNode returns the handle of the master serving slot (a start node
// when the map is not known yet), or nil after Disconnect.
func (c *Cluster) SlotNode(slot int) *Node {
	if slot < 0 || slot >= NumSlots {
		return nil
	}
	if sh := c.slots[slot].Load(); sh != nil {
		return newNodeHandle(sh.master)
	}
	n := c.anyNode()
	if n == nil {
		return nil
	}
	return newNodeHandle(n)
}

// Masters returns a handle per master of the current map, for commands
// that must reach every master (FLUSHALL, SCAN, SCRIPT LOAD, ...).
func (c *Cluster) Masters() []*Node {
	ms := c.masters.Load()
	if ms == nil {
		return nil
	}
	out := make([]*Node, len(*ms))
	for i, sh := range *ms {
		out[i] = newNodeHandle(sh.master)
	}
	return out
}

// Lease fails with ErrNoSlot: the cluster cannot know which node a
// transaction is for. Start transactions on Node(key).
func (c *Cluster) Lease(ctx context.Context) *deferred.Deferred[*conn.Lease] {
	return deferred.Fail[*conn.Lease](ErrNoSlot)
}

// anyNode returns a master at random, or a start node when no map is
// known; nil after Disconnect.
func (c *Cluster) anyNode() *node {
	if ms := c.masters.Load(); ms != nil && len(*ms) > 0 {
		return (*ms)[rand.IntN(len(*ms))].master
	}
	return c.nodeFor(c.start[rand.IntN(len(c.start))])
}
