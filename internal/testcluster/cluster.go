package testcluster

import (
	"errors"
	"fmt"
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

// NodeTimeout is the cluster-node-timeout of the nodes: a master that does
// not answer for this long is failed over.
const NodeTimeout = 1000 * time.Millisecond

// Cluster is a running six-node Redis Cluster.
type Cluster struct {
	// Nodes are the processes, masters first as created (Nodes[i+3]
	// replicates Nodes[i] at creation; failovers change roles).
	Nodes []*Node
	dir   string
}

// Start starts a cluster owned by the test and stopped when it ends.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	testserver.Binary(tb, "redis-server")
	testserver.Binary(tb, "redis-cli")
	c, err := New()
	if err != nil {
		tb.Fatalf("%v", err)
	}
	tb.Cleanup(c.Stop)
	return c
}

var shared struct {
	once sync.Once
	c    *Cluster
	err  error
}

// Shared returns the package's shared cluster, starting it on first use.
// TestMain must call StopShared after m.Run.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	testserver.Binary(tb, "redis-server")
	testserver.Binary(tb, "redis-cli")
	shared.once.Do(func() { shared.c, shared.err = New() })
	if shared.err != nil {
		tb.Fatalf("%v", shared.err)
	}
	if err := shared.c.WaitHealthy(20 * time.Second); err != nil {
		tb.Fatalf("shared cluster unhealthy: %v", err)
	}
	return shared.c
}

// StopShared stops the shared cluster and the shared sentinel deployment,
// those that were started.
func StopShared() {
	if shared.c != nil {
		shared.c.Stop()
	}
	if sharedSentinel.s != nil {
		sharedSentinel.s.Stop()
	}
}

// New starts six nodes in a temporary directory and creates the cluster.
// The caller must call Stop.
func New() (*Cluster, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "txredis-cluster-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir}
	for i := 0; i < 6; i++ {
		n, err := startNode(bin, filepath.Join(dir, strconv.Itoa(i)), "", func(port int) ([]string, error) {
			bus, err := freePort()
			if err != nil {
				return nil, err
			}
			return []string{
				"--cluster-enabled", "yes",
				"--cluster-config-file", "nodes.conf",
				"--cluster-node-timeout", strconv.Itoa(int(NodeTimeout / time.Millisecond)),
				"--cluster-port", strconv.Itoa(bus),
				"--cluster-replica-validity-factor", "0",
				"--cluster-allow-replica-migration", "no",
				"--repl-diskless-sync", "yes",
				"--repl-diskless-sync-delay", "0",
				"--repl-diskless-load", "swapdb",
			}, nil
		})
		if err != nil {
			c.Stop()
			return nil, err
		}
		c.Nodes = append(c.Nodes, n)
	}
	args := []string{"--cluster", "create"}
	for _, n := range c.Nodes {
		args = append(args, n.Addr())
	}
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	out, err := exec.Command(cli, args...).CombinedOutput()
	if err != nil {
		c.Stop()
		return nil, fmt.Errorf("testcluster: redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.WaitHealthy(30 * time.Second); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// Stop kills every node and removes the directory.
func (c *Cluster) Stop() {
	for _, n := range c.Nodes {
		n.Kill()
	}
	os.RemoveAll(c.dir)
}

// Addrs returns the address of every node.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr()
	}
	return out
}

// Node returns the node listening on addr, or nil.
func (c *Cluster) Node(addr string) *Node {
	for _, n := range c.Nodes {
		if n.Addr() == addr {
			return n
		}
	}
	return nil
}

// NodeInfo is one line of CLUSTER NODES.
type NodeInfo struct {
	ID     string
	Addr   string // "127.0.0.1:port"
	Master bool
	Failed bool   // flagged fail or pfail
	Of     string // master's ID, for replicas
	Slots  [][2]int
}

// Topology returns CLUSTER NODES as seen by node n.
func (c *Cluster) Topology(n *Node) ([]NodeInfo, error) {
	v, err := n.Do("CLUSTER", "NODES")
	if err != nil {
		return nil, err
	}
	var out []NodeInfo
	for _, line := range strings.Split(strings.TrimSpace(v.Str), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		ni := NodeInfo{ID: f[0], Addr: f[1], Of: f[3]}
		if i := strings.IndexByte(ni.Addr, '@'); i >= 0 {
			ni.Addr = ni.Addr[:i]
		}
		flags := "," + f[2] + ","
		ni.Master = strings.Contains(flags, ",master,")
		ni.Failed = strings.Contains(flags, ",fail,") || strings.Contains(flags, ",fail?,")
		for _, r := range f[8:] {
			if strings.HasPrefix(r, "[") {
				continue // a slot being migrated
			}
			lo, hi, ok := strings.Cut(r, "-")
			a, _ := strconv.Atoi(lo)
			b := a
			if ok {
				b, _ = strconv.Atoi(hi)
			}
			ni.Slots = append(ni.Slots, [2]int{a, b})
		}
		out = append(out, ni)
	}
	return out, nil
}

// live returns a node that is running.
func (c *Cluster) live() *Node {
	for _, n := range c.Nodes {
		if n.Alive() {
			return n
		}
	}
	return nil
}

// Owner returns the node that serves slot as master, as the first live node
// sees it.
func (c *Cluster) Owner(slot int) (*Node, error) {
	n := c.live()
	if n == nil {
		return nil, errors.New("testcluster: no live node")
	}
	top, err := c.Topology(n)
	if err != nil {
		return nil, err
	}
	for _, ni := range top {
		for _, r := range ni.Slots {
			if ni.Master && r[0] <= slot && slot <= r[1] {
				if o := c.Node(ni.Addr); o != nil {
					return o, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("testcluster: no owner for slot %d", slot)
}

// Masters returns the live nodes that are masters with slots.
func (c *Cluster) Masters() ([]*Node, error) {
	n := c.live()
	if n == nil {
		return nil, errors.New("testcluster: no live node")
	}
	top, err := c.Topology(n)
	if err != nil {
		return nil, err
	}
	var out []*Node
	for _, ni := range top {
		if ni.Master && !ni.Failed && len(ni.Slots) > 0 {
			if o := c.Node(ni.Addr); o != nil && o.Alive() {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// ID returns the cluster node ID of n.
func (c *Cluster) ID(n *Node) (string, error) {
	v, err := n.Do("CLUSTER", "MYID")
	return v.Str, err
}

// WaitHealthy waits until every live node reports cluster_state:ok, sees
// three masters that are not failed covering all slots, and every live
// node agrees on who they are.
func (c *Cluster) WaitHealthy(timeout time.Duration) error {
	return poll(timeout, func() error {
		var want string
		for _, n := range c.Nodes {
			if !n.Alive() {
				continue
			}
			v, err := n.Do("CLUSTER", "INFO")
			if err != nil {
				return err
			}
			if st := info(v.Str, "cluster_state"); st != "ok" {
				return fmt.Errorf("%s: cluster_state:%s", n.Addr(), st)
			}
			top, err := c.Topology(n)
			if err != nil {
				return err
			}
			var masters []string
			covered := 0
			for _, ni := range top {
				if ni.Master && len(ni.Slots) > 0 {
					if ni.Failed {
						return fmt.Errorf("%s sees failed master %s", n.Addr(), ni.Addr)
					}
					masters = append(masters, ni.Addr)
					for _, r := range ni.Slots {
						covered += r[1] - r[0] + 1
					}
				}
			}
			if covered != 16384 {
				return fmt.Errorf("%s: %d slots covered", n.Addr(), covered)
			}
			got := strings.Join(sortStrings(masters), ",")
			if want == "" {
				want = got
			} else if got != want {
				return fmt.Errorf("nodes disagree on masters: %s vs %s", want, got)
			}
			if info(v.Str, "cluster_known_nodes") != strconv.Itoa(len(c.Nodes)) {
				return fmt.Errorf("%s knows %s nodes", n.Addr(), info(v.Str, "cluster_known_nodes"))
			}
		}
		return nil
	})
}

func sortStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// WaitFailover waits until a node other than old serves slot as master,
// after old was killed.
func (c *Cluster) WaitFailover(slot int, old *Node, timeout time.Duration) (*Node, error) {
	var owner *Node
	err := poll(timeout, func() error {
		o, err := c.Owner(slot)
		if err != nil {
			return err
		}
		if o == old {
			return errNotYet
		}
		owner = o
		return nil
	})
	return owner, err
}

// KeysInSlot returns up to count keys stored in slot on n.
func (c *Cluster) KeysInSlot(n *Node, slot, count int) ([]string, error) {
	v, err := n.Do("CLUSTER", "GETKEYSINSLOT", strconv.Itoa(slot), strconv.Itoa(count))
	if err != nil {
		return nil, err
	}
	return v.AsStrings()
}

// MoveSlot migrates slot from its owner to dst the way redis-cli reshard
// does: SETSLOT IMPORTING on dst, MIGRATING on the source, MIGRATE of the
// keys batch by batch (calling between, if not nil, after each batch so
// tests can interleave load), then SETSLOT NODE on both and the other
// masters.
func (c *Cluster) MoveSlot(slot int, dst *Node, batch int, between func()) error {
	src, err := c.Owner(slot)
	if err != nil {
		return err
	}
	if src == dst {
		return nil
	}
	srcID, err := c.ID(src)
	if err != nil {
		return err
	}
	dstID, err := c.ID(dst)
	if err != nil {
		return err
	}
	s := strconv.Itoa(slot)
	if _, err := dst.Do("CLUSTER", "SETSLOT", s, "IMPORTING", srcID); err != nil {
		return fmt.Errorf("importing: %w", err)
	}
	if _, err := src.Do("CLUSTER", "SETSLOT", s, "MIGRATING", dstID); err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	for {
		keys, err := c.KeysInSlot(src, slot, batch)
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			break
		}
		args := []string{"MIGRATE", "127.0.0.1", strconv.Itoa(dst.Port()), "", "0", "5000", "REPLACE", "KEYS"}
		if _, err := src.Do(append(args, keys...)...); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if between != nil {
			between()
		}
	}
	if _, err := dst.Do("CLUSTER", "SETSLOT", s, "NODE", dstID); err != nil {
		return fmt.Errorf("setslot node on dst: %w", err)
	}
	if _, err := src.Do("CLUSTER", "SETSLOT", s, "NODE", dstID); err != nil {
		return fmt.Errorf("setslot node on src: %w", err)
	}
	masters, err := c.Masters()
	if err != nil {
		return err
	}
	for _, m := range masters {
		if m != src && m != dst {
			_, _ = m.Do("CLUSTER", "SETSLOT", s, "NODE", dstID)
		}
	}
	return nil
}

// WaitReplicasOnline waits until CLUSTER SHARDS, asked of a live node,
// reports every node "online" (a fresh replica is "loading" until its
// first sync is done, and clients leave it out of the map until then).
func (c *Cluster) WaitReplicasOnline(timeout time.Duration) error {
	return poll(timeout, func() error {
		v, err := c.live().Do("CLUSTER", "SHARDS")
		if err != nil {
			return err
		}
		nodes := 0
		for _, shard := range v.Elems {
			for i := 0; i+1 < len(shard.Elems); i += 2 {
				if shard.Elems[i].Str != "nodes" {
					continue
				}
				for _, node := range shard.Elems[i+1].Elems {
					nodes++
					for j := 0; j+1 < len(node.Elems); j += 2 {
						if node.Elems[j].Str == "health" && node.Elems[j+1].Str != "online" {
							return fmt.Errorf("a node is %s", node.Elems[j+1].Str)
						}
					}
				}
			}
		}
		if nodes != len(c.Nodes) {
			return fmt.Errorf("CLUSTER SHARDS lists %d of %d nodes", nodes, len(c.Nodes))
		}
		return nil
	})
}
