package sentinel_test

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/internal/testutil"
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

func connect(t testing.TB, s *testcluster.Sentinel, opts sentinel.Options) *sentinel.Client {
	t.Helper()
	c := testutil.Must(t, sentinel.Connect(s.SentinelAddrs(), testcluster.MasterName, opts))
	t.Cleanup(func() { testutil.Wait(t, c.Disconnect()) })
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
	testutil.Must(t, c.Set("sentinel:k", "v"))
	if v := testutil.Must(t, c.Get("sentinel:k")); v != "v" {
		t.Fatalf("GET = %q", v)
	}
	r := c.Replica()
	if r.Addr() == c.MasterAddr() || len(c.Replicas()) == 0 {
		t.Fatalf("replica handle on %s, replicas %v", r.Addr(), c.Replicas())
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := testutil.Wait(t, r.Get("sentinel:k"))
		if err == nil && v == "v" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET on the replica: %q %v", v, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := testutil.Wait(t, r.Set("sentinel:k", "w")); err == nil {
		t.Fatal("SET on the replica succeeded")
	}
}

func TestUnknownMasterAndTooFewSentinelsFail(t *testing.T) {
	s := testcluster.SharedSentinel(t)
	before := runtime.NumGoroutine()
	_, err := testutil.Wait(t, sentinel.Connect(s.SentinelAddrs(), "nosuchmaster", sentinel.Options{}))
	if !errors.Is(err, sentinel.ErrNoMaster) {
		t.Fatalf("unknown master: %v, want ErrNoMaster", err)
	}
	_, err = testutil.Wait(t, sentinel.Connect(s.SentinelAddrs(), testcluster.MasterName, sentinel.Options{MinOtherSentinels: 5}))
	if !errors.Is(err, sentinel.ErrNoMaster) {
		t.Fatalf("MinOtherSentinels 5 of 3: %v, want ErrNoMaster", err)
	}
	testutil.CheckGoroutines(t, before)
}

func TestDisconnectLeavesNothingRunning(t *testing.T) {
	s := testcluster.SharedSentinel(t)
	before := runtime.NumGoroutine()
	c := testutil.Must(t, sentinel.Connect(s.SentinelAddrs(), testcluster.MasterName, sentinel.Options{PoolSize: 3}))
	testutil.Must(t, c.Set("leak", "1"))
	testutil.Must(t, c.Replica().Ping())
	testutil.Wait(t, c.Disconnect())
	testutil.CheckGoroutines(t, before)
}

// TestFailoverIsFollowed runs last: the old master takes a while to be a
// healthy replica again.
func TestFailoverIsFollowed(t *testing.T) {
	s := testcluster.SharedSentinel(t)
	c := connect(t, s, sentinel.Options{})
	old := c.MasterAddr()
	testutil.Must(t, c.Set("fo:before", "1"))
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
	if got := testutil.Must(t, c.Get("fo:before")); got != "1" {
		t.Fatalf("data written before the failover: %q", got)
	}
	t.Logf("failover %s -> %s followed in %v, %d writes failed meanwhile", old, c.MasterAddr(), took, failed)
	if took > 10*time.Second {
		t.Fatalf("took %v", took)
	}
}
