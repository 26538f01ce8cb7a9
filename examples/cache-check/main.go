package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/cachecheck"
	"github.com/txredis/txredis/internal/embedded"
	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/shard"
)

// kind is the handle a check reads through.
type kind int

const (
	kindConn kind = iota
	kindPool
	kindRing    // a ring of two servers (the second one started by the check)
	kindCluster // a Redis Cluster of three masters (started by the check)
)

// handle is one kind of cached handle under check.
type handle struct {
	name string
	opts conn.Options
	kind kind
}

var handles = []handle{
	{"conn-resp3", conn.Options{Protocol: 3}, kindConn},
	{"conn-resp3-optin", conn.Options{Protocol: 3, Cache: conn.CacheOptions{Mode: conn.TrackOptIn}}, kindConn},
	{"conn-resp3-bcast", conn.Options{Protocol: 3, Cache: conn.CacheOptions{Mode: conn.TrackBroadcast, Prefixes: []string{keyPrefix}}}, kindConn},
	{"conn-resp2", conn.Options{Protocol: 2}, kindConn},
	{"pool-resp3", conn.Options{Protocol: 3}, kindPool},
	{"pool-resp2", conn.Options{Protocol: 2}, kindPool},
	{"ring-resp3", conn.Options{Protocol: 3}, kindRing},
	{"cluster-resp3", conn.Options{Protocol: 3}, kindCluster},
	{"cluster-resp2", conn.Options{Protocol: 2}, kindCluster},
}

// servers are the servers the check owns (nil with -addr).
type servers struct {
	main, second *testserver.Owned
	cluster      *testcluster.Cluster
}

func (s *servers) stop() {
	for _, o := range []*testserver.Owned{s.main, s.second} {
		if o != nil {
			o.Stop()
		}
	}
	if s.cluster != nil {
		s.cluster.Stop()
	}
}

var persistent = []string{"--appendonly", "yes", "--appendfsync", "always"}

// keyPrefix begins every key the check writes.
const keyPrefix = embedded.KeyPrefix + "cache-check:"

func main() {
	addr := flag.String("addr", "", "server address; empty starts a redis-server from PATH (and restarts it during the run)")
	reads := flag.Int64("reads", 1000000, "cached reads per handle")
	chaosEvery := flag.Int64("chaos-every", 50000, "reads between two chaos events (0: none)")
	only := flag.String("handles", "", "comma-separated handles to check (default all): "+names())
	flag.Parse()

	srvs := &servers{}
	defer srvs.stop()
	if *addr == "" {
		var err error
		if srvs.main, err = testserver.StartOwned(persistent...); err != nil {
			fail(err)
		}
		*addr = srvs.main.Addr()
		fmt.Println("started redis-server on", *addr, "(appendfsync always)")
	}
	var stale int64
	var total cachecheck.Result
	for _, h := range handles {
		if *only != "" && !strings.Contains(","+*only+",", ","+h.name+",") {
			continue
		}
		r, ev, st, err := check(h, *addr, srvs, *reads, *chaosEvery)
		if err != nil {
			fail(fmt.Errorf("%s: %w", h.name, err))
		}
		fmt.Printf("%-17s %v\n", h.name, r)
		fmt.Printf("%-17s chaos: %d CLIENT KILL TYPE pubsub, %d CLIENT KILL TYPE normal, %d server restarts; cache: hits %d, misses %d, invalidations %d, flushes %d, evictions %d\n",
			"", ev.killPubsub.Load(), ev.killNormal.Load(), ev.restarts.Load(), st.Hits, st.Misses, st.Invalidations, st.Flushes, st.Evictions)
		if r.Stale > 0 {
			fmt.Printf("%-17s first stale read: %s\n", h.name, r.FirstBad)
		}
		stale += r.Stale
		total.Reads += r.Reads
		total.Hits += r.Hits
		total.Writes += r.Writes
		total.Chaos += r.Chaos
		total.Elapsed += r.Elapsed
	}
	fmt.Printf("total: %d reads (%d from memory), %d writes, %d chaos events, %d stale reads, in %v\n",
		total.Reads, total.Hits, total.Writes, total.Chaos, stale, total.Elapsed.Round(time.Millisecond))
	if stale > 0 {
		srvs.stop()
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "cache-check:", err)
	os.Exit(2)
}

func names() string {
	var out []string
	for _, h := range handles {
		out = append(out, h.name)
	}
	return strings.Join(out, ",")
}

// events counts the chaos events of a check by kind.
type events struct{ killPubsub, killNormal, restarts atomic.Int64 }

// target is what a check reads, writes and disturbs.
type target struct {
	view   *conn.Cached
	own    conn.Commands
	writer conn.Commands
	addrs  []string                                // the servers to CLIENT KILL on
	owned  *testserver.Owned                       // the server to restart, nil for none
	close  func(context.Context)                   // disconnects the handles
	do     func(addr string, args ...string) error // a command on one server
}

// check runs the checker on one handle.
func check(h handle, addr string, srvs *servers, reads, chaosEvery int64) (cachecheck.Result, *events, conn.CacheStats, error) {
	ctx := context.Background()
	o := h.opts
	o.ClientName = "cache-check"
	o.ConnectTimeout = 2 * time.Second
	o.Backoff = conn.ExponentialBackoff(5*time.Millisecond, 100*time.Millisecond)
	tg, err := open(ctx, h, o, addr, srvs)
	if err != nil {
		return cachecheck.Result{}, nil, conn.CacheStats{}, err
	}
	defer tg.close(ctx)
	ev := &events{}
	cfg := cachecheck.Config{View: tg.view, Own: tg.own, Writer: tg.writer, Prefix: keyPrefix + h.name + ":", Reads: reads, ChaosEvery: chaosEvery}
	if h.kind == kindCluster {
		cfg.Keys = 48 // spread over the three masters
	}
	if chaosEvery > 0 {
		cfg.Chaos = func(ctx context.Context, n int) error {
			kill := func(typ string, count *atomic.Int64) error {
				var errs []error
				for _, a := range tg.addrs {
					errs = append(errs, tg.do(a, "CLIENT", "KILL", "TYPE", typ, "SKIPME", "yes"))
				}
				count.Add(1)
				return errors.Join(errs...)
			}
			switch {
			case n%3 == 0:
				return kill("pubsub", &ev.killPubsub)
			case n%3 == 1 || tg.owned == nil:
				return kill("normal", &ev.killNormal)
			}
			tg.owned.Kill()
			time.Sleep(100 * time.Millisecond)
			ev.restarts.Add(1)
			return tg.owned.Restart()
		}
	}
	r, err := cachecheck.Run(ctx, cfg)
	return r, ev, tg.view.Stats(), err
}

// open connects the handle under check and its writer.
func open(ctx context.Context, h handle, o conn.Options, addr string, srvs *servers) (*target, error) {
	switch h.kind {
	case kindRing:
		if srvs.second == nil {
			var err error
			if srvs.second, err = testserver.StartOwned(persistent...); err != nil {
				return nil, err
			}
		}
		addrs := []string{addr, srvs.second.Addr()}
		r, err := shard.Connect(addrs, o).Wait(ctx)
		if err != nil {
			return nil, err
		}
		w, err := shard.Connect(addrs, conn.Options{Backoff: o.Backoff}).Wait(ctx)
		if err != nil {
			_, _ = r.Disconnect().Wait(ctx)
			return nil, err
		}
		return &target{view: r.Cached(time.Minute), own: r.Commands, writer: w.Commands, addrs: addrs, owned: srvs.main,
			close: func(ctx context.Context) { _, _ = r.Disconnect().Wait(ctx); _, _ = w.Disconnect().Wait(ctx) },
			do:    func(a string, args ...string) error { _, err := testcluster.Do(a, args...); return err }}, nil
	case kindCluster:
		if srvs.cluster == nil {
			var err error
			if srvs.cluster, err = testcluster.New(); err != nil {
				return nil, err
			}
		}
		addrs := srvs.cluster.Addrs()
		c, err := cluster.Connect(addrs[:1], cluster.Options{Options: o}).Wait(ctx)
		if err != nil {
			return nil, err
		}
		w, err := cluster.Connect(addrs[:1], cluster.Options{Options: conn.Options{Backoff: o.Backoff}}).Wait(ctx)
		if err != nil {
			_, _ = c.Disconnect().Wait(ctx)
			return nil, err
		}
		// No restarts: a killed master would fail over, which the cluster
		// tests cover; the connections of every node are killed instead.
		return &target{view: c.Cached(time.Minute), own: c.Commands, writer: w.Commands, addrs: addrs,
			close: func(ctx context.Context) { _, _ = c.Disconnect().Wait(ctx); _, _ = w.Disconnect().Wait(ctx) },
			do:    func(a string, args ...string) error { _, err := testcluster.Do(a, args...); return err }}, nil
	}
	o.Addr = addr
	w, err := conn.Connect(conn.Options{Addr: addr, Backoff: o.Backoff}).Wait(ctx)
	if err != nil {
		return nil, err
	}
	tg := &target{writer: w.Commands, addrs: []string{addr}, owned: srvs.main,
		do: func(_ string, args ...string) error {
			as := make([]any, len(args))
			for i, a := range args {
				as[i] = a
			}
			_, err := w.Do(as...).Wait(ctx)
			return err
		}}
	if h.kind == kindPool {
		p, err := pool.Connect(pool.Options{Options: o, PoolSize: 4}).Wait(ctx)
		if err != nil {
			_, _ = w.Disconnect().Wait(ctx)
			return nil, err
		}
		tg.view, tg.own = p.Cached(time.Minute), p.Commands
		tg.close = func(ctx context.Context) { _, _ = p.Disconnect().Wait(ctx); _, _ = w.Disconnect().Wait(ctx) }
		return tg, nil
	}
	c, err := conn.Connect(o).Wait(ctx)
	if err != nil {
		_, _ = w.Disconnect().Wait(ctx)
		return nil, err
	}
	tg.view, tg.own = c.Cached(time.Minute), c.Commands
	tg.close = func(ctx context.Context) { _, _ = c.Disconnect().Wait(ctx); _, _ = w.Disconnect().Wait(ctx) }
	return tg, nil
}
