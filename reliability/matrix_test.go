package reliability

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/examples/soak/load"
	"github.com/txredis/txredis/internal/faultproxy"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/lazy"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/pubsub"
	"github.com/txredis/txredis/shard"
)

// The fault matrix runs every handle kind, with DEFAULT options (only the
// address is set), through every fault, and requires 0 hung, 0
// misdelivered, 0 double-fired and 0 leaked goroutines. Each fault runs
// all handle kinds at once, each on its own server and proxy. The short
// version runs in `make test`; TXREDIS_FAULT_MATRIX=long holds the faults
// longer (a pause and a blackhole well past the reply timeout, more
// cuts) and repeats each fault three times.

// longMatrix selects the long version.
var longMatrix = os.Getenv("TXREDIS_FAULT_MATRIX") == "long"

// hung is how long a command may stay unresolved before it counts as
// hung: the default reply timeout and two watchdog ticks (when a silent
// server is found at the latest), a dial, and a margin for a loaded
// machine.
const hung = conn.DefaultReplyTimeout + conn.DefaultReplyTimeout/4 + conn.DefaultConnectTimeout + 3*time.Second

// blackholeMin is how long a blackhole must last for the default reply
// timeout to have found it on every connection.
const blackholeMin = conn.DefaultReplyTimeout + conn.DefaultReplyTimeout/4 + time.Second

// cell is one handle kind under one fault.
type cell struct {
	srv     *testserver.Server
	proxies []*faultproxy.Proxy
	admin   *conn.Conn // direct to the server, for CLIENT KILL and PAUSE
}

// matrixFault is one column of the matrix: what it does to a cell.
type matrixFault struct {
	name   string
	breaks bool // commands may fail with connection errors
	// found: commands in flight must fail (a blackhole: proof that the
	// default reply timeout found it).
	found  bool
	inject func(t *testing.T, c *cell)
}

func eachProxy(c *cell, f func(p *faultproxy.Proxy)) {
	for _, p := range c.proxies {
		f(p)
	}
}

func matrixFaults() []matrixFault {
	pause, blackhole, cuts := 1500*time.Millisecond, blackholeMin, 3
	if longMatrix {
		pause, blackhole, cuts = conn.DefaultReplyTimeout+5*time.Second, 2*conn.DefaultReplyTimeout+5*time.Second, 10
	}
	return []matrixFault{
		{"SIGKILL", true, false, func(t *testing.T, c *cell) {
			c.srv.Kill()
			time.Sleep(300 * time.Millisecond)
			c.srv.Restart()
		}},
		{"CLIENT KILL", true, false, func(t *testing.T, c *cell) {
			for _, typ := range []string{"normal", "pubsub"} {
				if _, err := testutil.Wait(t, c.admin.Do("CLIENT", "KILL", "TYPE", typ, "SKIPME", "yes")); err != nil {
					t.Errorf("CLIENT KILL TYPE %s: %v", typ, err)
				}
			}
		}},
		{"CLIENT PAUSE", longMatrix, false, func(t *testing.T, c *cell) {
			if _, err := testutil.Wait(t, c.admin.Do("CLIENT", "PAUSE", strconv.Itoa(int(pause/time.Millisecond)), "ALL")); err != nil {
				t.Errorf("CLIENT PAUSE: %v", err)
			}
			time.Sleep(pause + 200*time.Millisecond)
		}},
		{"blackhole", true, true, func(t *testing.T, c *cell) {
			eachProxy(c, func(p *faultproxy.Proxy) {
				p.Set(faultproxy.Fault{Dir: faultproxy.ToServer, Kind: faultproxy.Stall})
				p.Set(faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Stall})
			})
			time.Sleep(blackhole)
			eachProxy(c, (*faultproxy.Proxy).Clear)
		}},
		{"cut", true, false, func(t *testing.T, c *cell) {
			for range cuts {
				eachProxy(c, (*faultproxy.Proxy).CutAll)
				time.Sleep(200 * time.Millisecond)
			}
		}},
		{"truncate", true, false, func(t *testing.T, c *cell) {
			eachProxy(c, func(p *faultproxy.Proxy) {
				p.Set(faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Truncate, N: 3, Once: true})
			})
			time.Sleep(500 * time.Millisecond)
			eachProxy(c, (*faultproxy.Proxy).Clear)
		}},
		// Every bit of a reply's type byte flipped: RESP has no checksum,
		// so a flip inside a payload would reach the caller as a wrong
		// value of its own command; a flip in the framing must be caught
		// before any reply is matched to the wrong command.
		{"flip", true, false, func(t *testing.T, c *cell) {
			for range 2 {
				eachProxy(c, func(p *faultproxy.Proxy) {
					p.Set(faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Corrupt, Once: true})
				})
				time.Sleep(400 * time.Millisecond)
			}
			eachProxy(c, (*faultproxy.Proxy).Clear)
		}},
	}
}

// matrixHandle is one handle kind: it opens a handle over the proxies'
// addresses with default options and drives a workload on it.
type matrixHandle struct {
	name    string
	proxies int // proxied addresses it needs
	run     func(t *testing.T, addrs []string, c *cell, fault func()) outcome
}

// outcome is what a cell saw.
type outcome struct {
	sent, ok, connErrs, other, hung, wrong, double int64
	firstWrong                                     string
}

func (o outcome) String() string {
	return fmt.Sprintf("sent %d ok %d conn-errors %d other %d | hung %d misdelivered %d double-fired %d",
		o.sent, o.ok, o.connErrs, o.other, o.hung, o.wrong, o.double)
}

// within polls f until it returns nil, for at most limit, and returns
// its last error: the cells run on goroutines of their own, where a test
// must not stop.
func within(limit time.Duration, f func() error) error {
	deadline := time.Now().Add(limit)
	for {
		err := f()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// senderHandle drives the soak workload (unique values, checked replies,
// pipelines) on a conn.Sender.
func senderHandle(name string, proxies int, open func(addrs []string) (conn.Sender, func() *deferred.Deferred[struct{}], error)) matrixHandle {
	return matrixHandle{name, proxies, func(t *testing.T, addrs []string, c *cell, fault func()) outcome {
		s, disconnect, err := open(addrs)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return outcome{}
		}
		pipelines := 8
		if proxies > 1 {
			pipelines = -1 // a ring refuses batches that span its nodes
		}
		r := load.Start(load.Config{Workers: 2, Prefix: unique("matrix:"), MaxWait: hung, PipelineEvery: pipelines},
			load.Target{Name: name, S: s})
		progress := func(what string, n int64, limit time.Duration) {
			base := r.Snapshot().Succeeded
			if err := within(limit, func() error {
				if got := r.Snapshot().Succeeded - base; got < n {
					return fmt.Errorf("%d commands succeeded", got)
				}
				return nil
			}); err != nil {
				t.Errorf("%s %s: %v within %v", name, what, err, limit)
			}
		}
		progress("before the fault", 30, 20*time.Second)
		fault()
		progress("after the fault", 20, hung+10*time.Second)
		r.Stop()
		if _, err := disconnect().Wait(context.Background()); err != nil {
			t.Errorf("%s: Disconnect: %v", name, err)
		}
		st := r.Stats()
		return outcome{sent: st.Sent, ok: st.Succeeded, connErrs: st.ConnErrors, other: st.OtherErrors,
			hung: st.Lost + st.Late, wrong: st.Wrong, double: st.DoubleFired, firstWrong: st.FirstWrong}
	}}
}

var matrixHandles = []matrixHandle{
	senderHandle("conn", 1, func(addrs []string) (conn.Sender, func() *deferred.Deferred[struct{}], error) {
		c, err := conn.Connect(conn.Options{Addr: addrs[0]}).Wait(context.Background())
		if err != nil {
			return nil, nil, err
		}
		return c, c.Disconnect, nil
	}),
	senderHandle("lazy conn", 1, func(addrs []string) (conn.Sender, func() *deferred.Deferred[struct{}], error) {
		c := lazy.Connection(conn.Options{Addr: addrs[0]})
		return c, c.Disconnect, nil
	}),
	senderHandle("pool", 1, func(addrs []string) (conn.Sender, func() *deferred.Deferred[struct{}], error) {
		p, err := pool.Connect(pool.Options{Options: conn.Options{Addr: addrs[0]}}).Wait(context.Background())
		if err != nil {
			return nil, nil, err
		}
		return p, p.Disconnect, nil
	}),
	senderHandle("lazy pool", 1, func(addrs []string) (conn.Sender, func() *deferred.Deferred[struct{}], error) {
		p := lazy.ConnectionPool(pool.Options{Options: conn.Options{Addr: addrs[0]}})
		return p, p.Disconnect, nil
	}),
	senderHandle("ring", 2, func(addrs []string) (conn.Sender, func() *deferred.Deferred[struct{}], error) {
		r := lazy.ShardedConnection(addrs, conn.Options{}, shard.UnsignedCRC())
		return keyless{r}, r.Disconnect, nil
	}),
	{"subscriber", 1, runSubscriberCell},
}

// keyless sends the workload's keyless commands (ECHO), which a ring
// refuses, to the ring's first node; keyed ones go through the ring.
type keyless struct{ r *shard.Ring }

func (k keyless) Send(cmd *proto.Cmd, res conn.Resolver) {
	if len(cmd.Keys()) == 0 {
		k.r.Node(k.r.Nodes()[0]).Send(cmd, res)
		return
	}
	k.r.Send(cmd, res)
}

// runSubscriberCell subscribes through the proxy while the admin
// connection publishes numbered messages: messages arrive in order,
// never twice, never one that was not published; every subscribe request
// resolves exactly once, within the bound.
func runSubscriberCell(t *testing.T, addrs []string, c *cell, fault func()) outcome {
	var check msgCheck
	s := pubsub.New(pubsub.Options{Options: conn.Options{Addr: addrs[0]}}, &check)
	ch := unique("matrix-ch:")
	if _, err := s.Subscribe(ch).Wait(context.Background()); err != nil {
		t.Errorf("subscriber: %v", err)
		s.Disconnect()
		return outcome{}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var sent, ok, connErrs, hungReqs, double atomic.Int64
	wg.Add(2)
	go func() { // the publisher, direct to the server
		defer wg.Done()
		pub := lazy.Connection(conn.Options{Addr: c.srv.Addr()})
		defer func() { _, _ = pub.Disconnect().Wait(context.Background()) }()
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			n := check.published.Add(1)
			pub.Publish(ch, "m"+strconv.FormatInt(n, 10))
		}
	}()
	go func() { // subscribe requests, each resolved exactly once, in time
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			var fires atomic.Int32
			d := s.Subscribe(ch + ":extra" + strconv.Itoa(i%4))
			d.Observe(func([]pubsub.Confirmation, error) {
				if fires.Add(1) > 1 {
					double.Add(1)
				}
			})
			sent.Add(1)
			ctx, cancel := context.WithTimeout(context.Background(), hung)
			_, err := d.Wait(ctx)
			cancel()
			switch {
			case !d.Fired():
				hungReqs.Add(1)
			case err == nil:
				ok.Add(1)
			case errors.Is(err, conn.ErrConnection):
				connErrs.Add(1)
			default:
				t.Errorf("subscriber request: %v", err)
			}
		}
	}()
	received := func() int64 { check.mu.Lock(); defer check.mu.Unlock(); return check.received }
	waitMessages := func(what string, limit time.Duration) {
		base := received()
		if err := within(limit, func() error {
			if received()-base < 20 {
				return errors.New("messages not flowing")
			}
			return nil
		}); err != nil {
			t.Errorf("subscriber %s: %v within %v", what, err, limit)
		}
	}
	waitMessages("before the fault", 20*time.Second)
	fault()
	waitMessages("after the fault", hung+10*time.Second)
	close(stop)
	wg.Wait()
	if _, err := s.Disconnect().Wait(context.Background()); err != nil {
		t.Errorf("subscriber: Disconnect: %v", err)
	}
	check.mu.Lock()
	defer check.mu.Unlock()
	o := outcome{sent: sent.Load(), ok: ok.Load(), connErrs: connErrs.Load(), hung: hungReqs.Load(),
		wrong: int64(len(check.bad)), double: double.Load()}
	if len(check.bad) > 0 {
		o.firstWrong = check.bad[0]
	}
	return o
}

// TestFaultMatrixDefaultOptions is issue 14's fault matrix: every handle
// kind (conn, lazy conn, pool, lazy pool, ring, subscriber) with default
// options, under SIGKILL, CLIENT KILL, CLIENT PAUSE, blackhole, cut,
// truncate and flipped bits: 0 hung, 0 misdelivered, 0 double-fired, 0
// leaked goroutines. (A cluster's nodes announce their own addresses, so
// it cannot be put behind these proxies; the cluster package runs its
// own failovers.)
func TestFaultMatrixDefaultOptions(t *testing.T) {
	testserver.Binary(t, "redis-server")
	rounds := 1
	if longMatrix {
		rounds = 3
	}
	for _, f := range matrixFaults() {
		t.Run(f.name, func(t *testing.T) {
			for round := 0; round < rounds; round++ {
				runMatrixColumn(t, f)
			}
		})
	}
}

// runMatrixColumn runs one fault over every handle kind at once.
func runMatrixColumn(t *testing.T, f matrixFault) {
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	results := make([]outcome, len(matrixHandles))
	cells := make([]*cell, len(matrixHandles))
	start := time.Now()
	for i, h := range matrixHandles {
		c := &cell{srv: testserver.Start(t)}
		c.admin = testutil.Must(t, conn.Connect(conn.Options{Addr: c.srv.Addr()}))
		addrs := make([]string, h.proxies)
		for j := range addrs {
			p := faultproxy.Start(t, c.srv.Addr())
			c.proxies = append(c.proxies, p)
			addrs[j] = p.Addr()
		}
		cells[i] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = h.run(t, addrs, c, func() { f.inject(t, c) })
		}()
	}
	wg.Wait()
	for _, c := range cells { // everything of the column stops before counting
		testutil.Must(t, c.admin.Disconnect())
		eachProxy(c, (*faultproxy.Proxy).Close)
		c.srv.Kill()
	}
	for i, h := range matrixHandles {
		o := results[i]
		t.Logf("%-11s %-10s %v", f.name, h.name, o)
		if o.hung != 0 || o.wrong != 0 || o.double != 0 {
			t.Errorf("%s under %s: %d hung, %d misdelivered, %d double-fired; first wrong: %s",
				h.name, f.name, o.hung, o.wrong, o.double, o.firstWrong)
		}
		if o.other != 0 {
			t.Errorf("%s under %s: %d commands failed with an error that is neither a ConnectionError nor expected", h.name, f.name, o.other)
		}
		if f.found && o.connErrs == 0 {
			t.Errorf("%s under %s: no command failed: the default reply timeout did not find the silent server", h.name, f.name)
		}
		if !f.breaks && o.connErrs != 0 {
			t.Errorf("%s under %s: %d connection errors under a fault that should not break anything", h.name, f.name, o.connErrs)
		}
	}
	t.Logf("%s: every handle kind in %v", f.name, time.Since(start).Round(100*time.Millisecond))
	testutil.CheckGoroutines(t, before)
}
