package pool_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

func opts(addr string, size int) pool.Options {
	return pool.Options{Options: conn.Options{Addr: addr}, PoolSize: size}
}

// A BRPOP waiting on the server must not delay other commands
// (txredisapi's test_blocking deadlocks here).
func TestBlockingDoesNotDelaySets(t *testing.T) {
	srv := testserver.Start(t)
	p := connectPool(t, opts(srv.Addr(), 2))

	brpop := p.Do("BRPOP", "q", "5")
	testutil.Eventually(t, func() error {
		if s := p.Stats(); s.Blocking != 1 {
			return fmt.Errorf("blocking leases: %d", s.Blocking)
		}
		return nil
	})
	start := time.Now()
	ds := make([]*deferred.Deferred[string], 100)
	for i := range ds {
		ds[i] = p.Set("k"+strconv.Itoa(i), strconv.Itoa(i))
	}
	for i, d := range ds {
		if have := testutil.Must(t, d); have != "OK" {
			t.Fatalf("SET %d: %q", i, have)
		}
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("100 SETs took %v beside a BRPOP", took)
	}
	if brpop.Fired() {
		t.Fatal("BRPOP returned before anything was pushed")
	}
	if have := testutil.Must(t, p.Do("LPUSH", "q", "job")); have.Int != 1 {
		t.Fatalf("LPUSH: %v", have)
	}
	v := testutil.Must(t, brpop)
	if have, _ := v.AsStrings(); len(have) != 2 || have[0] != "q" || have[1] != "job" {
		t.Fatalf("BRPOP: %v", v)
	}
	testutil.Eventually(t, func() error {
		if s := p.Stats(); s.Leased != 0 {
			return fmt.Errorf("leases held after the reply: %d", s.Leased)
		}
		return nil
	})
}

// Many goroutines through a small pool: every reply belongs to its command.
func TestConcurrentMixedCommands(t *testing.T) {
	srv := testserver.Start(t)
	p := connectPool(t, opts(srv.Addr(), 4))
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for g := 0; g < 200; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			key, ctr := "key:"+strconv.Itoa(g), "ctr:"+strconv.Itoa(g)
			for i := 0; i < 20; i++ {
				val := strconv.Itoa(g*1000 + i)
				// Commands sent without waiting may run on different
				// connections in any order: wait for the SET before the GET.
				set, incr := p.Set(key, val), p.Incr(ctr)
				if v, err := testutil.Wait(t, set); err != nil || v != "OK" {
					errs <- fmt.Errorf("SET %s: %q %v", key, v, err)
					return
				}
				if v, err := testutil.Wait(t, p.Get(key)); err != nil || v != val {
					errs <- fmt.Errorf("GET %s: have %q %v, want %q", key, v, err, val)
					return
				}
				if v, err := testutil.Wait(t, incr); err != nil || v != int64(i+1) {
					errs <- fmt.Errorf("INCR %s: have %d %v, want %d", ctr, v, err, i+1)
					return
				}
			}
			if v, err := testutil.Wait(t, p.Del(key, ctr)); err != nil || v != 2 {
				errs <- fmt.Errorf("DEL: %d %v", v, err)
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Every pooled connection is asked for, yet ordinary commands flow; more
// blocking commands get extra connections; past MaxExclusive a lease
// fails with ErrExhausted saying what holds the connections.
func TestLeasesNeverStarve(t *testing.T) {
	srv := testserver.Start(t)
	o := opts(srv.Addr(), 10)
	o.MaxExclusive = 12
	o.LeaseTimeout = 200 * time.Millisecond
	p := connectPool(t, o)
	ctx := context.Background()

	var leases []*conn.Lease
	for i := 0; i < 10; i++ {
		leases = append(leases, testutil.Must(t, p.Lease(ctx)))
	}
	if s := p.Stats(); s.Leased != 10 || s.Transactions != 10 || s.Extra < 1 {
		t.Fatalf("10 leases: %+v", s)
	}
	for i := 0; i < 50; i++ {
		if have := testutil.Must(t, p.Set("a", "b")); have != "OK" {
			t.Fatalf("SET with 10 leases held: %q", have)
		}
	}
	// Leased connections carry exactly their holder's commands.
	for i, l := range leases {
		if have := testutil.Must(t, handle.Request(l, proto.NewCmd("ECHO").Arg(strconv.Itoa(i)), proto.Value.AsString)); have != strconv.Itoa(i) {
			t.Fatalf("lease %d: %q", i, have)
		}
	}
	for _, l := range leases[2:] {
		l.Release()
	}
	if s := p.Stats(); s.Leased != 2 {
		t.Fatalf("after releasing 8: %+v", s)
	}

	// 10 BRPOPs beside 2 leases: 12 leased, extra connections dialled.
	var pops []*deferred.Deferred[proto.Value]
	for i := 0; i < 10; i++ {
		pops = append(pops, p.Do("BRPOP", "jobs", "10"))
	}
	testutil.Eventually(t, func() error {
		if s := p.Stats(); s.Blocking != 10 || s.Leased != 12 {
			return fmt.Errorf("stats %+v", s)
		}
		return nil
	})
	if s := p.Stats(); s.Open < 11 || s.Extra < 3 {
		t.Fatalf("12 leases on a pool of 10 with no extra connections: %+v", s)
	}
	if have := testutil.Must(t, p.Incr("n")); have != 1 {
		t.Fatalf("INCR with 12 leases held: %d", have)
	}

	start := time.Now()
	_, err := testutil.Wait(t, p.Lease(ctx))
	took := time.Since(start)
	var ex *pool.ExhaustedError
	if !errors.Is(err, pool.ErrExhausted) || !errors.As(err, &ex) {
		t.Fatalf("13th lease: have %v, want ErrExhausted", err)
	}
	if !strings.Contains(err.Error(), "12 leased: 10 blocking commands, 2 transactions") {
		t.Fatalf("message does not say what holds the connections: %v", err)
	}
	if took < 150*time.Millisecond || took > 2*time.Second {
		t.Fatalf("13th lease failed after %v, want about LeaseTimeout (200ms)", took)
	}
	// A blocking command past the limit fails the same way.
	if _, err := testutil.Wait(t, p.Do("BLPOP", "other", "1")); !errors.Is(err, pool.ErrExhausted) {
		t.Fatalf("13th blocking command: %v", err)
	}

	// A waiting lease is served as soon as one is released.
	waiting := p.Lease(ctx)
	leases[0].Release()
	l := testutil.Must(t, waiting)
	l.Release()
	leases[1].Release()

	for i := 0; i < 10; i++ {
		testutil.Must(t, p.Do("LPUSH", "jobs", strconv.Itoa(i)))
	}
	seen := map[string]bool{}
	for _, d := range pops {
		v, _ := testutil.Must(t, d).AsStrings()
		seen[v[1]] = true
	}
	if len(seen) != 10 {
		t.Fatalf("BRPOPs got %d distinct jobs: %v", len(seen), seen)
	}
	testutil.Eventually(t, func() error {
		if s := p.Stats(); s.Leased != 0 || s.Waiting != 0 {
			return fmt.Errorf("stats %+v", s)
		}
		return nil
	})
}

// A lease's connection goes back to the pool, and a cancelled or expired
// wait leaves nothing behind.
func TestLeaseContextAndCancel(t *testing.T) {
	srv := testserver.Start(t)
	o := opts(srv.Addr(), 2)
	o.MaxExclusive = 1
	o.LeaseTimeout = 5 * time.Second
	p := connectPool(t, o)

	held := testutil.Must(t, p.Lease(context.Background()))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := testutil.Wait(t, p.Lease(ctx)); !errors.Is(err, pool.ErrExhausted) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lease past its context: %v", err)
	}
	d := p.Lease(context.Background())
	d.Cancel()
	if _, err := testutil.Wait(t, d); !errors.Is(err, deferred.ErrCancelled) {
		t.Fatalf("cancelled lease: %v", err)
	}
	if s := p.Stats(); s.Waiting != 0 || s.Leased != 1 {
		t.Fatalf("stats after cancel: %+v", s)
	}
	held.Release()
	held.Release() // idempotent
	if s := p.Stats(); s.Leased != 0 {
		t.Fatalf("stats after release: %+v", s)
	}
	if _, err := testutil.Wait(t, p.Lease(canceledCtx())); !errors.Is(err, context.Canceled) {
		t.Fatalf("lease with a done context: %v", err)
	}
}

func canceledCtx() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// Extra connections are reused while idle and closed after
// ExtraIdleTimeout.
func TestExtraConnectionsReusedThenClosed(t *testing.T) {
	srv := testserver.Start(t)
	o := opts(srv.Addr(), 1)
	o.ExtraIdleTimeout = 300 * time.Millisecond
	p := connectPool(t, o)

	for i := 0; i < 5; i++ {
		l := testutil.Must(t, p.Lease(context.Background()))
		if have := testutil.Must(t, handle.Request(l, proto.NewCmd("PING"), proto.Value.AsString)); have != "PONG" {
			t.Fatalf("PING on lease: %q", have)
		}
		l.Release()
	}
	s := p.Stats()
	if s.Dials != 2 || s.Extra != 1 {
		t.Fatalf("5 leases in turn on a pool of 1: want 2 dials and 1 extra, have %+v", s)
	}
	testutil.Eventually(t, func() error {
		if s := p.Stats(); s.Extra != 0 || s.Open != 1 {
			return fmt.Errorf("idle extra not closed: %+v", s)
		}
		return nil
	})
	if have := testutil.Must(t, p.Ping()); have != "PONG" {
		t.Fatalf("PING: %q", have)
	}
}

// Connect fires only when every pooled connection is up.
func TestConnectWaitsForAll(t *testing.T) {
	srv := testserver.Start(t)
	p := connectPool(t, opts(srv.Addr(), 10))
	if s := p.Stats(); s.Open != 10 {
		t.Fatalf("Connect fired with %d of 10 connections open", s.Open)
	}
	list := testutil.Must(t, p.Do("CLIENT", "LIST"))
	s, _ := list.AsString()
	if n := strings.Count(strings.TrimSpace(s), "\n") + 1; n != 10 {
		t.Fatalf("CLIENT LIST shows %d clients, want 10:\n%s", n, s)
	}
}

// Connect to nothing fails with a ConnectionError and leaves nothing
// running.
func TestConnectUnreachable(t *testing.T) {
	before := runtime.NumGoroutine()
	addr := "127.0.0.1:" + strconv.Itoa(testserver.FreePort(t))
	_, err := testutil.Wait(t, pool.Connect(opts(addr, 4)))
	var cerr *conn.ConnectionError
	if !errors.Is(err, conn.ErrConnection) || !errors.As(err, &cerr) {
		t.Fatalf("Connect to a closed port: %v", err)
	}
	testutil.CheckGoroutines(t, before)
}

// Killing the server under load: nothing hangs, commands fail fast while
// it is down, and the pool recovers by itself after the restart.
func TestKillRestartUnderLoad(t *testing.T) {
	srv := testserver.Start(t)
	o := opts(srv.Addr(), 4)
	o.ReplyTimeout = 5 * time.Second
	p := connectPool(t, o)

	var down sync.WaitGroup // load running while the server is down
	var mu sync.Mutex
	var failTimes []time.Duration // how long each command started after the kill took to fail
	killed := make(chan struct{})
	stop := make(chan struct{})
	for g := 0; g < 50; g++ {
		down.Add(1)
		go func(g int) {
			defer down.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				afterKill := false
				select {
				case <-killed:
					afterKill = true
				default:
				}
				start := time.Now()
				_, err := testutil.Wait(t, p.Set("k"+strconv.Itoa(g), strconv.Itoa(i)))
				took := time.Since(start)
				if err != nil && !errors.Is(err, conn.ErrConnection) {
					t.Errorf("unexpected error kind: %v", err)
					return
				}
				if afterKill {
					if err != nil {
						mu.Lock()
						failTimes = append(failTimes, took)
						mu.Unlock()
					}
					time.Sleep(time.Millisecond)
				}
			}
		}(g)
	}
	time.Sleep(50 * time.Millisecond) // let the load build up
	srv.Kill()
	close(killed)
	testutil.Eventually(t, func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(failTimes) < 200 {
			return fmt.Errorf("%d commands failed while down", len(failTimes))
		}
		return nil
	})
	srv.Restart()
	restarted := time.Now()
	for {
		if _, err := testutil.Wait(t, p.Set("probe", "x")); err == nil {
			break
		}
		if time.Since(restarted) > time.Second {
			t.Fatalf("no recovery within 1s of the restart: %+v", p.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	recovered := time.Since(restarted)
	close(stop)
	down.Wait()
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(failTimes)
	p99, slowest := failTimes[len(failTimes)*99/100], failTimes[len(failTimes)-1]
	t.Logf("%d commands failed while down: median %v, p99 %v, slowest %v; recovered %v after restart",
		len(failTimes), failTimes[len(failTimes)/2], p99, slowest, recovered)
	// Failing is immediate; the bounds leave room for a loaded machine
	// running the race detector (50 goroutines on 2 shared cores).
	// Fail-fast means far below a dial timeout; the bounds leave room for
	// GC and scheduling pauses on a loaded machine under -race.
	if p99 > 200*time.Millisecond || slowest > time.Second {
		t.Fatalf("commands failed slowly while the server was down: p99 %v, slowest %v", p99, slowest)
	}
	testutil.Eventually(t, func() error {
		if s := p.Stats(); s.Open != 4 {
			return fmt.Errorf("open %d of 4", s.Open)
		}
		return nil
	})
	if s := p.Stats(); s.Failures < 4 {
		t.Fatalf("failures not counted: %+v", s)
	}
}

// Disconnect closes pooled and extra connections, leaks no goroutines and
// is idempotent; commands afterwards fail with ErrClosed.
func TestDisconnectLeaksNothing(t *testing.T) {
	srv := testserver.Start(t)
	before := runtime.NumGoroutine()
	o := opts(srv.Addr(), 3)
	o.ReplyTimeout = time.Second
	p := testutil.Must(t, pool.Connect(o))
	l1 := testutil.Must(t, p.Lease(context.Background()))
	l2 := testutil.Must(t, p.Lease(context.Background()))
	l3 := testutil.Must(t, p.Lease(context.Background()))
	l3.Release() // an idle extra
	testutil.Must(t, p.Set("x", "y"))
	pop := p.Do("BRPOP", "nothing", "0.2")
	get := p.Get("x")
	d1 := p.Disconnect()
	d2 := p.Disconnect()
	if d1 != d2 {
		t.Fatal("Disconnect is not idempotent")
	}
	testutil.Must(t, d1)
	if have, err := testutil.Wait(t, get); err != nil || have != "y" {
		t.Fatalf("in-flight GET at Disconnect: %q %v", have, err)
	}
	testutil.Wait(t, pop)
	if _, err := testutil.Wait(t, p.Get("x")); !errors.Is(err, conn.ErrClosed) {
		t.Fatalf("GET after Disconnect: %v", err)
	}
	if _, err := testutil.Wait(t, p.Lease(context.Background())); !errors.Is(err, conn.ErrClosed) {
		t.Fatalf("Lease after Disconnect: %v", err)
	}
	l1.Release()
	l2.Release()
	testutil.CheckGoroutines(t, before)
	if s := p.Stats(); s.Open != 0 || s.Extra != 0 {
		t.Fatalf("after Disconnect: %+v", s)
	}
}

// A worker loop written as callbacks: each BRPOP's callback sends the
// next one. Sending never blocks, so nothing deadlocks, and each BRPOP
// can reuse the connection its predecessor released.
func TestBlockingFromCallbacks(t *testing.T) {
	srv := testserver.Start(t)
	p := connectPool(t, opts(srv.Addr(), 2))
	const jobs = 20
	done := deferred.New[[]string](nil)
	var got []string
	var next func()
	next = func() {
		p.Do("BRPOP", "work", "5").Observe(func(v proto.Value, err error) {
			if err != nil {
				_ = done.Errback(err)
				return
			}
			s, _ := v.AsStrings()
			got = append(got, s[1])
			if len(got) == jobs {
				_ = done.Callback(got)
				return
			}
			next()
		})
	}
	next()
	for i := 0; i < jobs; i++ {
		testutil.Must(t, p.Do("LPUSH", "work", strconv.Itoa(i)))
	}
	have := testutil.Must(t, done)
	for i, s := range have {
		if s != strconv.Itoa(i) {
			t.Fatalf("job %d: %q (all: %v)", i, s, have)
		}
	}
	// The loop reuses its connection: at most one extra dial (a pooled
	// connection busy with the test's own LPUSH at the moment of a lease)
	// instead of one per job.
	if s := p.Stats(); s.Dials > 3 {
		t.Fatalf("the worker loop dialled extra connections: %+v", s)
	}
}
