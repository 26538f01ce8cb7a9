package sentinel_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/sentinel"
)

// TestReplicasAreMergedAcrossSentinels is issue 15, case 4: the first
// sentinel listed cannot reach the servers (it lacks their password) and
// flags the master and the replicas s_down; the two others find them
// healthy. The client takes the master from those two and the replicas
// that most sentinels call healthy, not everything from the first. When
// every sentinel flags the master s_down, it is refused.
func TestReplicasAreMergedAcrossSentinels(t *testing.T) {
	s := ready(t)
	const pw = "merge-secret"
	do := func(n *testcluster.Node, args ...string) {
		t.Helper()
		if _, err := n.Do(args...); err != nil {
			t.Fatalf("%s %v: %v", n.Addr(), args, err)
		}
	}
	// Sentinels 1 and 2 get the password, then every server requires it
	// and drops its clients (the sentinels' links among them), so that
	// sentinel 0 sees them all answer NOAUTH.
	for _, n := range s.Sentinels[1:] {
		do(n, "SENTINEL", "SET", testcluster.MasterName, "auth-pass", pw)
	}
	restore := func() {
		for _, n := range s.Servers {
			_, _ = testcluster.DoAuth(n.Addr(), pw, "CONFIG", "SET", "requirepass", "")
			_, _ = n.Do("CONFIG", "SET", "masterauth", "")
		}
		for _, n := range s.Sentinels {
			_, _ = n.Do("SENTINEL", "SET", testcluster.MasterName, "auth-pass", "")
			_, _ = n.Do("SENTINEL", "SET", testcluster.MasterName, "quorum", "2")
		}
	}
	defer func() {
		restore()
		if err := s.WaitReady(30 * time.Second); err != nil {
			t.Fatal(err)
		}
	}()
	for _, n := range s.Servers {
		do(n, "CONFIG", "SET", "masterauth", pw)
		do(n, "CONFIG", "SET", "requirepass", pw)
		_, _ = testcluster.DoAuth(n.Addr(), pw, "CLIENT", "KILL", "TYPE", "normal")
		_, _ = testcluster.DoAuth(n.Addr(), pw, "CLIENT", "KILL", "TYPE", "pubsub")
	}
	flagged := func(i int, want bool) error {
		v, err := s.Sentinels[i].Do("SENTINEL", "MASTER", testcluster.MasterName)
		if err != nil {
			return err
		}
		m, _ := v.AsMap()
		if down := strings.Contains(m["flags"], "s_down"); down != want {
			return fmt.Errorf("sentinel %d flags %q", i, m["flags"])
		}
		return nil
	}
	testutil.Eventually(t, func() error {
		if err := flagged(0, true); err != nil {
			return err
		}
		for i := 1; i < 3; i++ {
			if err := flagged(i, false); err != nil {
				return err
			}
			if h, err := s.HealthyReplicas(i); err != nil || len(h) != 2 {
				return fmt.Errorf("sentinel %d lists healthy %v %v", i, h, err)
			}
		}
		return nil
	})
	opts := sentinel.Options{}
	opts.Password = pw
	c := connect(t, s, opts)
	m, err := s.Master()
	if err != nil {
		t.Fatal(err)
	}
	if c.MasterAddr() != m.Addr() {
		t.Fatalf("master %s, want %s", c.MasterAddr(), m.Addr())
	}
	if r, want := c.Replicas(), replicaAddrs(t, s); !slices.Equal(r, want) {
		t.Fatalf("replicas %v, want %v: the sentinel listed first flags them down, the two others do not", r, want)
	}
	if r := c.Replica(); r.Addr() == m.Addr() {
		t.Fatal("Replica() sends reads to the master")
	}

	// Now every sentinel loses the password; a quorum above their number
	// keeps them from failing over.
	for _, n := range s.Sentinels {
		do(n, "SENTINEL", "SET", testcluster.MasterName, "quorum", "4")
		do(n, "SENTINEL", "SET", testcluster.MasterName, "auth-pass", "")
	}
	for _, n := range s.Servers {
		_, _ = testcluster.DoAuth(n.Addr(), pw, "CLIENT", "KILL", "TYPE", "normal")
		_, _ = testcluster.DoAuth(n.Addr(), pw, "CLIENT", "KILL", "TYPE", "pubsub")
	}
	testutil.Eventually(t, func() error {
		for i := range s.Sentinels {
			if err := flagged(i, true); err != nil {
				return err
			}
		}
		return nil
	})
	opts.ConnectTimeout = 500 * time.Millisecond
	if _, err := testutil.Wait(t, sentinel.Connect(s.SentinelAddrs(), testcluster.MasterName, opts)); err == nil {
		t.Fatal("Connect accepted a master every sentinel flags s_down")
	}
}
