package sentinel

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/coalesce"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/pubsub"
)

// Client is a handle on the master of a sentinel-monitored group: it
// embeds the same command set as every other handle and sends every
// command to the current master, switching to the new master when the
// sentinels fail over. It is safe for concurrent use and never blocks
// when a command is sent.
type Client struct {
	conn.Commands

	name string     // immutable
	opts Options    // immutable, defaults filled in
	sn   *sentinels // immutable

	master atomic.Pointer[server]
	done   chan struct{} // closed by Disconnect, holding mu
	// discoverer runs the background discoveries.
	discoverer *coalesce.Runner     // immutable
	subs       []*pubsub.Subscriber // immutable: an event subscriber per sentinel

	// dmu serializes discoveries and the switches events make, so that
	// a switch is never undone by a discovery that started before it.
	dmu sync.Mutex

	mu sync.Mutex // protects the fields below
	// epoch is the config epoch of the installed master as far as known:
	// views of an older epoch do not move the client (-1: unknown).
	epoch int64
	// hint is the address named by the newest switch the sentinels
	// announced; newEpochs the newest +new-epoch of each sentinel.
	hint      string
	newEpochs []int64
	// watching holds the addresses of replicas being watched for their
	// promotion.
	watching map[string]bool
	replicas []*server
	rr       int
	// search is the search for a master that commands wait on while none
	// is known; nil when none runs.
	search *deferred.Deferred[*server]
	// retired are the Disconnects of servers dropped after a switch.
	retired  []*deferred.Deferred[struct{}]
	closed   bool
	switches int64

	wg          sync.WaitGroup // goroutines of the client
	closeOnce   sync.Once
	disconnectD deferred.Deferred[struct{}]
}

// New returns a client at once and looks for the master in the
// background (the lazy constructor, as lazy.Connection is for a
// connection). Commands sent before the master is known wait for the
// search, at most ConnectTimeout, and then go to the master or fail with
// an error matching ErrNoMaster; a later command starts a new search.
func New(sentinelAddrs []string, masterName string, opts Options) *Client {
	c := newClient(sentinelAddrs, masterName, opts)
	c.awaitMaster()
	return c
}

// Connect asks the sentinels for the master named masterName, checks with
// ROLE that it is a master, and fires the returned Deferred with the
// client. A sentinel that does not know the master yet, a master flagged
// down or one that answers ROLE as a replica (a failover under way) make
// it ask again, with backoff, until ConnectTimeout; then it fails with an
// error matching ErrNoMaster and nothing is left running.
func Connect(sentinelAddrs []string, masterName string, opts Options) *deferred.Deferred[*Client] {
	c := newClient(sentinelAddrs, masterName, opts)
	d := new(deferred.Deferred[*Client])
	c.awaitMaster().Observe(func(_ *server, err error) {
		if err == nil {
			_ = d.Callback(c)
			return
		}
		c.Disconnect().Observe(func(struct{}, error) { _ = d.Errback(err) })
	})
	return d
}

func newClient(sentinelAddrs []string, masterName string, opts Options) *Client {
	opts = opts.withDefaults()
	c := &Client{
		name:      masterName,
		opts:      opts,
		sn:        newSentinels(sentinelAddrs, masterName, opts),
		done:      make(chan struct{}),
		epoch:     -1,
		newEpochs: make([]int64, len(sentinelAddrs)),
		watching:  map[string]bool{},
	}
	c.Commands = conn.NewCommands(c)
	c.discoverer = coalesce.New(&c.mu, &c.wg, c.done, minDiscoveryInterval, c.discoverOnce)
	for i, a := range c.sn.addrs {
		c.subs = append(c.subs, c.subscribe(i, a))
	}
	if opts.RefreshInterval > 0 {
		c.wg.Add(1)
		go c.periodic(opts.RefreshInterval)
	}
	return c
}

// minDiscoveryInterval spaces background discoveries.
const minDiscoveryInterval = 100 * time.Millisecond

// trigger asks for a discovery in the background: a burst of triggers
// makes one, plus at most one more started after it, no sooner than
// minDiscoveryInterval after the previous.
func (c *Client) trigger() { c.discoverer.Trigger() }

// discoverOnce is one background discovery; its error leaves the master
// as it is.
func (c *Client) discoverOnce() {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.ConnectTimeout)
	defer cancel()
	_ = c.discover(ctx)
}

// periodic triggers a discovery every interval until Disconnect.
func (c *Client) periodic(interval time.Duration) {
	defer c.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			c.trigger()
		case <-c.done:
			return
		}
	}
}

// awaitMaster returns a Deferred that fires with the master: at once when
// one is installed, else when the search for one under way (started now
// if none is) ends, with its error if it found none.
func (c *Client) awaitMaster() *deferred.Deferred[*server] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.master.Load(); s != nil {
		return deferred.Succeed(s)
	}
	if c.closed {
		return deferred.Fail[*server](closedError())
	}
	if c.search == nil {
		c.search = new(deferred.Deferred[*server])
		c.wg.Add(1)
		go c.find(c.search)
	}
	return c.search
}

// find looks for a master, with backoff, until one is installed or
// ConnectTimeout passes, and fires d with the outcome.
func (c *Client) find(d *deferred.Deferred[*server]) {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.ConnectTimeout)
	defer cancel()
	var err error
	for attempt := 0; ; attempt++ {
		if err = c.discover(ctx); err == nil || c.master.Load() != nil {
			err = nil
			break
		}
		wait := findBackoff(attempt)
		if dl, _ := ctx.Deadline(); time.Until(dl) < wait {
			break
		}
		if !c.sleep(wait) {
			err = closedError()
			break
		}
	}
	c.mu.Lock()
	if c.search == d {
		c.search = nil
	}
	s := c.master.Load()
	c.mu.Unlock()
	if s != nil {
		_ = d.Callback(s)
		return
	}
	_ = d.Errback(err)
}

// sleep waits for d; it reports false when Disconnect cut it short.
func (c *Client) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.done:
		return false
	}
}

// findBackoff is the wait before attempt n+1 of a search: 50ms doubling
// to 1s.
func findBackoff(n int) time.Duration {
	d := 50 * time.Millisecond
	for i := 0; i < n && d < time.Second; i++ {
		d *= 2
	}
	return min(d, time.Second)
}

// MasterAddr returns the address of the current master, or "" while none
// is known.
func (c *Client) MasterAddr() string {
	if s := c.master.Load(); s != nil {
		return s.addr
	}
	return ""
}

// Switches returns how many times the client installed a new master,
// the first one included.
func (c *Client) Switches() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.switches
}

// Send sends cmd to the current master. It takes ownership of cmd and
// resolves r exactly once. While no master is known the command waits
// for the search (see New). Commands in flight when the master fails or
// is replaced get connection errors; they are not retried, since they
// may have run.
func (c *Client) Send(cmd *proto.Cmd, r conn.Resolver) {
	if c.isClosed() {
		cmd.Release()
		r.Resolve(proto.Value{}, closedError())
		return
	}
	if s := c.master.Load(); s != nil {
		s.cl.Send(cmd, r)
		return
	}
	c.awaitMaster().Observe(func(s *server, err error) {
		if err != nil {
			cmd.Release()
			r.Resolve(proto.Value{}, err)
			return
		}
		s.cl.Send(cmd, r)
	})
}

// SendBatch sends cmds to the current master as one unit.
func (c *Client) SendBatch(cmds []*proto.Cmd, rs []conn.Resolver) {
	if c.isClosed() {
		failBatch(cmds, rs, closedError())
		return
	}
	if s := c.master.Load(); s != nil {
		s.cl.SendBatch(cmds, rs)
		return
	}
	c.awaitMaster().Observe(func(s *server, err error) {
		if err != nil {
			failBatch(cmds, rs, err)
			return
		}
		s.cl.SendBatch(cmds, rs)
	})
}

func failBatch(cmds []*proto.Cmd, rs []conn.Resolver, err error) {
	for i, cmd := range cmds {
		cmd.Release()
		rs[i].Resolve(proto.Value{}, err)
	}
}

// Lease lends a connection of the current master for exclusive use
// (conn.Leaser; Multi and Watch use it). With one connection (PoolSize
// <= 1) this is that connection, and other commands fail with
// conn.ErrLeased until the transaction ends, as with a Conn.
func (c *Client) Lease(ctx context.Context) *deferred.Deferred[*conn.Lease] {
	if c.isClosed() {
		return deferred.Fail[*conn.Lease](closedError())
	}
	if s := c.master.Load(); s != nil {
		return s.cl.Lease(ctx)
	}
	return deferred.Chain(c.awaitMaster(), func(s *server) *deferred.Deferred[*conn.Lease] {
		return s.cl.Lease(ctx)
	})
}

func (c *Client) isClosed() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func closedError() error { return &conn.ConnectionError{Op: "closed", Err: conn.ErrClosed} }

// Disconnect stops following the sentinels, closes every connection
// (letting replies in flight arrive) and fires once nothing of the client
// is running. It is idempotent.
func (c *Client) Disconnect() *deferred.Deferred[struct{}] {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		close(c.done)
		c.mu.Unlock()
		// Closing the sentinel connections first cuts a discovery short.
		ds := c.sn.disconnect()
		for _, sub := range c.subs {
			ds = append(ds, sub.Disconnect())
		}
		go func() {
			c.wg.Wait() // no discovery nor watch runs past this point
			c.mu.Lock()
			ds = append(ds, c.retired...)
			c.retired = nil
			for _, r := range c.replicas {
				ds = append(ds, r.cl.Disconnect())
			}
			c.replicas = nil
			c.mu.Unlock()
			if s := c.master.Load(); s != nil {
				ds = append(ds, s.cl.Disconnect())
			}
			ctx := context.Background()
			for _, d := range ds {
				_, _ = d.Wait(ctx)
			}
			_ = c.disconnectD.Callback(struct{}{})
		}()
	})
	return &c.disconnectD
}
