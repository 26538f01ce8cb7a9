package shard_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/shard"
)

func TestKeysLandOnTheirShard(t *testing.T) {
	r, byAddr := miniRing(t, 3)
	keys := keysOnShards(t, r, "land:", 200)
	for _, k := range keys {
		testutil.Must(t, r.Set(k, "v-"+k))
	}
	for _, k := range keys {
		owner := r.Shard(k)
		for addr, m := range byAddr {
			if have := m.Exists(k); have != (addr == owner) {
				t.Fatalf("key %q on %s: exists=%v (owner %s)", k, addr, have, owner)
			}
		}
		if v := testutil.Must(t, r.Get(k)); v != "v-"+k {
			t.Fatalf("GET %q = %q", k, v)
		}
	}
}

func TestMGetKeepsKeyOrderAcrossShards(t *testing.T) {
	r, _ := miniRing(t, 3)
	keys := keysOnShards(t, r, "mget:", 60)
	for i, k := range keys {
		if i%3 != 0 { // every third key is missing
			testutil.Must(t, r.Set(k, "v-"+k))
		}
	}
	vals := testutil.Must(t, r.MGet(keys...))
	if len(vals) != len(keys) {
		t.Fatalf("MGET returned %d values for %d keys", len(vals), len(keys))
	}
	for i, k := range keys {
		switch {
		case i%3 == 0 && vals[i].Valid:
			t.Errorf("key %d %q: have %q, want missing", i, k, vals[i].V)
		case i%3 != 0 && (!vals[i].Valid || vals[i].V != "v-"+k):
			t.Errorf("key %d %q: have %+v, want %q", i, k, vals[i], "v-"+k)
		}
	}
	// Do goes the same way, and a repeated key gets its value twice.
	a, b := twoShardKeys(t, r)
	testutil.Must(t, r.Set(a, "A"))
	testutil.Must(t, r.Set(b, "B"))
	v := testutil.Must(t, r.Do("MGET", b, a, b, "nope:"+a))
	want := proto.ArrayValue(proto.BulkValue("B"), proto.BulkValue("A"), proto.BulkValue("B"), proto.NullValue())
	if !v.Equal(want) {
		t.Errorf("Do MGET = %v, want %v", v, want)
	}
}

func TestCountsSumAcrossShards(t *testing.T) {
	r, _ := miniRing(t, 3)
	keys := keysOnShards(t, r, "count:", 30)
	kv := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		kv = append(kv, k, "x")
	}
	if ok := testutil.Must(t, r.MSet(kv...)); ok != "OK" {
		t.Fatalf("MSET = %q", ok)
	}
	n := int64(len(keys))
	if have := testutil.Must(t, r.Exists(append(keys, "missing:1", "missing:2")...)); have != n {
		t.Errorf("EXISTS = %d, want %d", have, n)
	}
	if have := testutil.Must(t, r.Exists(keys[0], keys[0], keys[1])); have != 3 {
		t.Errorf("EXISTS with a repeated key = %d, want 3", have)
	}
	if have := testutil.Must(t, r.Touch(keys...)); have != n {
		t.Errorf("TOUCH = %d, want %d", have, n)
	}
	if have := testutil.Must(t, r.Del(keys[:10]...)); have != 10 {
		t.Errorf("DEL = %d, want 10", have)
	}
	if have := testutil.Must(t, r.Unlink(keys...)); have != n-10 {
		t.Errorf("UNLINK = %d, want %d", have, n-10)
	}
	if have := testutil.Must(t, r.Exists(keys...)); have != 0 {
		t.Errorf("EXISTS after DEL = %d, want 0", have)
	}
}

func TestCrossShardCommandsFail(t *testing.T) {
	r, _ := miniRing(t, 3)
	a, b := twoShardKeys(t, r)
	check := func(name string, err error, command string) {
		t.Helper()
		var nse *shard.NotShardedError
		if !errors.Is(err, shard.ErrNotSharded) || !errors.As(err, &nse) {
			t.Fatalf("%s: err = %v, want ErrNotSharded", name, err)
		}
		if nse.Command != command || !strings.Contains(err.Error(), command) {
			t.Errorf("%s: error %q does not name %s", name, err, command)
		}
	}
	_, err := testutil.Wait(t, r.SUnion(a, b))
	check("SUNION", err, "SUNION")
	_, err = testutil.Wait(t, r.Rename(a, b))
	check("RENAME", err, "RENAME")
	_, err = testutil.Wait(t, r.MSetNX(a, "1", b, "2"))
	check("MSETNX", err, "MSETNX")
	_, err = testutil.Wait(t, r.Keys("*"))
	check("KEYS", err, "KEYS")
	_, err = testutil.Wait(t, r.Do("FLUSHDB"))
	check("FLUSHDB", err, "FLUSHDB")
	_, err = testutil.Wait(t, r.Ping())
	check("PING", err, "PING")
	_, err = testutil.Wait(t, r.Multi())
	check("MULTI", err, "MULTI")

	p := r.Pipeline()
	da, db := p.Get(a), p.Get(b)
	_, err = testutil.Wait(t, p.Execute())
	if !errors.Is(err, shard.ErrNotSharded) {
		t.Errorf("cross-shard pipeline: %v, want ErrNotSharded", err)
	}
	for _, d := range []*deferred.Deferred[string]{da, db} {
		if _, err := testutil.Wait(t, d); !errors.Is(err, shard.ErrNotSharded) {
			t.Errorf("cross-shard pipeline command: %v, want ErrNotSharded", err)
		}
	}
	// Nothing was sent: a stays unset on its server.
	if _, err := testutil.Wait(t, r.Get(a)); !errors.Is(err, proto.ErrNil) {
		t.Errorf("GET after failed commands: %v, want ErrNil", err)
	}
}

func TestOneShardMultiKeyCommandsRun(t *testing.T) {
	r, byAddr := miniRing(t, 3)
	// Keys with the same tag live together, so multi-key commands on
	// them run.
	a, b := "set{42}:a", "set{42}:b"
	if r.Shard(a) != r.Shard(b) {
		t.Fatal("tagged keys on different shards")
	}
	testutil.Must(t, r.SAdd(a, "1", "2"))
	testutil.Must(t, r.SAdd(b, "2", "3"))
	u := testutil.Must(t, r.SUnion(a, b))
	if len(u) != 3 {
		t.Errorf("SUNION = %v, want 3 members", u)
	}
	testutil.Must(t, r.Rename(a, "set{42}:c"))
	if !byAddr[r.Shard(a)].Exists("set{42}:c") {
		t.Error("RENAME did not run on the tag's shard")
	}
	// A pipeline on one shard is one batch there.
	p := r.Pipeline()
	p.Set("p{7}:1", "x")
	g := p.Get("p{7}:1")
	testutil.Must(t, p.Execute())
	if v := testutil.Must(t, g); v != "x" {
		t.Errorf("pipelined GET = %q", v)
	}
	// A transaction on one shard goes through its node.
	tx := testutil.Must(t, conn.NewCommands(r.Node(r.Shard("t{1}"))).Multi())
	tx.Set("t{1}", "in-tx")
	testutil.Must(t, tx.Commit())
	if v := testutil.Must(t, r.Get("t{1}")); v != "in-tx" {
		t.Errorf("GET after a transaction on the node = %q", v)
	}
}

func TestDoIsRoutedByCommandTable(t *testing.T) {
	r, byAddr := miniRing(t, 3)
	keys := keysOnShards(t, r, "do:", 30)
	for _, k := range keys {
		testutil.Must(t, r.Do("SET", k, k))
		testutil.Must(t, r.Do("hset", "h:"+k, "f", k))
	}
	for _, k := range keys {
		if !byAddr[r.Shard(k)].Exists(k) {
			t.Fatalf("Do SET %q did not land on %s", k, r.Shard(k))
		}
		v := testutil.Must(t, r.Do("HGET", "h:"+k, "f"))
		if v.Str != k {
			t.Fatalf("Do HGET = %v", v)
		}
	}
	// A hand-built command without key marks is routed by the table too.
	v := testutil.Must(t, r.DoCmd(proto.NewCmd("GET").Arg(keys[0])))
	if v.Str != keys[0] {
		t.Errorf("unmarked GET = %v", v)
	}
	// PUBLISH goes to its channel's node, as in txredisapi.
	if n := testutil.Must(t, r.Do("PUBLISH", "chan", "hello")); n.Int != 0 {
		t.Errorf("PUBLISH = %v", n)
	}
}

func TestForEachDo(t *testing.T) {
	r, byAddr := miniRing(t, 3)
	keys := keysOnShards(t, r, "each:", 30)
	for _, k := range keys {
		testutil.Must(t, r.Set(k, "1"))
	}
	sizes := testutil.Must(t, r.ForEachDo("DBSIZE"))
	var total int64
	for node, v := range sizes {
		if want := int64(len(byAddr[node].Keys())); v.Int != want {
			t.Errorf("DBSIZE on %s = %d, want %d", node, v.Int, want)
		}
		total += v.Int
	}
	if total != int64(len(keys)) || len(sizes) != 3 {
		t.Errorf("DBSIZE over %d nodes totals %d, want 3 nodes and %d", len(sizes), total, len(keys))
	}
	testutil.Must(t, r.ForEachDo("FLUSHDB"))
	if n := testutil.Must(t, r.Exists(keys...)); n != 0 {
		t.Errorf("EXISTS after FLUSHDB everywhere = %d", n)
	}
	var seen []string
	r.ForEach(func(node string, c conn.Commands) {
		seen = append(seen, node)
		testutil.Must(t, c.Set("direct", node))
	})
	if strings.Join(seen, ",") != strings.Join(r.Nodes(), ",") {
		t.Errorf("ForEach visited %v, want %v", seen, r.Nodes())
	}
	for node, m := range byAddr {
		if v, _ := m.Get("direct"); v != node {
			t.Errorf("ForEach SET on %s wrote %q", node, v)
		}
	}
}

func TestSplitCommandFailureNamesShard(t *testing.T) {
	r, byAddr := miniRing(t, 3)
	keys := keysOnShards(t, r, "fail:", 30)
	for _, k := range keys {
		testutil.Must(t, r.Set(k, "v"))
	}
	// A server error on one shard's part fails the whole command and
	// names that shard.
	down := r.Shard(keys[0])
	byAddr[down].SetError("LOADING server is loading")
	_, err := testutil.Wait(t, r.MGet(keys...))
	var se *shard.ShardError
	var pe *proto.Error
	if !errors.As(err, &se) || se.Node != down || se.Command != "MGET" || !errors.As(err, &pe) {
		t.Fatalf("MGET with a failing shard: %v, want a ShardError naming %s wrapping a *proto.Error", err, down)
	}
	if !strings.Contains(err.Error(), down) {
		t.Errorf("error %q does not name %s", err, down)
	}
	byAddr[down].SetError("")
	// A shard that is gone: commands for its keys fail with a
	// ConnectionError naming it; the other shards keep working.
	byAddr[down].Close()
	_, err = testutil.Wait(t, r.Get(keys[0]))
	var ce *conn.ConnectionError
	if !errors.As(err, &ce) || ce.Addr != down {
		t.Fatalf("GET on the down shard: %v, want a ConnectionError naming %s", err, down)
	}
	for _, k := range keys {
		if r.Shard(k) != down {
			if v := testutil.Must(t, r.Get(k)); v != "v" {
				t.Fatalf("GET %q on a live shard = %q", k, v)
			}
		}
	}
	// A split command fails when one of its shards is down, naming it;
	// the parts on live shards ran (the keys there are deleted).
	_, err = testutil.Wait(t, r.Del(keys...))
	if !errors.Is(err, conn.ErrConnection) || !errors.As(err, &se) || se.Node != down {
		t.Fatalf("DEL across a down shard: %v, want a ShardError naming %s", err, down)
	}
	for _, k := range keys {
		if r.Shard(k) != down {
			if _, err := testutil.Wait(t, r.Get(k)); !errors.Is(err, proto.ErrNil) {
				t.Fatalf("GET %q after the DEL: %v, want ErrNil", k, err)
			}
		}
	}
}

func TestBadAddressLists(t *testing.T) {
	for _, c := range []struct {
		name  string
		addrs []string
	}{
		{"empty", nil},
		{"no port", []string{"127.0.0.1"}},
		{"bad port", []string{"127.0.0.1:http"}},
		{"port zero", []string{"127.0.0.1:0"}},
		{"port too big", []string{"127.0.0.1:70000"}},
		{"no host", []string{":6379"}},
		{"two colons", []string{"a:b:6379"}},
		{"relative unix", []string{"unix://redis.sock"}},
		{"root path", []string{"/"}},
		{"duplicate", []string{"127.0.0.1:6379", "127.0.0.1:6380", "127.0.0.1:6379"}},
		{"duplicate after normalising", []string{"localhost:6379", "localhost:06379"}},
		{"duplicate unix", []string{"/tmp/r.sock", "unix:///tmp/r.sock"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			_, err := testutil.Wait(t, shard.Connect(c.addrs, conn.Options{}))
			if !errors.Is(err, shard.ErrBadAddrs) || !strings.Contains(err.Error(), "host:port") {
				t.Errorf("Connect: %v, want ErrBadAddrs", err)
			}
			if _, err := testutil.Wait(t, shard.ConnectPool(c.addrs, pool.Options{})); !errors.Is(err, shard.ErrBadAddrs) {
				t.Errorf("ConnectPool: %v, want ErrBadAddrs", err)
			}
			for _, r := range []*shard.Ring{shard.New(c.addrs, conn.Options{}), shard.NewPool(c.addrs, pool.Options{})} {
				if !errors.Is(r.Err(), shard.ErrBadAddrs) {
					t.Errorf("lazy Err() = %v", r.Err())
				}
				if _, err := testutil.Wait(t, r.Get("k")); !errors.Is(err, shard.ErrBadAddrs) {
					t.Errorf("lazy GET: %v, want ErrBadAddrs", err)
				}
				if _, err := testutil.Wait(t, r.MGet("a", "b")); !errors.Is(err, shard.ErrBadAddrs) {
					t.Errorf("lazy MGET: %v, want ErrBadAddrs", err)
				}
				if _, err := testutil.Wait(t, r.ForEachDo("PING")); !errors.Is(err, shard.ErrBadAddrs) {
					t.Errorf("lazy ForEachDo: %v, want ErrBadAddrs", err)
				}
				if r.Shard("k") != "" || len(r.Nodes()) != 0 {
					t.Errorf("lazy bad ring has nodes %v", r.Nodes())
				}
				testutil.Must(t, r.Disconnect())
			}
			testutil.CheckGoroutines(t, before)
		})
	}
}

func TestNodeNames(t *testing.T) {
	r := shard.New([]string{"localhost:06379", "tcp://127.0.0.1:6380", "unix:///tmp/a.sock", "/tmp/b.sock", "[::1]:6381"},
		conn.Options{NoReconnect: true, ConnectTimeout: 1})
	defer r.Disconnect()
	want := []string{"localhost:6379", "127.0.0.1:6380", "/tmp/a.sock", "/tmp/b.sock", "[::1]:6381"}
	if have := r.Nodes(); strings.Join(have, " ") != strings.Join(want, " ") {
		t.Fatalf("Nodes() = %v, want %v", have, want)
	}
	if r.Node("localhost:6379") == nil || r.Node("localhost:06379") != r.Node("localhost:6379") || r.Node("unix:///tmp/b.sock") == nil {
		t.Error("Node does not find nodes by their given or canonical names")
	}
	if r.Node("localhost:6390") != nil {
		t.Error("Node found an unknown node")
	}
	if c, ok := r.Node("/tmp/a.sock").(*conn.Conn); !ok || c.Addr() != "/tmp/a.sock" {
		t.Errorf("Node handle = %T", r.Node("/tmp/a.sock"))
	}
	// Placement follows the canonical names, as txredisapi's "%s:%d".
	h, _ := shard.NewHashRing(want)
	for _, k := range []string{"a", "b", "user{1}", "zz"} {
		if r.Shard(k) != h.Node(k) {
			t.Errorf("Shard(%q) = %s, HashRing says %s", k, r.Shard(k), h.Node(k))
		}
	}
}

func TestConnectFailsWhenANodeIsDown(t *testing.T) {
	_, addrs := minis(t, 2)
	dead := minisDead(t)
	before := runtime.NumGoroutine()
	_, err := testutil.Wait(t, shard.Connect(append(addrs, dead), conn.Options{}))
	var ce *conn.ConnectionError
	if !errors.As(err, &ce) || ce.Addr != dead {
		t.Fatalf("Connect with a dead node: %v, want a ConnectionError naming %s", err, dead)
	}
	_, err = testutil.Wait(t, shard.ConnectPool(append(addrs, dead), pool.Options{PoolSize: 2}))
	if !errors.As(err, &ce) || ce.Addr != dead {
		t.Fatalf("ConnectPool with a dead node: %v, want a ConnectionError naming %s", err, dead)
	}
	testutil.CheckGoroutines(t, before)
}

// minisDead returns the address of a stopped server: connections to it
// are refused.
func minisDead(t testing.TB) string {
	ms, addrs := minis(t, 1)
	ms[0].Close()
	return addrs[0]
}

func TestDisconnect(t *testing.T) {
	_, addrs := minis(t, 3)
	before := runtime.NumGoroutine()
	r := testutil.Must(t, shard.Connect(addrs, conn.Options{}))
	testutil.Must(t, r.Set("k", "v"))
	d1, d2 := r.Disconnect(), r.Disconnect()
	if d1 != d2 {
		t.Error("Disconnect is not idempotent")
	}
	testutil.Must(t, d1)
	if _, err := testutil.Wait(t, r.Get("k")); !errors.Is(err, conn.ErrClosed) {
		t.Errorf("GET after Disconnect: %v, want ErrClosed", err)
	}
	testutil.CheckGoroutines(t, before)
}

func TestShardedPool(t *testing.T) {
	_, addrs := minis(t, 3)
	before := runtime.NumGoroutine()
	r := testutil.Must(t, shard.ConnectPool(addrs, pool.Options{PoolSize: 3}))
	keys := keysOnShards(t, r, "pool:", 50)
	for _, k := range keys {
		testutil.Must(t, r.Set(k, k))
	}
	vals := testutil.Must(t, r.MGet(keys...))
	for i, k := range keys {
		if vals[i].V != k {
			t.Fatalf("MGET[%d] = %+v, want %q", i, vals[i], k)
		}
	}
	if _, ok := r.Node(addrs[0]).(*pool.Pool); !ok {
		t.Errorf("pool node handle is %T", r.Node(addrs[0]))
	}
	// A transaction on one node of a sharded pool runs there.
	tx := testutil.Must(t, conn.NewCommands(r.Node(r.Shard("x{1}"))).Multi())
	tx.Incr("x{1}")
	testutil.Must(t, tx.Commit())
	if v := testutil.Must(t, r.Get("x{1}")); v != "1" {
		t.Errorf("GET after a node transaction = %q", v)
	}
	testutil.Must(t, r.Disconnect())

	lazy := shard.NewPool(addrs, pool.Options{PoolSize: 2})
	if v := testutil.Must(t, lazy.Get(keys[0])); v != keys[0] {
		t.Errorf("lazy sharded pool GET = %q", v)
	}
	testutil.Must(t, lazy.Disconnect())
	testutil.CheckGoroutines(t, before)
}

func TestUnsignedRingAgreesWithItsHashRing(t *testing.T) {
	r, byAddr := miniRing(t, 3, shard.UnsignedCRC(), shard.Tags(shard.ClusterTags))
	h, _ := shard.NewHashRing(r.Nodes(), shard.UnsignedCRC(), shard.Tags(shard.ClusterTags))
	for i := 0; i < 100; i++ {
		k := "{" + itoa(i) + "}x"
		testutil.Must(t, r.Set(k, "1"))
		if !byAddr[h.Node(k)].Exists(k) {
			t.Fatalf("key %q not on %s", k, h.Node(k))
		}
	}
}

// A keyed WATCH would leave a node's shared connection watching under
// other callers; the ring refuses it like any command it cannot route.
func TestConnectionStateCommandsRefused(t *testing.T) {
	r, _ := miniRing(t, 2)
	for _, args := range [][]any{{"WATCH", "k"}, {"SELECT", 1}, {"MULTI"}} {
		_, err := testutil.Wait(t, r.Do(args...))
		var nse *shard.NotShardedError
		if !errors.Is(err, shard.ErrNotSharded) || !errors.As(err, &nse) || nse.Command != args[0] {
			t.Fatalf("Do%v: have %v, want ErrNotSharded naming it", args, err)
		}
	}
}
