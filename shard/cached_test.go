package shard_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/cachecheck"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/shard"
)

// A cached view of a ring caches each key on the node that owns it, and
// never returns a value older than a Sync that followed its write, with
// the nodes' connections killed along the way.
func TestCachedRingNoStaleReads(t *testing.T) {
	srvs := startServers(t, 2)
	addrs := []string{srvs[0].Addr(), srvs[1].Addr()}
	o := conn.Options{Protocol: 3, Backoff: conn.ExponentialBackoff(5*time.Millisecond, 50*time.Millisecond)}
	for _, tc := range []struct {
		name string
		ring *shard.Ring
	}{
		{"connections", shard.New(addrs, o)},
		{"pools", shard.NewPool(addrs, pool.Options{Options: o, PoolSize: 2})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.ring
			t.Cleanup(func() { r.Disconnect() })
			w := shard.New(addrs, conn.Options{})
			t.Cleanup(func() { w.Disconnect() })
			v := r.Cached(time.Minute)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			res, err := cachecheck.Run(ctx, cachecheck.Config{
				View: v, Writer: w.Commands, Own: r.Commands, Prefix: "ring:", Reads: 8000, ChaosEvery: 3000,
				Chaos: func(ctx context.Context, n int) error {
					_, err := w.ForEachDo("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Wait(ctx)
					return err
				},
			})
			s := v.Stats()
			t.Logf("%v; cache %+v", res, s)
			if err != nil {
				t.Fatal(err)
			}
			if res.Stale != 0 {
				t.Fatalf("%d stale reads; first: %s", res.Stale, res.FirstBad)
			}
			if res.Hits == 0 || res.Chaos == 0 {
				t.Fatalf("the run checked nothing: %v", res)
			}
			// Both nodes cache a share of the keys. A CLIENT KILL late in
			// the run may have left a node's new connection with no hits
			// yet: read every key twice (a fill, then a hit) first.
			for i := 0; i < 16; i++ {
				k := "ring:" + strconv.Itoa(i)
				testutil.Must(t, v.Get(k))
				testutil.Must(t, v.Get(k))
			}
			per := 0
			for _, c := range r.CacheConns(nil) {
				one := conn.NewCached(c, time.Minute).Stats()
				if one.Hits > 0 {
					per++
				}
			}
			if per < 2 {
				t.Fatalf("hits on %d connections, want every node's", per)
			}
			vals := testutil.Must(t, v.MGet("ring:0", "ring:1", "ring:missing"))
			if len(vals) != 3 || !vals[0].Valid || !vals[1].Valid || vals[2].Valid {
				t.Fatalf("MGet: %+v", vals)
			}
		})
	}
}
