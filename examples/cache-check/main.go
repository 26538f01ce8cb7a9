package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/cachecheck"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/pool"
)

// handle is one kind of cached handle under check.
type handle struct {
	name string
	opts conn.Options
	pool bool
}

var handles = []handle{
	{"conn-resp3", conn.Options{Protocol: 3}, false},
	{"conn-resp3-optin", conn.Options{Protocol: 3, Cache: conn.CacheOptions{Mode: conn.TrackOptIn}}, false},
	{"conn-resp3-bcast", conn.Options{Protocol: 3, Cache: conn.CacheOptions{Mode: conn.TrackBroadcast, Prefixes: []string{"check:"}}}, false},
	{"conn-resp2", conn.Options{Protocol: 2}, false},
	{"pool-resp3", conn.Options{Protocol: 3}, true},
	{"pool-resp2", conn.Options{Protocol: 2}, true},
}

func main() {
	addr := flag.String("addr", "", "server address; empty starts a redis-server from PATH (and restarts it during the run)")
	reads := flag.Int64("reads", 1000000, "cached reads per handle")
	chaosEvery := flag.Int64("chaos-every", 50000, "reads between two chaos events (0: none)")
	only := flag.String("handles", "", "comma-separated handles to check (default all): "+names())
	flag.Parse()

	var srv *testserver.Owned
	if *addr == "" {
		var err error
		if srv, err = testserver.StartOwned("--appendonly", "yes", "--appendfsync", "always"); err != nil {
			fmt.Fprintln(os.Stderr, "cache-check:", err)
			os.Exit(2)
		}
		defer srv.Stop()
		*addr = srv.Addr()
		fmt.Println("started redis-server on", *addr, "(appendfsync always)")
	}
	stale := int64(0)
	total := cachecheck.Result{}
	for _, h := range handles {
		if *only != "" && !strings.Contains(","+*only+",", ","+h.name+",") {
			continue
		}
		r, err := check(h, *addr, srv, *reads, *chaosEvery)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cache-check: %s: %v\n", h.name, err)
			os.Exit(2)
		}
		fmt.Printf("%-17s %v\n", h.name, r)
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
		os.Exit(1)
	}
}

func names() string {
	var out []string
	for _, h := range handles {
		out = append(out, h.name)
	}
	return strings.Join(out, ",")
}

// check runs the checker on one handle.
func check(h handle, addr string, srv *testserver.Owned, reads, chaosEvery int64) (cachecheck.Result, error) {
	ctx := context.Background()
	o := h.opts
	o.Addr = addr
	o.ClientName = "cache-check"
	o.ConnectTimeout = 2 * time.Second
	o.Backoff = conn.ExponentialBackoff(5*time.Millisecond, 100*time.Millisecond)
	w, err := conn.Connect(conn.Options{Addr: addr, Backoff: o.Backoff}).Wait(ctx)
	if err != nil {
		return cachecheck.Result{}, err
	}
	defer func() { _, _ = w.Disconnect().Wait(ctx) }()
	cfg := cachecheck.Config{Writer: w.Commands, Prefix: "check:" + h.name + ":", Reads: reads, ChaosEvery: chaosEvery}
	if h.pool {
		p, err := pool.Connect(pool.Options{Options: o, PoolSize: 4}).Wait(ctx)
		if err != nil {
			return cachecheck.Result{}, err
		}
		defer func() { _, _ = p.Disconnect().Wait(ctx) }()
		cfg.View, cfg.Own = p.Cached(time.Minute), p.Commands
	} else {
		c, err := conn.Connect(o).Wait(ctx)
		if err != nil {
			return cachecheck.Result{}, err
		}
		defer func() { _, _ = c.Disconnect().Wait(ctx) }()
		cfg.View, cfg.Own = c.Cached(time.Minute), c.Commands
	}
	if chaosEvery > 0 {
		cfg.Chaos = func(ctx context.Context, n int) error {
			switch {
			case n%3 == 0:
				_, err := w.Do("CLIENT", "KILL", "TYPE", "pubsub").Wait(ctx)
				return err
			case n%3 == 1 || srv == nil:
				_, err := w.Do("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Wait(ctx)
				return err
			}
			srv.Kill()
			time.Sleep(100 * time.Millisecond)
			return srv.Restart()
		}
	}
	return cachecheck.Run(ctx, cfg)
}
