package sentinel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/coalesce"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/pubsub"
)

// Options configures a sentinel-managed client. The embedded conn.Options
// apply to the master and replica connections (Addr is ignored: the
// sentinels give the addresses).
type Options struct {
	conn.Options
	// PoolSize, when > 1, puts a pool of that many connections behind the
	// master and each replica; otherwise each has one pipelined connection.
	PoolSize int
	// SentinelUsername and SentinelPassword authenticate to the sentinels,
	// which often have credentials of their own.
	SentinelUsername string
	SentinelPassword string
	// MinOtherSentinels, when > 0, ignores a sentinel that knows fewer
	// other sentinels for the master (txredisapi's min_other_sentinels):
	// a partitioned sentinel's view is not trusted.
	MinOtherSentinels int
}

// ErrNoMaster matches a failed discovery: no sentinel named a master that
// answered ROLE as a master.
var ErrNoMaster = errors.New("txredis/sentinel: no master found")

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
}

// Client is a handle on the master of a sentinel-monitored group: it
// embeds the same command set as every other handle and sends every
// command to the current master, switching to the new master when the
// sentinels fail over. It is safe for concurrent use and never blocks
// when a command is sent.
type Client struct {
	conn.Commands

	name      string   // immutable
	opts      Options  // immutable
	sentinels []string // immutable

	master atomic.Pointer[server]
	done   chan struct{} // closed by Disconnect, holding mu
	// discoverer runs the background discoveries.
	discoverer *coalesce.Runner // immutable

	sconns []*conn.Conn         // immutable: a command connection per sentinel
	subs   []*pubsub.Subscriber // immutable: a +switch-master subscriber per sentinel

	mu sync.Mutex // protects the fields below
	// epoch is the sentinels' config epoch of the installed master.
	epoch    int64
	replicas []*server
	rr       int
	// retired are the Disconnects of servers dropped after a switch.
	retired  []*deferred.Deferred[struct{}]
	closed   bool
	switches int64

	wg          sync.WaitGroup // discovery goroutines
	closeOnce   sync.Once
	disconnectD deferred.Deferred[struct{}]
}

// Connect asks the sentinels at sentinelAddrs for the master named
// masterName, checks with ROLE that it is a master, subscribes to
// +switch-master on every sentinel, and fires the returned Deferred with
// the client. When no sentinel names a working master it fails with an
// error matching ErrNoMaster and nothing is left running.
func Connect(sentinelAddrs []string, masterName string, opts Options) *deferred.Deferred[*Client] {
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = conn.DefaultConnectTimeout
	}
	c := &Client{name: masterName, opts: opts, sentinels: append([]string(nil), sentinelAddrs...), done: make(chan struct{})}
	c.Commands = conn.NewCommands(c)
	c.discoverer = coalesce.New(&c.mu, &c.wg, c.done, minDiscoveryInterval, c.discoverOnce)
	for _, a := range c.sentinels {
		so := c.sentinelOptions(a)
		c.sconns = append(c.sconns, conn.New(so))
		sub := pubsub.New(pubsub.Options{Options: so, OnResubscribed: func(_, _, _ []string) { c.trigger() }},
			pubsub.HandlerFunc(c.onMessage))
		sub.Subscribe("+switch-master")
		c.subs = append(c.subs, sub)
	}
	d := new(deferred.Deferred[*Client])
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		err := c.discover()
		if err == nil {
			_ = d.Callback(c)
			return
		}
		c.Disconnect().Observe(func(struct{}, error) { _ = d.Errback(err) })
	}()
	return d
}

// sentinelOptions are the connection options for the sentinel at addr.
func (c *Client) sentinelOptions(addr string) conn.Options {
	return conn.Options{
		Addr:           addr,
		Username:       c.opts.SentinelUsername,
		Password:       c.opts.SentinelPassword,
		TLS:            c.opts.TLS,
		ConnectTimeout: c.opts.ConnectTimeout,
		Dialer:         c.opts.Dialer,
		Logger:         c.opts.Logger,
		Backoff:        c.opts.Backoff,
	}
}

// onMessage receives +switch-master: "<name> <old ip> <old port> <new ip>
// <new port>".
func (c *Client) onMessage(_, channel, msg string) {
	if channel != "+switch-master" {
		return
	}
	if f := strings.Fields(msg); len(f) == 5 && f[0] == c.name {
		c.trigger()
	}
}

// newServer connects (lazily) to addr.
func (c *Client) newServer(addr string) *server {
	co := c.opts.Options
	co.Addr = addr
	user := co.OnState
	co.OnState = func(e conn.StateEvent) {
		if user != nil {
			user(e)
		}
		if e.State == conn.StateDisconnected {
			c.trigger() // the master may have failed: ask the sentinels
		}
	}
	if c.opts.PoolSize > 1 {
		return &server{addr: addr, cl: pool.New(pool.Options{Options: co, PoolSize: c.opts.PoolSize})}
	}
	return &server{addr: addr, cl: conn.New(co)}
}

// view is one sentinel's answer about the master.
type view struct {
	addr   string
	epoch  int64
	others int64
	from   int // index of the sentinel
}

// ask queries every sentinel for the master and returns the views that
// qualify, in the order of the sentinels.
func (c *Client) ask(ctx context.Context) ([]view, error) {
	ds := make([]*deferred.Deferred[proto.Value], len(c.sconns))
	for i, sc := range c.sconns {
		ds[i] = conn.Request(sc, proto.NewCmd("SENTINEL").Arg("MASTER").Arg(c.name), conn.Identity)
	}
	var views []view
	var errs []error
	for i, d := range ds {
		v, err := d.Wait(ctx)
		var vw view
		if err == nil {
			vw, err = parseMaster(v)
		}
		if err != nil {
			// SENTINEL MASTER may be refused by ACLs: fall back to the
			// address alone.
			if a, aerr := c.addrByName(ctx, c.sconns[i]); aerr == nil {
				vw, err = view{addr: a, epoch: -1, others: -1}, nil
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.sentinels[i], err))
			continue
		}
		vw.from = i
		if c.opts.MinOtherSentinels > 0 {
			if vw.others < 0 {
				vw.others = c.otherSentinels(ctx, c.sconns[i])
			}
			if vw.others < int64(c.opts.MinOtherSentinels) {
				errs = append(errs, fmt.Errorf("%s knows %d other sentinels, fewer than %d", c.sentinels[i], vw.others, c.opts.MinOtherSentinels))
				continue
			}
		}
		views = append(views, vw)
	}
	if len(views) == 0 {
		return nil, fmt.Errorf("%w for %q: %w", ErrNoMaster, c.name, errors.Join(errs...))
	}
	return views, nil
}

// parseMaster reads SENTINEL MASTER's field list.
func parseMaster(v proto.Value) (view, error) {
	m, err := v.AsMap()
	if err != nil {
		return view{}, err
	}
	if m["ip"] == "" || m["port"] == "" {
		return view{}, errors.New("txredis/sentinel: SENTINEL MASTER: no address")
	}
	if strings.Contains(m["flags"], "o_down") {
		return view{}, errors.New("txredis/sentinel: master is objectively down")
	}
	epoch, _ := strconv.ParseInt(m["config-epoch"], 10, 64)
	others, err := strconv.ParseInt(m["num-other-sentinels"], 10, 64)
	if err != nil {
		others = -1
	}
	return view{addr: net.JoinHostPort(m["ip"], m["port"]), epoch: epoch, others: others}, nil
}

// addrByName asks one sentinel SENTINEL GET-MASTER-ADDR-BY-NAME.
func (c *Client) addrByName(ctx context.Context, sc *conn.Conn) (string, error) {
	v, err := conn.Request(sc, proto.NewCmd("SENTINEL").Arg("GET-MASTER-ADDR-BY-NAME").Arg(c.name), proto.Value.AsStrings).Wait(ctx)
	if err != nil {
		return "", err
	}
	if len(v) != 2 {
		return "", fmt.Errorf("%w: sentinel does not know %q", ErrNoMaster, c.name)
	}
	return net.JoinHostPort(v[0], v[1]), nil
}

// otherSentinels counts SENTINEL SENTINELS, or returns -1.
func (c *Client) otherSentinels(ctx context.Context, sc *conn.Conn) int64 {
	v, err := conn.Request(sc, proto.NewCmd("SENTINEL").Arg("SENTINELS").Arg(c.name), conn.Identity).Wait(ctx)
	if err != nil {
		return -1
	}
	return int64(len(v.Elems))
}

// replicasOf asks one sentinel for the healthy replicas.
func (c *Client) replicasOf(ctx context.Context, sc *conn.Conn) []string {
	v, err := conn.Request(sc, proto.NewCmd("SENTINEL").Arg("REPLICAS").Arg(c.name), conn.Identity).Wait(ctx)
	if err != nil {
		return nil
	}
	var out []string
	for _, r := range v.Elems {
		m, err := r.AsMap()
		if err != nil || m["ip"] == "" {
			continue
		}
		if strings.Contains(m["flags"], "s_down") || strings.Contains(m["flags"], "o_down") ||
			strings.Contains(m["flags"], "disconnected") || m["master-link-status"] == "err" {
			continue
		}
		out = append(out, net.JoinHostPort(m["ip"], m["port"]))
	}
	return out
}

// role asks s for ROLE and reports whether it is a master.
func role(ctx context.Context, s *server) error {
	v, err := conn.Request(s.cl, proto.NewCmd("ROLE"), conn.Identity).Wait(ctx)
	if err != nil {
		return err
	}
	if len(v.Elems) == 0 || v.Elems[0].Str != "master" {
		return fmt.Errorf("txredis/sentinel: %s is not a master (ROLE %v)", s.addr, v)
	}
	return nil
}

// discover asks the sentinels, picks the view with the highest config
// epoch whose server answers ROLE as a master, and installs it with the
// replicas that sentinel lists.
func (c *Client) discover() error {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.ConnectTimeout)
	defer cancel()
	views, err := c.ask(ctx)
	if err != nil {
		return err
	}
	// Highest epoch first; stable, so sentinel order breaks ties.
	for i := 1; i < len(views); i++ {
		for j := i; j > 0 && views[j].epoch > views[j-1].epoch; j-- {
			views[j], views[j-1] = views[j-1], views[j]
		}
	}
	var errs []error
	tried := map[string]bool{}
	for _, vw := range views {
		if tried[vw.addr] {
			continue
		}
		tried[vw.addr] = true
		cur := c.master.Load()
		s := cur
		if s == nil || s.addr != vw.addr {
			s = c.newServer(vw.addr)
		}
		if err := role(ctx, s); err != nil {
			errs = append(errs, err)
			if s != cur {
				c.mu.Lock()
				c.retired = append(c.retired, s.cl.Disconnect())
				c.mu.Unlock()
			}
			continue
		}
		c.install(s, vw.epoch, c.replicasOf(ctx, c.sconns[vw.from]))
		return nil
	}
	return fmt.Errorf("%w for %q: %w", ErrNoMaster, c.name, errors.Join(errs...))
}

// install makes s the master and sets the replicas, keeping the
// connections of replicas that stay and closing the others.
func (c *Client) install(s *server, epoch int64, replicaAddrs []string) {
	c.mu.Lock()
	if c.closed {
		if c.master.Load() != s {
			c.retired = append(c.retired, s.cl.Disconnect())
		}
		c.mu.Unlock()
		return
	}
	var drop []*server
	if old := c.master.Load(); old != s {
		if old != nil {
			drop = append(drop, old)
		}
		c.master.Store(s)
		c.switches++
	}
	c.epoch = max(c.epoch, epoch)
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
		reps = append(reps, c.newReplica(a))
	}
	for _, r := range keep {
		drop = append(drop, r)
	}
	c.replicas = reps
	for _, d := range drop {
		c.retired = append(c.retired, d.cl.Disconnect())
	}
	c.mu.Unlock()
}

// newReplica connects (lazily) to a replica; its failures do not trigger
// discovery.
func (c *Client) newReplica(addr string) *server {
	co := c.opts.Options
	co.Addr = addr
	if c.opts.PoolSize > 1 {
		return &server{addr: addr, cl: pool.New(pool.Options{Options: co, PoolSize: c.opts.PoolSize})}
	}
	return &server{addr: addr, cl: conn.New(co)}
}

// trigger asks for a discovery in the background: a burst of triggers
// makes one, plus at most one more started after it, no sooner than
// minDiscoveryInterval after the previous.
func (c *Client) trigger() { c.discoverer.Trigger() }

// minDiscoveryInterval spaces discoveries.
const minDiscoveryInterval = 100 * time.Millisecond

// discoverOnce is one background discovery; its error leaves the master
// as it is.
func (c *Client) discoverOnce() { _ = c.discover() }

// MasterAddr returns the address of the current master.
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
// resolves r exactly once. Commands in flight when the master fails get
// connection errors; they are not retried, since they may have run.
func (c *Client) Send(cmd *proto.Cmd, r conn.Resolver) {
	s := c.master.Load()
	if s == nil || c.isClosed() {
		cmd.Release()
		r.Resolve(proto.Value{}, closedError())
		return
	}
	s.cl.Send(cmd, r)
}

// SendBatch sends cmds to the current master as one unit.
func (c *Client) SendBatch(cmds []*proto.Cmd, rs []conn.Resolver) {
	s := c.master.Load()
	if s == nil || c.isClosed() {
		err := closedError()
		for i, cmd := range cmds {
			cmd.Release()
			rs[i].Resolve(proto.Value{}, err)
		}
		return
	}
	s.cl.SendBatch(cmds, rs)
}

// Lease lends a connection of the current master for exclusive use
// (conn.Leaser; Multi and Watch use it). With one connection (PoolSize
// <= 1) this is that connection, and other commands fail with
// conn.ErrLeased until the transaction ends, as with a Conn.
func (c *Client) Lease(ctx context.Context) *deferred.Deferred[*conn.Lease] {
	s := c.master.Load()
	if s == nil || c.isClosed() {
		return deferred.Fail[*conn.Lease](closedError())
	}
	return s.cl.Lease(ctx)
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
		var ds []*deferred.Deferred[struct{}]
		for _, sc := range c.sconns {
			ds = append(ds, sc.Disconnect())
		}
		for _, sub := range c.subs {
			ds = append(ds, sub.Disconnect())
		}
		go func() {
			c.wg.Wait() // no discovery runs past this point
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
