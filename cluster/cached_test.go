package cluster_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/cachecheck"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// A cached view of a cluster caches each key on the master of its slot,
// and never returns a value older than a Sync that followed its write.
func TestCachedClusterNoStaleReads(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts cluster.Options
	}{
		{"connections", cluster.Options{Options: conn.Options{Protocol: 3}}},
		{"pools-resp2", cluster.Options{PoolSize: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, tc2 := connectReal(t, tc.opts)
			w := testutil.Must(t, cluster.Connect(tc2.Addrs()[:1], cluster.Options{}))
			t.Cleanup(func() { testutil.Wait(t, w.Disconnect()) })
			v := c.Cached(time.Minute)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			res, err := cachecheck.Run(ctx, cachecheck.Config{
				View: v, Writer: w.Commands, Own: c.Commands, Prefix: "cached:", Keys: 32, Reads: 8000,
			})
			s := v.Stats()
			t.Logf("%v; cache %+v", res, s)
			if err != nil {
				t.Fatal(err)
			}
			if res.Stale != 0 {
				t.Fatalf("%d stale reads; first: %s", res.Stale, res.FirstBad)
			}
			if res.Hits == 0 || s.Tracking < 3 {
				t.Fatalf("not cached on every master: %v; %+v", res, s)
			}
		})
	}
}

// A cached read that the cluster redirects is resent through the cluster,
// which follows the redirection; nothing is cached on the old node, and
// once the map is updated the key is cached on its new master.
func TestCachedClusterFollowsMoved(t *testing.T) {
	var moved atomic.Bool
	f := twoNodes(t, &moved, func(addr string, args []string) proto.Value {
		switch args[0] {
		case "HELLO", "CLIENT":
			return proto.SimpleValue("OK")
		case "PTTL":
			if addr == nodeA && moved.Load() {
				return proto.ErrorValue("MOVED " + itoa(cluster.Slot(args[1])) + " " + nodeB)
			}
			return proto.IntValue(-1)
		}
		if addr == nodeA && moved.Load() {
			return proto.ErrorValue("MOVED " + itoa(cluster.Slot(args[1])) + " " + nodeB)
		}
		return proto.BulkValue(addr)
	})
	c := connectFake(t, f, cluster.Options{Options: conn.Options{Protocol: 3}}, nodeA)
	v := c.Cached(time.Minute)
	k := keyIn("k", 0, 8191)
	moved.Store(true)
	if have := testutil.Must(t, v.Get(k)); have != nodeB {
		t.Fatalf("a redirected read: answered by %s, want %s", have, nodeB)
	}
	testutil.Eventually(t, func() error {
		d := v.Get(k)
		if have := testutil.Must(t, d); have != nodeB {
			t.Fatalf("answered by %s", have)
		}
		if _, _, ok := d.Result(); !ok {
			return errors.New("not cached yet")
		}
		return nil
	})
	if s := v.Stats(); s.Entries != 1 {
		t.Fatalf("stats: %+v", s)
	}
}
