package cachecheck_test

import (
	"context"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/cachecheck"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
)

// persistent makes acknowledged writes survive a SIGKILL, so versions
// never go back across a restart.
var persistent = []string{"--appendonly", "yes", "--appendfsync", "always"}

// fast reconnects quickly after a kill.
func fast(o conn.Options) conn.Options {
	o.Backoff = conn.ExponentialBackoff(5*time.Millisecond, 50*time.Millisecond)
	o.ConnectTimeout = 2 * time.Second
	o.ClientName = "cached"
	return o
}

// chaos kills the invalidation connections (CLIENT KILL TYPE pubsub),
// then the view's connections (TYPE normal), then restarts the server,
// in turn.
func chaos(srv *testserver.Server, w *conn.Conn) func(context.Context, int) error {
	return func(ctx context.Context, n int) error {
		switch n % 3 {
		case 0:
			_, err := w.Do("CLIENT", "KILL", "TYPE", "pubsub").Wait(ctx)
			return err
		case 1:
			_, err := w.Do("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Wait(ctx)
			return err
		}
		srv.Kill()
		time.Sleep(50 * time.Millisecond)
		srv.Restart()
		return nil
	}
}

func TestNoStaleReads(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts conn.Options
		pool bool
	}{
		{"conn-resp3", conn.Options{Protocol: 3}, false},
		{"conn-resp3-optin", conn.Options{Protocol: 3, Cache: conn.CacheOptions{Mode: conn.TrackOptIn}}, false},
		{"conn-resp3-bcast", conn.Options{Protocol: 3, Cache: conn.CacheOptions{Mode: conn.TrackBroadcast, Prefixes: []string{"v:"}}}, false},
		{"conn-resp2-redirect", conn.Options{Protocol: 2}, false},
		{"pool-resp3", conn.Options{Protocol: 3}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testserver.Start(t, persistent...)
			o := fast(tc.opts)
			o.Addr = srv.Addr()
			w := testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr(), Backoff: o.Backoff}))
			t.Cleanup(func() { w.Disconnect() })
			cfg := cachecheck.Config{Writer: w.Commands, Prefix: "v:", Reads: 12000, ChaosEvery: 3000, Chaos: chaos(srv, w)}
			if tc.pool {
				p := testutil.Must(t, pool.Connect(pool.Options{Options: o, PoolSize: 3}))
				t.Cleanup(func() { p.Disconnect() })
				cfg.View, cfg.Own = p.Cached(time.Minute), p.Commands
			} else {
				c := testutil.Must(t, conn.Connect(o))
				t.Cleanup(func() { c.Disconnect() })
				cfg.View, cfg.Own = c.Cached(time.Minute), c.Commands
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			r, err := cachecheck.Run(ctx, cfg)
			t.Logf("%v; cache %+v", r, cfg.View.Stats())
			if err != nil {
				t.Fatal(err)
			}
			if r.Stale != 0 {
				t.Fatalf("%d stale reads; first: %s", r.Stale, r.FirstBad)
			}
			if r.Hits == 0 || r.Syncs == 0 || r.Chaos == 0 {
				t.Fatalf("the run checked nothing: %v", r)
			}
		})
	}
}
