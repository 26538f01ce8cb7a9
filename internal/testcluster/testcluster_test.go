package testcluster_test

import (
	"testing"
	"time"

	"github.com/txredis/txredis/internal/testcluster"
)

func TestClusterStartsWithThreeMastersCoveringAllSlots(t *testing.T) {
	start := time.Now()
	c := testcluster.Start(t)
	t.Logf("cluster up in %v", time.Since(start))
	masters, err := c.Masters()
	if err != nil {
		t.Fatal(err)
	}
	if len(masters) != 3 {
		t.Fatalf("have %d masters, want 3", len(masters))
	}
	v, err := masters[0].Do("CLUSTER", "KEYSLOT", "probe")
	if err != nil {
		t.Fatal(err)
	}
	o, err := c.Owner(int(v.Int))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Do("SET", "probe", "1"); err != nil {
		t.Fatalf("SET on the owner of slot %d: %v", v.Int, err)
	}
	for _, m := range masters {
		if m != o {
			if _, err := m.Do("GET", "probe"); err == nil {
				t.Fatalf("GET on %s, not the owner, was not redirected", m.Addr())
			}
		}
	}
}

func TestSentinelSeesMasterAndReplicasAndFailsOver(t *testing.T) {
	start := time.Now()
	s := testcluster.StartSentinel(t)
	t.Logf("sentinels up in %v", time.Since(start))
	for i := range s.Sentinels {
		addr, err := s.MasterAddr(i)
		if err != nil {
			t.Fatal(err)
		}
		if addr != s.Servers[0].Addr() {
			t.Fatalf("sentinel %d: master %s, want %s", i, addr, s.Servers[0].Addr())
		}
	}
	for _, r := range s.Servers[1:] {
		v, err := r.Do("ROLE")
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Elems) == 0 || v.Elems[0].Str != "slave" {
			t.Fatalf("replica ROLE = %v", v)
		}
	}
	w, err := s.Watch("+switch-master")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	start = time.Now()
	if err := s.Failover(0); err != nil {
		t.Fatal(err)
	}
	m, err := s.WaitNewMaster(s.Servers[0], 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	if now, err := s.Master(); err != nil || now != m {
		t.Fatalf("after settling: master %v %v, want %s", now, err, m.Addr())
	}
	e, ok := w.First("+switch-master")
	if !ok {
		t.Fatal("no +switch-master recorded")
	}
	t.Logf("+switch-master from sentinel %d after %v: %s; settled after %v", e.Sentinel, e.At.Sub(start), e.Payload, time.Since(start))
}
