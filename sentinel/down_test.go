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

// TestAKilledReplicaLeavesTheRotation is issue 15, case 3: a replica
// that dies leaves the rotation at once (its connection goes down),
// certainly within the sentinels' down-after time, and comes back once
// it is healthy again.
func TestAKilledReplicaLeavesTheRotation(t *testing.T) {
	s := ready(t)
	c := connect(t, s, sentinel.Options{})
	rs, err := s.Replicas()
	if err != nil {
		t.Fatal(err)
	}
	victim, other := rs[0], rs[1]
	testutil.Must(t, c.Set("down:k", "v"))
	for i := 0; i < 4; i++ {
		testutil.Must(t, c.Replica().Ping()) // both replica connections are up
	}
	victim.Kill()
	restarted := false
	defer func() {
		if !restarted {
			_ = victim.Restart()
		}
	}()
	took := testutil.EventuallyWithin(t, testcluster.DownAfter, func() error {
		if r := c.Replicas(); !slices.Equal(r, []string{other.Addr()}) {
			return fmt.Errorf("replicas %v", r)
		}
		return nil
	})
	failed := 0
	for i := 0; i < 20; i++ {
		r := c.Replica()
		if r.Addr() != other.Addr() {
			t.Errorf("Replica() = %s, want %s", r.Addr(), other.Addr())
		}
		if _, err := testutil.Wait(t, r.Get("down:k")); err != nil {
			failed++
		}
	}
	t.Logf("the killed replica left the rotation %v after the kill; %d of 20 reads failed", took, failed)
	if failed != 0 {
		t.Fatalf("%d of 20 reads on Replica() failed", failed)
	}
	if err := victim.Restart(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	if err := s.WaitReady(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	// Back in the rotation within a refresh of the sentinels listing it.
	testutil.EventuallyWithin(t, 2*sentinel.DefaultRefreshInterval+time.Second, func() error {
		if r, want := c.Replicas(), replicaAddrs(t, s); !slices.Equal(r, want) {
			return fmt.Errorf("replicas %v, want %v", r, want)
		}
		return nil
	})
}

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
		testutil.Eventually(t, func() error { // a loaded machine can time a dial out
			_, err := n.Do(args...)
			return err
		})
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
