package testcluster

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/internal/testserver"
)

// MasterName is the name the sentinels monitor.
const MasterName = "mymaster"

// Sentinel is a master, two replicas and three sentinels monitoring them
// as MasterName with a quorum of two, a down-after of DownAfter and a
// failover timeout of 3s.
type Sentinel struct {
	// Servers are the master and the replicas as created: Servers[0] was
	// the first master. Failovers change roles: ask Master.
	Servers   []*Node
	Sentinels []*Node
	dir       string
}

// DownAfter is the sentinels' down-after-milliseconds: a server that does
// not answer for this long is flagged s_down.
const DownAfter = time.Second

// replicasPerDeployment is how many replicas a deployment starts with.
const replicasPerDeployment = 2

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
	master, err := startNode(bin, filepath.Join(dir, "server0"), "", plain)
	if err != nil {
		s.Stop()
		return nil, err
	}
	s.Servers = append(s.Servers, master)
	for i := 1; i <= replicasPerDeployment; i++ {
		r, err := startNode(bin, filepath.Join(dir, "server"+strconv.Itoa(i)), "", func(int) ([]string, error) {
			return []string{"--replicaof", "127.0.0.1", strconv.Itoa(master.Port())}, nil
		})
		if err != nil {
			s.Stop()
			return nil, err
		}
		s.Servers = append(s.Servers, r)
	}
	for i := 0; i < 3; i++ {
		sdir := filepath.Join(dir, "sentinel"+strconv.Itoa(i))
		if err := os.MkdirAll(sdir, 0o700); err != nil {
			s.Stop()
			return nil, err
		}
		conf := filepath.Join(sdir, "sentinel.conf")
		text := fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 2\n"+
			"sentinel down-after-milliseconds %s %d\n"+
			"sentinel failover-timeout %s 3000\n"+
			"sentinel parallel-syncs %s 1\n",
			MasterName, master.Port(), MasterName, DownAfter.Milliseconds(), MasterName, MasterName)
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
	for _, n := range append(append([]*Node(nil), s.Servers...), s.Sentinels...) {
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

// WaitReady waits until the deployment is settled: every sentinel knows
// the two other sentinels, names the same master, and lists every other
// live server as a healthy replica, and those servers replicate from the
// master with their link up. After a failover, Settle speeds this up.
func (s *Sentinel) WaitReady(timeout time.Duration) error {
	return poll(timeout, func() error {
		var master string
		for i, n := range s.Sentinels {
			v, err := n.Do("SENTINEL", "SENTINELS", MasterName)
			if err != nil {
				return err
			}
			if len(v.Elems) < 2 {
				return fmt.Errorf("%s knows %d other sentinels", n.Addr(), len(v.Elems))
			}
			addr, err := s.MasterAddr(i)
			if err != nil {
				return err
			}
			if master == "" {
				master = addr
			} else if addr != master {
				return fmt.Errorf("sentinels name %s and %s", master, addr)
			}
			healthy, err := s.HealthyReplicas(i)
			if err != nil {
				return err
			}
			for _, r := range s.Servers {
				if r.Addr() != master && r.Alive() && !contains(healthy, r.Addr()) {
					return fmt.Errorf("%s does not list %s as a healthy replica", n.Addr(), r.Addr())
				}
			}
		}
		for _, r := range s.Servers {
			if r.Addr() == master || !r.Alive() {
				continue
			}
			v, err := r.Do("INFO", "replication")
			if err != nil {
				return err
			}
			if info(v.Str, "role") != "slave" || info(v.Str, "master_link_status") != "up" ||
				net.JoinHostPort(info(v.Str, "master_host"), info(v.Str, "master_port")) != master {
				return fmt.Errorf("%s does not replicate from %s yet", r.Addr(), master)
			}
		}
		return nil
	})
}

// HealthyReplicas returns the replicas sentinel i lists as healthy: not
// flagged s_down, o_down or disconnected, reporting the role of a
// replica, with their link to the master up.
func (s *Sentinel) HealthyReplicas(i int) ([]string, error) {
	v, err := s.Sentinels[i].Do("SENTINEL", "REPLICAS", MasterName)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range v.Elems {
		m, _ := r.AsMap()
		flags := "," + m["flags"] + ","
		if !strings.Contains(flags, ",s_down,") && !strings.Contains(flags, ",o_down,") &&
			!strings.Contains(flags, ",disconnected,") && m["role-reported"] == "slave" &&
			m["master-link-status"] == "ok" {
			out = append(out, net.JoinHostPort(m["ip"], m["port"]))
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Master returns the server the sentinels name as the master (the first
// sentinel that answers).
func (s *Sentinel) Master() (*Node, error) {
	var err error
	for i := range s.Sentinels {
		var addr string
		if addr, err = s.MasterAddr(i); err == nil {
			if n := s.Node(addr); n != nil {
				return n, nil
			}
			err = fmt.Errorf("testcluster: the sentinels name %s, not a server of the deployment", addr)
		}
	}
	return nil, err
}

// Replicas returns the servers other than the master, live or not.
func (s *Sentinel) Replicas() ([]*Node, error) {
	m, err := s.Master()
	if err != nil {
		return nil, err
	}
	var out []*Node
	for _, n := range s.Servers {
		if n != m {
			out = append(out, n)
		}
	}
	return out, nil
}

// Failover asks sentinel leader for SENTINEL FAILOVER: that sentinel
// leads the failover without an election.
func (s *Sentinel) Failover(leader int) error {
	_, err := s.Sentinels[leader].Do("SENTINEL", "FAILOVER", MasterName)
	return err
}

// WaitNewMaster waits until every sentinel names the same master, and it
// is not old.
func (s *Sentinel) WaitNewMaster(old *Node, timeout time.Duration) (*Node, error) {
	var m *Node
	err := poll(timeout, func() error {
		var addr string
		for i := range s.Sentinels {
			a, err := s.MasterAddr(i)
			if err != nil {
				return err
			}
			if addr != "" && a != addr {
				return fmt.Errorf("sentinels name %s and %s", addr, a)
			}
			addr = a
		}
		if m = s.Node(addr); m == nil || m == old {
			return errNotYet
		}
		return nil
	})
	return m, err
}

// Settle does what the sentinels would do some ten seconds after a
// failover: every live server other than the master they name is made a
// replica of it. Then it waits for WaitReady.
func (s *Sentinel) Settle(timeout time.Duration) error {
	err := poll(timeout, func() error {
		m, err := s.Master()
		if err != nil {
			return err
		}
		for _, n := range s.Servers {
			if n == m || !n.Alive() {
				continue
			}
			v, err := n.Do("INFO", "replication")
			if err != nil {
				return err
			}
			if info(v.Str, "role") != "slave" || info(v.Str, "master_port") != strconv.Itoa(m.Port()) {
				if _, err := n.Do("REPLICAOF", "127.0.0.1", strconv.Itoa(m.Port())); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.WaitReady(timeout)
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

// Node returns the server listening on addr, or nil.
func (s *Sentinel) Node(addr string) *Node {
	for _, n := range s.Servers {
		if n.Addr() == addr {
			return n
		}
	}
	return nil
}
