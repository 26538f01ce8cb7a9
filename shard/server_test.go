package shard_test

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/shard"
)

// startServers starts n redis-server processes.
func startServers(t *testing.T, n int) []*testserver.Server {
	t.Helper()
	srvs := make([]*testserver.Server, n)
	for i := range srvs {
		srvs[i] = testserver.Start(t)
	}
	return srvs
}

// readmeExample is the sharding example of txredisapi's README: 100 keys
// "foo%02d" set through the ring, then one MGET returns every value in
// order.
func readmeExample(t *testing.T, r *shard.Ring) []string {
	t.Helper()
	keys := make([]string, 100)
	for x := range keys {
		keys[x] = fmt.Sprintf("foo%02d", x)
		testutil.Must(t, r.Set(keys[x], fmt.Sprintf("bar%02d", x)))
	}
	vals := testutil.Must(t, r.MGet(keys...))
	if len(vals) != 100 {
		t.Fatalf("MGET returned %d values", len(vals))
	}
	for x, v := range vals {
		if want := fmt.Sprintf("bar%02d", x); !v.Valid || v.V != want {
			t.Fatalf("MGET[%d] = %+v, want %q", x, v, want)
		}
	}
	return keys
}

// checkLanding checks with a plain connection to each node that every key
// is on the node the ring names and on no other.
func checkLanding(t *testing.T, r *shard.Ring, keys []string) {
	t.Helper()
	direct := map[string]*conn.Conn{}
	for _, n := range r.Nodes() {
		c := testutil.Must(t, conn.Connect(conn.Options{Addr: n}))
		defer c.Disconnect()
		direct[n] = c
	}
	perNode := map[string]int{}
	for _, k := range keys {
		owner := r.Shard(k)
		perNode[owner]++
		for n, c := range direct {
			_, err := testutil.Wait(t, c.Get(k))
			switch {
			case n == owner && err != nil:
				t.Fatalf("key %q: GET on its owner %s: %v", k, n, err)
			case n != owner && !errors.Is(err, proto.ErrNil):
				t.Fatalf("key %q (owner %s) found on %s: %v", k, owner, n, err)
			}
		}
	}
	if len(perNode) < 2 {
		t.Fatalf("keys landed on %d node(s): %v", len(perNode), perNode)
	}
}

func TestServerShardedConnection(t *testing.T) {
	srvs := startServers(t, 3)
	addrs := []string{srvs[0].Addr(), srvs[1].Addr(), srvs[2].Addr()}
	before := runtime.NumGoroutine()
	r := testutil.Must(t, shard.Connect(addrs, conn.Options{ConnectTimeout: 10 * time.Second}))

	keys := readmeExample(t, r)
	checkLanding(t, r, keys)

	// Counting commands sum over the shards.
	if n := testutil.Must(t, r.Exists(append(keys, "nope")...)); n != 100 {
		t.Errorf("EXISTS = %d, want 100", n)
	}
	if n := testutil.Must(t, r.Del(keys[:40]...)); n != 40 {
		t.Errorf("DEL = %d, want 40", n)
	}
	if n := testutil.Must(t, r.Exists(keys...)); n != 60 {
		t.Errorf("EXISTS after DEL = %d, want 60", n)
	}

	// Commands that cannot be split fail and name themselves.
	a, b := twoShardKeys(t, r)
	_, err := testutil.Wait(t, r.SUnion(a, b))
	var nse *shard.NotShardedError
	if !errors.As(err, &nse) || nse.Command != "SUNION" {
		t.Errorf("SUNION across shards: %v, want ErrNotSharded naming SUNION", err)
	}
	if _, err := testutil.Wait(t, r.Do("KEYS", "*")); !errors.Is(err, shard.ErrNotSharded) {
		t.Errorf("KEYS: %v, want ErrNotSharded", err)
	}

	// One shard killed: its keys fail fast with a ConnectionError naming
	// it; the others keep working; it comes back by itself.
	victim := srvs[1].Addr()
	var mine, others []string
	for _, k := range keys[40:] {
		if r.Shard(k) == victim {
			mine = append(mine, k)
		} else {
			others = append(others, k)
		}
	}
	if len(mine) == 0 || len(others) == 0 {
		t.Fatalf("keys do not cover the victim and the others")
	}
	srvs[1].Kill()
	testutil.Eventually(t, func() error {
		_, err := testutil.Wait(t, r.Get(mine[0]))
		if err == nil {
			return errors.New("GET still succeeds on the killed shard")
		}
		return nil
	})
	for _, k := range mine[:min(5, len(mine))] {
		start := time.Now()
		_, err := testutil.Wait(t, r.Get(k))
		var ce *conn.ConnectionError
		if !errors.As(err, &ce) || ce.Addr != victim {
			t.Fatalf("GET %q on the killed shard: %v, want a ConnectionError naming %s", k, err, victim)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("GET on the killed shard took %v, want a fast failure", d)
		}
	}
	for _, k := range others {
		if _, err := testutil.Wait(t, r.Get(k)); err != nil {
			t.Fatalf("GET %q on a live shard while %s is down: %v", k, victim, err)
		}
	}
	_, err = testutil.Wait(t, r.MGet(keys...))
	var se *shard.ShardError
	if !errors.As(err, &se) || se.Node != victim || !errors.Is(err, conn.ErrConnection) {
		t.Errorf("MGET with a shard down: %v, want a ShardError naming %s", err, victim)
	}
	srvs[1].Restart()
	testutil.Eventually(t, func() error {
		_, err := testutil.Wait(t, r.Set(mine[0], "back"))
		return err
	})
	if v := testutil.Must(t, r.Get(mine[0])); v != "back" {
		t.Errorf("GET after the restart = %q", v)
	}
	testutil.Must(t, r.ForEachDo("FLUSHDB"))
	testutil.Must(t, r.Disconnect())
	testutil.CheckGoroutines(t, before)
}

func TestServerShardedPool(t *testing.T) {
	srvs := startServers(t, 3)
	addrs := []string{srvs[0].Addr(), srvs[1].Addr(), srvs[2].Addr()}
	before := runtime.NumGoroutine()
	r := testutil.Must(t, shard.ConnectPool(addrs, pool.Options{PoolSize: 4}))
	keys := readmeExample(t, r)
	checkLanding(t, r, keys)
	if n := testutil.Must(t, r.Unlink(keys...)); n != 100 {
		t.Errorf("UNLINK = %d, want 100", n)
	}
	testutil.Must(t, r.Disconnect())

	// The lazy form: commands wait for the first dial.
	lz := shard.NewPool(addrs, pool.Options{PoolSize: 2})
	readmeExample(t, lz)
	testutil.Must(t, lz.Disconnect())
	testutil.CheckGoroutines(t, before)
}

func TestServerShardedUnixSockets(t *testing.T) {
	srvs := startServers(t, 3)
	addrs := []string{srvs[0].Socket(), srvs[1].Socket(), "unix://" + srvs[2].Socket()}
	r := testutil.Must(t, shard.Connect(addrs, conn.Options{}))
	if r.Nodes()[2] != srvs[2].Socket() {
		t.Errorf("unix node named %q, want the path", r.Nodes()[2])
	}
	keys := readmeExample(t, r)
	checkLanding(t, r, keys)
	testutil.Must(t, r.Disconnect())

	p := testutil.Must(t, shard.ConnectPool(addrs, pool.Options{PoolSize: 2}))
	vals := testutil.Must(t, p.MGet(keys...))
	if len(vals) != 100 || vals[99].V != "bar99" {
		t.Errorf("MGET over a unix sharded pool: %d values, last %+v", len(vals), vals[len(vals)-1])
	}
	testutil.Must(t, p.Disconnect())
}
