package cluster_test

import (
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

const (
	nodeA = "127.0.0.1:7001"
	nodeB = "127.0.0.1:7002"
)

// twoNodes answers CLUSTER SHARDS with an error (so the client falls back
// to CLUSTER SLOTS) and CLUSTER SLOTS with A serving 0-8191 and B the rest,
// unless owner says B serves everything; other commands go to cmd.
func twoNodes(t *testing.T, bOwnsAll *atomic.Bool, cmd func(addr string, args []string) proto.Value) *fakeCluster {
	f := newFakeCluster(t, nodeA, nodeB)
	f.answer = func(addr string, args []string) proto.Value {
		if args[0] == "CLUSTER" {
			if args[1] == "SHARDS" {
				return proto.ErrorValue("ERR unknown subcommand 'SHARDS'")
			}
			if bOwnsAll != nil && bOwnsAll.Load() {
				return slotsReply(0, 16383, nodeB)
			}
			return slotsReply(0, 8191, nodeA, 8192, 16383, nodeB)
		}
		return cmd(addr, args)
	}
	return f
}

func TestKeysRouteBySlotAndRepliesStayWithTheirCommands(t *testing.T) {
	f := twoNodes(t, nil, func(addr string, args []string) proto.Value {
		return proto.BulkValue(addr + " " + args[len(args)-1])
	})
	c := connectFake(t, f, cluster.Options{}, nodeA)
	var ds []string
	for i := 0; i < 200; i++ {
		k := "key" + string(rune('a'+i%26)) + strings.Repeat("x", i%7)
		ds = append(ds, k)
	}
	results := make([]string, len(ds))
	for i, k := range ds {
		results[i] = testutil.Must(t, c.Get(k))
	}
	for i, k := range ds {
		want := nodeA
		if cluster.Slot(k) > 8191 {
			want = nodeB
		}
		if results[i] != want+" "+k {
			t.Fatalf("GET %s (slot %d) = %q, want from %s", k, cluster.Slot(k), results[i], want)
		}
	}
}

func TestMovedIsFollowedAndUpdatesTheMap(t *testing.T) {
	var moved atomic.Bool
	f := twoNodes(t, &moved, func(addr string, args []string) proto.Value {
		if addr == nodeA && moved.Load() {
			return proto.ErrorValue("MOVED " + itoa(cluster.Slot(args[1])) + " " + nodeB)
		}
		return proto.BulkValue(addr)
	})
	c := connectFake(t, f, cluster.Options{}, nodeA)
	k := keyIn("k", 0, 8191)
	if have := testutil.Must(t, c.Get(k)); have != nodeA {
		t.Fatalf("before the move: %s", have)
	}
	moved.Store(true)
	if have := testutil.Must(t, c.Get(k)); have != nodeB {
		t.Fatalf("after MOVED: answered by %s, want %s", have, nodeB)
	}
	// The map now sends the slot straight to B: A sees no more GETs.
	before := len(f.commands(nodeA))
	for i := 0; i < 10; i++ {
		if have := testutil.Must(t, c.Get(k)); have != nodeB {
			t.Fatalf("GET %d answered by %s", i, have)
		}
	}
	if after := len(f.commands(nodeA)); after != before {
		t.Fatalf("A received %d more commands after the MOVED: %v", after-before, f.commands(nodeA))
	}
}

func TestAskSendsAskingAndTheCommandOnceWithoutChangingTheMap(t *testing.T) {
	k := keyIn("k", 0, 8191)
	var asks atomic.Int64
	f := twoNodes(t, nil, func(addr string, args []string) proto.Value {
		switch {
		case addr == nodeA && args[1] == k && asks.Add(1) == 1:
			return proto.ErrorValue("ASK " + itoa(cluster.Slot(k)) + " " + nodeB)
		case args[0] == "ASKING":
			return proto.SimpleValue("OK")
		}
		return proto.BulkValue(addr)
	})
	c := connectFake(t, f, cluster.Options{}, nodeA)
	if have := testutil.Must(t, c.Get(k)); have != nodeB {
		t.Fatalf("after ASK: answered by %s", have)
	}
	if have, want := strings.Join(f.commands(nodeB), "|"), "ASKING|GET "+k; have != want {
		t.Fatalf("B received %q, want %q", have, want)
	}
	// ASK is for one command: the next one goes to A again.
	if have := testutil.Must(t, c.Get(k)); have != nodeA {
		t.Fatalf("after ASK, next GET answered by %s, want %s", have, nodeA)
	}
}

func TestTryAgainIsRetriedWithinTheRetryTime(t *testing.T) {
	var n atomic.Int64
	f := twoNodes(t, nil, func(addr string, args []string) proto.Value {
		if n.Add(1) <= 3 {
			return proto.ErrorValue("TRYAGAIN Multiple keys request during rehashing of slot")
		}
		return proto.BulkValue("done")
	})
	c := connectFake(t, f, cluster.Options{}, nodeA)
	if have := testutil.Must(t, c.Get("k")); have != "done" {
		t.Fatalf("GET = %q", have)
	}
	if n.Load() != 4 {
		t.Fatalf("GET sent %d times, want 4", n.Load())
	}
}

func TestClusterDownFailsAfterTheRetryTime(t *testing.T) {
	var n atomic.Int64
	f := twoNodes(t, nil, func(addr string, args []string) proto.Value {
		n.Add(1)
		return proto.ErrorValue("CLUSTERDOWN The cluster is down")
	})
	c := connectFake(t, f, cluster.Options{RetryTimeout: 300 * time.Millisecond}, nodeA)
	start := time.Now()
	_, err := testutil.Wait(t, c.Get("k"))
	if !errors.Is(err, proto.ErrClusterDown) {
		t.Fatalf("err = %v, want CLUSTERDOWN", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("gave up after %v, RetryTimeout is 300ms", el)
	}
	if n.Load() < 3 {
		t.Fatalf("sent %d times, want several retries", n.Load())
	}
}

func TestRedirectionsAreCapped(t *testing.T) {
	var n atomic.Int64
	f := twoNodes(t, nil, func(addr string, args []string) proto.Value {
		n.Add(1)
		other := nodeB
		if addr == nodeB {
			other = nodeA
		}
		return proto.ErrorValue("ASK " + itoa(cluster.Slot(args[1])) + " " + other)
	})
	f2 := f.answer
	f.answer = func(addr string, args []string) proto.Value {
		if args[0] == "ASKING" {
			return proto.SimpleValue("OK")
		}
		return f2(addr, args)
	}
	c := connectFake(t, f, cluster.Options{MaxRedirects: 3}, nodeA)
	_, err := testutil.Wait(t, c.Get("k"))
	if !errors.Is(err, proto.ErrAsk) {
		t.Fatalf("err = %v, want the last ASK", err)
	}
	if n.Load() != 4 {
		t.Fatalf("GET sent %d times, want 1 + 3 redirections", n.Load())
	}
}

func TestCrossSlotFailsBeforeSending(t *testing.T) {
	f := twoNodes(t, nil, func(addr string, args []string) proto.Value { return proto.SimpleValue("OK") })
	c := connectFake(t, f, cluster.Options{}, nodeA)
	a, b := keyIn("a", 0, 100), keyIn("b", 9000, 9100)
	_, err := testutil.Wait(t, c.Do("MSET", a, "1", b, "2"))
	var cse *cluster.CrossSlotError
	if !errors.Is(err, cluster.ErrCrossSlot) || !errors.As(err, &cse) || cse.Command != "MSET" {
		t.Fatalf("err = %v, want a CrossSlotError for MSET", err)
	}
	if len(f.commands(nodeA))+len(f.commands(nodeB)) != 0 {
		t.Fatalf("something was sent: %v %v", f.commands(nodeA), f.commands(nodeB))
	}
	// Keys sharing a hash tag are one slot.
	if _, err := testutil.Wait(t, c.Do("MSET", "{u1}.a", "1", "{u1}.b", "2")); err != nil {
		t.Fatalf("MSET with a hash tag: %v", err)
	}
}

func TestSplitMGetKeepsKeyOrderAndDelSums(t *testing.T) {
	f := twoNodes(t, nil, func(addr string, args []string) proto.Value {
		switch args[0] {
		case "MGET":
			var vs []proto.Value
			for _, k := range args[1:] {
				vs = append(vs, proto.BulkValue("v:"+k))
			}
			return proto.ArrayValue(vs...)
		case "DEL":
			return proto.IntValue(int64(len(args) - 1))
		}
		return proto.ErrorValue("ERR unexpected")
	})
	c := connectFake(t, f, cluster.Options{}, nodeA)
	keys := []any{"MGET"}
	var want []string
	for i := 0; i < 20; i++ {
		lo := 0
		if i%2 == 1 {
			lo = 9000
		}
		k := keyIn("k"+itoa(i)+"-", lo, lo+7000)
		keys = append(keys, k)
		want = append(want, "v:"+k)
	}
	v := testutil.Must(t, c.Do(keys...))
	have, err := v.AsStrings()
	if err != nil || strings.Join(have, ",") != strings.Join(want, ",") {
		t.Fatalf("MGET = %v %v, want %v", have, err, want)
	}
	if len(f.commands(nodeA)) == 0 || len(f.commands(nodeB)) == 0 {
		t.Fatal("MGET was not split over both nodes")
	}
	var dk []string
	for _, k := range keys[1:] {
		dk = append(dk, k.(string))
	}
	if n := testutil.Must(t, c.Del(dk...)); n != 20 {
		t.Fatalf("DEL = %d, want 20", n)
	}
}

func TestUnreachableNodeIsRetriedAfterRefresh(t *testing.T) {
	// The map first names a node that does not exist for the upper half;
	// after a refresh B serves it.
	var fixed atomic.Bool
	f := newFakeCluster(t, nodeA, nodeB)
	f.answer = func(addr string, args []string) proto.Value {
		if args[0] == "CLUSTER" {
			if args[1] == "SHARDS" {
				return proto.ErrorValue("ERR unknown subcommand")
			}
			if fixed.Load() {
				return slotsReply(0, 8191, nodeA, 8192, 16383, nodeB)
			}
			return slotsReply(0, 8191, nodeA, 8192, 16383, "127.0.0.1:7999")
		}
		return proto.BulkValue(addr)
	}
	c := connectFake(t, f, cluster.Options{RetryTimeout: 3 * time.Second}, nodeA)
	k := keyIn("k", 8192, 16383)
	d := c.Get(k)
	time.AfterFunc(100*time.Millisecond, func() { fixed.Store(true) })
	if have := testutil.Must(t, d); have != nodeB {
		t.Fatalf("GET answered by %s", have)
	}
}

func TestDisconnectLeavesNothingRunning(t *testing.T) {
	before := runtime.NumGoroutine()
	f := twoNodes(t, nil, func(addr string, args []string) proto.Value { return proto.BulkValue("x") })
	opts := cluster.Options{}
	opts.Dialer = f.dial
	c := testutil.Must(t, cluster.Connect([]string{nodeA}, opts))
	for i := 0; i < 50; i++ {
		testutil.Must(t, c.Get("k"+itoa(i)))
	}
	testutil.Wait(t, c.Disconnect())
	_, err := testutil.Wait(t, c.Get("k"))
	if !errors.Is(err, conn.ErrClosed) {
		t.Fatalf("after Disconnect: %v, want ErrClosed", err)
	}
	for _, s := range f.servers {
		s.Close()
	}
	testutil.CheckGoroutines(t, before)
}

func TestConnectFailsWhenNoNodeAnswers(t *testing.T) {
	before := runtime.NumGoroutine()
	f := newFakeCluster(t)
	opts := cluster.Options{}
	opts.Dialer = f.dial
	opts.ConnectTimeout = 500 * time.Millisecond
	_, err := testutil.Wait(t, cluster.Connect([]string{nodeA, nodeB}, opts))
	if !errors.Is(err, cluster.ErrNoNodes) {
		t.Fatalf("err = %v, want ErrNoNodes", err)
	}
	testutil.CheckGoroutines(t, before)
}
