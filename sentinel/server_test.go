package sentinel_test

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/sentinel"
)

// TestMain stops the sentinel deployment the real-server tests share.
// Starting it takes about 5s (the sentinels find each other through hello
// messages every 2s); the package's tests take about 8s under -race.
func TestMain(m *testing.M) {
	code := m.Run()
	testcluster.StopShared()
	os.Exit(code)
}

func wait[T any](t testing.TB, d *deferred.Deferred[T]) (T, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	v, err := d.Wait(ctx)
	if ctx.Err() != nil {
		t.Fatalf("Deferred did not fire within 15s")
	}
	return v, err
}

func must[T any](t testing.TB, d *deferred.Deferred[T]) T {
	t.Helper()
	v, err := wait(t, d)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	return v
}

func checkGoroutines(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func connect(t testing.TB, s *testcluster.Sentinel, opts sentinel.Options) *sentinel.Client {
	t.Helper()
	c := must(t, sentinel.Connect(s.SentinelAddrs(), testcluster.MasterName, opts))
	t.Cleanup(func() { wait(t, c.Disconnect()) })
	return c
}

func TestConnectFindsTheMasterAndReadsFromTheReplica(t *testing.T) {
	s := testcluster.SharedSentinel(t)
	c := connect(t, s, sentinel.Options{MinOtherSentinels: 2})
	want, err := s.MasterAddr(0)
	if err != nil {
		t.Fatal(err)
	}
	if c.MasterAddr() != want {
		t.Fatalf("master %s, want %s", c.MasterAddr(), want)
	}
	must(t, c.Set("sentinel:k", "v"))
	if v := must(t, c.Get("sentinel:k")); v != "v" {
		t.Fatalf("GET = %q", v)
	}
	r := c.Replica()
	if r.Addr() == c.MasterAddr() || len(c.Replicas()) != 1 {
		t.Fatalf("replica handle on %s, replicas %v", r.Addr(), c.Replicas())
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := wait(t, r.Get("sentinel:k"))
		if err == nil && v == "v" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET on the replica: %q %v", v, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := wait(t, r.Set("sentinel:k", "w")); err == nil {
		t.Fatal("SET on the replica succeeded")
	}
}

func TestUnknownMasterAndTooFewSentinelsFail(t *testing.T) {
	s := testcluster.SharedSentinel(t)
	before := runtime.NumGoroutine()
	_, err := wait(t, sentinel.Connect(s.SentinelAddrs(), "nosuchmaster", sentinel.Options{}))
	if !errors.Is(err, sentinel.ErrNoMaster) {
		t.Fatalf("unknown master: %v, want ErrNoMaster", err)
	}
	_, err = wait(t, sentinel.Connect(s.SentinelAddrs(), testcluster.MasterName, sentinel.Options{MinOtherSentinels: 5}))
	if !errors.Is(err, sentinel.ErrNoMaster) {
		t.Fatalf("MinOtherSentinels 5 of 3: %v, want ErrNoMaster", err)
	}
	checkGoroutines(t, before)
}

func TestDisconnectLeavesNothingRunning(t *testing.T) {
	s := testcluster.SharedSentinel(t)
	before := runtime.NumGoroutine()
	c := must(t, sentinel.Connect(s.SentinelAddrs(), testcluster.MasterName, sentinel.Options{PoolSize: 3}))
	must(t, c.Set("leak", "1"))
	must(t, c.Replica().Ping())
	wait(t, c.Disconnect())
	checkGoroutines(t, before)
}

// TestFailoverIsFollowed runs last: the old master takes a while to be a
// healthy replica again.
func TestFailoverIsFollowed(t *testing.T) {
	s := testcluster.SharedSentinel(t)
	c := connect(t, s, sentinel.Options{})
	old := c.MasterAddr()
	must(t, c.Set("fo:before", "1"))
	start := time.Now()
	if _, err := s.Sentinels[0].Do("SENTINEL", "FAILOVER", testcluster.MasterName); err != nil {
		t.Fatal(err)
	}
	// Write until a write succeeds on the new master.
	deadline := time.Now().Add(15 * time.Second)
	var failed int
	for i := 0; ; i++ {
		k := "fo:" + strconv.Itoa(i)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := c.Set(k, "x").Wait(ctx)
		cancel()
		if err != nil {
			failed++
		}
		if err == nil && c.MasterAddr() != old {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still on %s after 15s (last error %v)", c.MasterAddr(), err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	took := time.Since(start)
	n := s.Node(c.MasterAddr())
	if n == nil {
		t.Fatalf("new master %s is not a server of the deployment", c.MasterAddr())
	}
	v, err := n.Do("ROLE")
	if err != nil || v.Elems[0].Str != "master" {
		t.Fatalf("ROLE on %s: %v %v", n.Addr(), v, err)
	}
	if got := must(t, c.Get("fo:before")); got != "1" {
		t.Fatalf("data written before the failover: %q", got)
	}
	t.Logf("failover %s -> %s followed in %v, %d writes failed meanwhile", old, c.MasterAddr(), took, failed)
	if took > 10*time.Second {
		t.Fatalf("took %v", took)
	}
}
