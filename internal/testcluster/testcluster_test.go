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

func TestSentinelSeesMasterAndReplica(t *testing.T) {
	start := time.Now()
	s := testcluster.StartSentinel(t)
	t.Logf("sentinels up in %v", time.Since(start))
	for i := range s.Sentinels {
		addr, err := s.MasterAddr(i)
		if err != nil {
			t.Fatal(err)
		}
		if addr != s.Master.Addr() {
			t.Fatalf("sentinel %d: master %s, want %s", i, addr, s.Master.Addr())
		}
	}
	v, err := s.Replica.Do("ROLE")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Elems) == 0 || v.Elems[0].Str != "slave" {
		t.Fatalf("replica ROLE = %v", v)
	}
}
