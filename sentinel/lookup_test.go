package sentinel_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/sentinel"
)

// monitorLater makes every sentinel of s monitor the current master under
// name after delay, and forget it when the test ends.
func monitorLater(t *testing.T, s *testcluster.Sentinel, name string, delay time.Duration) *testcluster.Node {
	t.Helper()
	m, err := s.Master()
	if err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(delay, func() {
		for _, n := range s.Sentinels {
			if _, err := n.Do("SENTINEL", "MONITOR", name, "127.0.0.1", strconv.Itoa(m.Port()), "2"); err != nil {
				t.Errorf("SENTINEL MONITOR %s: %v", name, err)
			}
		}
	})
	t.Cleanup(func() {
		timer.Stop()
		for _, n := range s.Sentinels {
			_, _ = n.Do("SENTINEL", "REMOVE", name)
		}
	})
	return m
}

// TestConnectRetriesUntilASentinelKnowsTheMaster is issue 15, case 5:
// sentinels that do not know the master yet make Connect ask again, with
// backoff, until ConnectTimeout, as txredisapi's master_for keeps trying.
func TestConnectRetriesUntilASentinelKnowsTheMaster(t *testing.T) {
	s := ready(t)
	m := monitorLater(t, s, "late", 300*time.Millisecond)
	start := time.Now()
	c := testutil.Must(t, sentinel.Connect(s.SentinelAddrs(), "late", sentinel.Options{}))
	t.Cleanup(func() { testutil.Wait(t, c.Disconnect()) })
	if c.MasterAddr() != m.Addr() {
		t.Fatalf("master %s, want %s", c.MasterAddr(), m.Addr())
	}
	testutil.Must(t, c.Set("late:k", "v"))
	t.Logf("connected %v after the start, the sentinels learnt the master after 300ms", time.Since(start))
}

// TestNewQueuesCommandsUntilTheMasterIsFound: the lazy constructor
// returns at once; commands sent before the master is known wait for the
// search and then run on it.
func TestNewQueuesCommandsUntilTheMasterIsFound(t *testing.T) {
	s := ready(t)
	m := monitorLater(t, s, "lazy", 300*time.Millisecond)
	c := sentinel.New(s.SentinelAddrs(), "lazy", sentinel.Options{})
	t.Cleanup(func() { testutil.Wait(t, c.Disconnect()) })
	set := c.Set("lazy:k", "v")
	tx := c.Multi()
	if set.Fired() || c.MasterAddr() != "" {
		t.Fatalf("the master was known before the sentinels knew it: %s", c.MasterAddr())
	}
	if r := testutil.Must(t, set); r != "OK" {
		t.Fatalf("SET = %q", r)
	}
	testutil.Must(t, testutil.Must(t, tx).Discard())
	if c.MasterAddr() != m.Addr() {
		t.Fatalf("master %s, want %s", c.MasterAddr(), m.Addr())
	}
	if v := testutil.Must(t, c.Get("lazy:k")); v != "v" {
		t.Fatalf("GET = %q", v)
	}

	// A search that finds nothing fails what waits for it.
	opts := sentinel.Options{}
	opts.ConnectTimeout = 300 * time.Millisecond
	u := sentinel.New(s.SentinelAddrs(), "nosuchmaster", opts)
	t.Cleanup(func() { testutil.Wait(t, u.Disconnect()) })
	if _, err := testutil.Wait(t, u.Get("k")); !errors.Is(err, sentinel.ErrNoMaster) {
		t.Fatalf("GET with no master: %v, want ErrNoMaster", err)
	}
}

func TestDiscoverMasterAndReplicas(t *testing.T) {
	s := ready(t)
	m, err := s.Master()
	if err != nil {
		t.Fatal(err)
	}
	if a := testutil.Must(t, sentinel.DiscoverMaster(s.SentinelAddrs(), testcluster.MasterName, sentinel.Options{})); a != m.Addr() {
		t.Fatalf("DiscoverMaster = %s, want %s", a, m.Addr())
	}
	rs := testutil.Must(t, sentinel.DiscoverReplicas(s.SentinelAddrs(), testcluster.MasterName, sentinel.Options{}))
	if want := replicaAddrs(t, s); !slices.Equal(rs, want) {
		t.Fatalf("DiscoverReplicas = %v, want %v", rs, want)
	}
	if _, err := testutil.Wait(t, sentinel.DiscoverMaster(s.SentinelAddrs(), "nosuchmaster", sentinel.Options{})); !errors.Is(err, sentinel.ErrNoMaster) {
		t.Fatalf("DiscoverMaster of an unknown name: %v, want ErrNoMaster", err)
	}
	if rs, err := testutil.Wait(t, sentinel.DiscoverReplicas(s.SentinelAddrs(), "nosuchmaster", sentinel.Options{})); err != nil || rs == nil || len(rs) != 0 {
		t.Fatalf("DiscoverReplicas of an unknown name = %#v, %v; want an empty list", rs, err)
	}
}
