package cluster_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// TestMain stops the cluster the real-server tests share. Starting it takes
// about 2s; with it, the package's tests take about 10s under -race on two
// cores (the master failover about 3s of it, the migration under load
// about 0.5s).
func TestMain(m *testing.M) {
	code := m.Run()
	testcluster.StopShared()
	os.Exit(code)
}

// keyIn returns a key (prefix + number) whose slot is in [lo, hi].
func keyIn(prefix string, lo, hi int) string {
	for i := 0; ; i++ {
		k := prefix + strconv.Itoa(i)
		if s := cluster.Slot(k); s >= lo && s <= hi {
			return k
		}
	}
}

// fakeCluster is a set of scripted nodes by address, reached through one
// Dialer. answer is called for every command a node receives.
type fakeCluster struct {
	t       testing.TB
	answer  func(addr string, args []string) proto.Value
	servers map[string]*fakeserver.Server

	mu  sync.Mutex // protects log
	log map[string][][]string
}

// newFakeCluster starts fake nodes at addrs; answer may be swapped before
// the first dial.
func newFakeCluster(t testing.TB, addrs ...string) *fakeCluster {
	f := &fakeCluster{t: t, servers: map[string]*fakeserver.Server{}, log: map[string][][]string{}}
	for _, a := range addrs {
		a := a
		srv := fakeserver.New(func(p *fakeserver.Peer) {
			p.Serve(func(args []string) proto.Value {
				f.mu.Lock()
				f.log[a] = append(f.log[a], args)
				f.mu.Unlock()
				return f.answer(a, args)
			})
		})
		f.servers[a] = srv
		t.Cleanup(srv.Close)
	}
	return f
}

func (f *fakeCluster) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	srv, ok := f.servers[addr]
	if !ok {
		return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("no fake node at %s", addr)}
	}
	return srv.Dialer(ctx, network, addr)
}

// commands returns the commands node addr received, by name (CLUSTER
// commands left out).
func (f *fakeCluster) commands(addr string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, args := range f.log[addr] {
		if args[0] == "CLUSTER" {
			continue
		}
		s := args[0]
		for _, a := range args[1:] {
			s += " " + a
		}
		out = append(out, s)
	}
	return out
}

// slotsReply is a CLUSTER SLOTS answer giving [lo, hi] ranges to addrs.
func slotsReply(ranges ...any) proto.Value {
	var out []proto.Value
	for i := 0; i+2 < len(ranges)+1; i += 3 {
		host, port, _ := net.SplitHostPort(ranges[i+2].(string))
		p, _ := strconv.Atoi(port)
		out = append(out, proto.ArrayValue(
			proto.IntValue(int64(ranges[i].(int))), proto.IntValue(int64(ranges[i+1].(int))),
			proto.ArrayValue(proto.BulkValue(host), proto.IntValue(int64(p)), proto.BulkValue("id-"+port)),
		))
	}
	return proto.ArrayValue(out...)
}

// connectFake connects a cluster to the fake nodes.
func connectFake(t testing.TB, f *fakeCluster, opts cluster.Options, start ...string) *cluster.Cluster {
	t.Helper()
	opts.Dialer = f.dial
	c := testutil.Must(t, cluster.Connect(start, opts))
	t.Cleanup(func() { testutil.Wait(t, c.Disconnect()) })
	return c
}

func itoa(i int) string { return strconv.Itoa(i) }

func testingProcs() int { return runtime.GOMAXPROCS(0) }
