package testcluster

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/internal/testserver"
)

// MasterName is the name the sentinels monitor.
const MasterName = "mymaster"

// Sentinel is a master, a replica and three sentinels monitoring them as
// MasterName with a quorum of two, a down-after of 1s and a failover
// timeout of 3s.
type Sentinel struct {
	Master    *Node
	Replica   *Node
	Sentinels []*Node
	dir       string
}

// StartSentinel starts a sentinel deployment owned by the test and
// stopped when it ends. It returns once every sentinel knows the replica
// and the other two sentinels.
func StartSentinel(tb testing.TB) *Sentinel {
	tb.Helper()
	testserver.Binary(tb, "redis-server")
	s, err := NewSentinel()
	if err != nil {
		tb.Fatalf("%v", err)
	}
	tb.Cleanup(s.Stop)
	return s
}

var sharedSentinel struct {
	once sync.Once
	s    *Sentinel
	err  error
}

// SharedSentinel returns the package's shared sentinel deployment,
// starting it on first use (it is ready then, as StartSentinel's);
// StopShared stops it. Roles may have been swapped by an earlier failover,
// after which the old master takes several seconds to be a healthy
// replica again: ask MasterAddr, and run failovers last.
func SharedSentinel(tb testing.TB) *Sentinel {
	tb.Helper()
	testserver.Binary(tb, "redis-server")
	sharedSentinel.once.Do(func() { sharedSentinel.s, sharedSentinel.err = NewSentinel() })
	if sharedSentinel.err != nil {
		tb.Fatalf("%v", sharedSentinel.err)
	}
	return sharedSentinel.s
}

// NewSentinel starts a sentinel deployment; the caller must call Stop.
func NewSentinel() (*Sentinel, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "txredis-sentinel-")
	if err != nil {
		return nil, err
	}
	s := &Sentinel{dir: dir}
	plain := func(int) ([]string, error) { return nil, nil }
	if s.Master, err = startNode(bin, filepath.Join(dir, "master"), "", plain); err != nil {
		s.Stop()
		return nil, err
	}
	s.Replica, err = startNode(bin, filepath.Join(dir, "replica"), "", func(int) ([]string, error) {
		return []string{"--replicaof", "127.0.0.1", strconv.Itoa(s.Master.Port())}, nil
	})
	if err != nil {
		s.Stop()
		return nil, err
	}
	for i := 0; i < 3; i++ {
		sdir := filepath.Join(dir, "sentinel"+strconv.Itoa(i))
		if err := os.MkdirAll(sdir, 0o700); err != nil {
			s.Stop()
			return nil, err
		}
		conf := filepath.Join(sdir, "sentinel.conf")
		text := fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 2\n"+
			"sentinel down-after-milliseconds %s 1000\n"+
			"sentinel failover-timeout %s 3000\n"+
			"sentinel parallel-syncs %s 1\n",
			MasterName, s.Master.Port(), MasterName, MasterName, MasterName)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			s.Stop()
			return nil, err
		}
		n, err := startNode(bin, sdir, conf, func(int) ([]string, error) { return []string{"--sentinel"}, nil })
		if err != nil {
			s.Stop()
			return nil, err
		}
		s.Sentinels = append(s.Sentinels, n)
	}
	if err := s.WaitReady(30 * time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// Stop kills every process and removes the directory.
func (s *Sentinel) Stop() {
	for _, n := range append([]*Node{s.Master, s.Replica}, s.Sentinels...) {
		if n != nil {
			n.Kill()
		}
	}
	os.RemoveAll(s.dir)
}

// SentinelAddrs returns the addresses of the sentinels.
func (s *Sentinel) SentinelAddrs() []string {
	out := make([]string, len(s.Sentinels))
	for i, n := range s.Sentinels {
		out[i] = n.Addr()
	}
	return out
}

// WaitReady waits until every sentinel sees the replica online and the two
// other sentinels, so that a failover can be agreed on.
func (s *Sentinel) WaitReady(timeout time.Duration) error {
	return poll(timeout, func() error {
		for _, n := range s.Sentinels {
			v, err := n.Do("SENTINEL", "SENTINELS", MasterName)
			if err != nil {
				return err
			}
			if len(v.Elems) < 2 {
				return fmt.Errorf("%s knows %d other sentinels", n.Addr(), len(v.Elems))
			}
			v, err = n.Do("SENTINEL", "REPLICAS", MasterName)
			if err != nil {
				return err
			}
			ok := false
			for _, r := range v.Elems {
				m, _ := r.AsMap()
				if m["flags"] == "slave" && m["master-link-status"] == "ok" {
					ok = true
				}
			}
			if !ok {
				return fmt.Errorf("%s sees no healthy replica", n.Addr())
			}
		}
		return nil
	})
}

// MasterAddr returns the master address as sentinel i reports it.
func (s *Sentinel) MasterAddr(i int) (string, error) {
	v, err := s.Sentinels[i].Do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MasterName)
	if err != nil {
		return "", err
	}
	a, err := v.AsStrings()
	if err != nil || len(a) != 2 {
		return "", fmt.Errorf("testcluster: GET-MASTER-ADDR-BY-NAME: %v %v", v, err)
	}
	return a[0] + ":" + a[1], nil
}

// Node returns the master or replica process listening on addr, or nil.
func (s *Sentinel) Node(addr string) *Node {
	for _, n := range []*Node{s.Master, s.Replica} {
		if n.Addr() == addr {
			return n
		}
	}
	return nil
}
