package sentinel_test

import (
	"errors"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/sentinel"
)

// TestMain stops the sentinel deployment the real-server tests share.
// Starting it takes about 6s (the sentinels find each other through hello
// messages every 2s). The tests run in file order and each leaves the
// deployment settled; the failover test runs last.
func TestMain(m *testing.M) {
	code := m.Run()
	testcluster.StopShared()
	os.Exit(code)
}

// ready returns the shared deployment once it is settled.
func ready(t testing.TB) *testcluster.Sentinel {
	t.Helper()
	s := testcluster.SharedSentinel(t)
	if err := s.WaitReady(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	return s
}

func connect(t testing.TB, s *testcluster.Sentinel, opts sentinel.Options) *sentinel.Client {
	t.Helper()
	c := testutil.Must(t, sentinel.Connect(s.SentinelAddrs(), testcluster.MasterName, opts))
	t.Cleanup(func() { testutil.Wait(t, c.Disconnect()) })
	return c
}

// replicaAddrs returns the addresses of the deployment's replicas, sorted.
func replicaAddrs(t testing.TB, s *testcluster.Sentinel) []string {
	t.Helper()
	rs, err := s.Replicas()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.Addr())
	}
	slices.Sort(out)
	return out
}

func TestConnectFindsTheMasterAndReadsFromTheReplicas(t *testing.T) {
	s := ready(t)
	c := connect(t, s, sentinel.Options{MinOtherSentinels: 2})
	want, err := s.MasterAddr(0)
	if err != nil {
		t.Fatal(err)
	}
	if c.MasterAddr() != want {
		t.Fatalf("master %s, want %s", c.MasterAddr(), want)
	}
	if have, want := c.Replicas(), replicaAddrs(t, s); !slices.Equal(have, want) {
		t.Fatalf("replicas %v, want %v", have, want)
	}
	testutil.Must(t, c.Set("sentinel:k", "v"))
	if v := testutil.Must(t, c.Get("sentinel:k")); v != "v" {
		t.Fatalf("GET = %q", v)
	}
	seen := map[string]bool{}
	for i := 0; i < 4; i++ {
		r := c.Replica()
		if r.Addr() == c.MasterAddr() {
			t.Fatalf("replica handle on the master %s", r.Addr())
		}
		seen[r.Addr()] = true
		testutil.Eventually(t, func() error {
			v, err := r.Get("sentinel:k").Wait(t.Context())
			if err == nil && v != "v" {
				err = errors.New("GET on a replica = " + v)
			}
			return err
		})
		if _, err := testutil.Wait(t, r.Set("sentinel:k", "w")); err == nil {
			t.Fatal("SET on a replica succeeded")
		}
	}
	if len(seen) != 2 {
		t.Fatalf("Replica() visited %v, want both replicas", seen)
	}
}

func TestUnknownMasterAndTooFewSentinelsFail(t *testing.T) {
	s := ready(t)
	before := runtime.NumGoroutine()
	opts := sentinel.Options{}
	opts.ConnectTimeout = 300 * time.Millisecond
	_, err := testutil.Wait(t, sentinel.Connect(s.SentinelAddrs(), "nosuchmaster", opts))
	if !errors.Is(err, sentinel.ErrNoMaster) {
		t.Fatalf("unknown master: %v, want ErrNoMaster", err)
	}
	opts.MinOtherSentinels = 5
	_, err = testutil.Wait(t, sentinel.Connect(s.SentinelAddrs(), testcluster.MasterName, opts))
	if !errors.Is(err, sentinel.ErrNoMaster) {
		t.Fatalf("MinOtherSentinels 5 of 3: %v, want ErrNoMaster", err)
	}
	testutil.CheckGoroutines(t, before)
}

func TestDisconnectLeavesNothingRunning(t *testing.T) {
	s := ready(t)
	before := runtime.NumGoroutine()
	c := testutil.Must(t, sentinel.Connect(s.SentinelAddrs(), testcluster.MasterName, sentinel.Options{PoolSize: 3}))
	testutil.Must(t, c.Set("leak", "1"))
	testutil.Must(t, c.Replica().Ping())
	testutil.Wait(t, c.Disconnect())
	testutil.CheckGoroutines(t, before)
}
