package sentinel_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/sentinel"
)

// fakeGroup serves scripted sentinels and servers by address.
type fakeGroup map[string]*fakeserver.Server

func (g fakeGroup) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if s, ok := g[addr]; ok {
		return s.Dialer(ctx, network, addr)
	}
	return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("nothing at %s", addr)}
}

// masterView is what a fake sentinel says about the master.
type masterView struct {
	port   string
	epoch  int
	others int
	flags  string // "master" when empty
}

func fakeSentinel(masterPort string, epoch, others int) func(*fakeserver.Peer) {
	return fakeSentinelView(masterView{port: masterPort, epoch: epoch, others: others})
}

func fakeSentinelView(mv masterView) func(*fakeserver.Peer) {
	if mv.flags == "" {
		mv.flags = "master"
	}
	return func(p *fakeserver.Peer) {
		p.Serve(func(args []string) proto.Value {
			switch args[0] {
			case "SUBSCRIBE":
				return proto.ArrayValue(proto.BulkValue("subscribe"), proto.BulkValue(args[1]), proto.IntValue(1))
			case "SENTINEL":
				switch args[1] {
				case "MASTER":
					return proto.ArrayValue(
						proto.BulkValue("name"), proto.BulkValue("mymaster"),
						proto.BulkValue("ip"), proto.BulkValue("127.0.0.1"),
						proto.BulkValue("port"), proto.BulkValue(mv.port),
						proto.BulkValue("flags"), proto.BulkValue(mv.flags),
						proto.BulkValue("config-epoch"), proto.BulkValue(fmt.Sprint(mv.epoch)),
						proto.BulkValue("num-other-sentinels"), proto.BulkValue(fmt.Sprint(mv.others)))
				case "REPLICAS":
					return proto.ArrayValue()
				}
			}
			return proto.ErrorValue("ERR unexpected " + args[0])
		})
	}
}

func fakeServer(role string) func(*fakeserver.Peer) {
	return func(p *fakeserver.Peer) {
		p.Serve(func(args []string) proto.Value {
			if args[0] == "ROLE" {
				return proto.ArrayValue(proto.BulkValue(role), proto.IntValue(0), proto.ArrayValue())
			}
			return proto.BulkValue(role)
		})
	}
}

func newFakeGroup(t *testing.T, handlers map[string]func(*fakeserver.Peer)) fakeGroup {
	g := fakeGroup{}
	for a, h := range handlers {
		s := fakeserver.New(h)
		g[a] = s
		t.Cleanup(s.Close)
	}
	return g
}

// connectFake connects to the fake sentinels, in the order given.
func connectFake(t *testing.T, g fakeGroup, opts sentinel.Options, sentinels ...string) (*sentinel.Client, error) {
	t.Helper()
	opts.Dialer = g.dial
	c, err := testutil.Wait(t, sentinel.Connect(sentinels, "mymaster", opts))
	if err == nil {
		t.Cleanup(func() { testutil.Wait(t, c.Disconnect()) })
	}
	return c, err
}

func TestTheHighestConfigEpochWins(t *testing.T) {
	g := newFakeGroup(t, map[string]func(*fakeserver.Peer){
		"127.0.0.1:26001": fakeSentinel("6001", 1, 2), // a stale view
		"127.0.0.1:26002": fakeSentinel("6002", 2, 2),
		"127.0.0.1:6001":  fakeServer("master"),
		"127.0.0.1:6002":  fakeServer("master"),
	})
	c, err := connectFake(t, g, sentinel.Options{}, "127.0.0.1:26001", "127.0.0.1:26002")
	if err != nil {
		t.Fatal(err)
	}
	if c.MasterAddr() != "127.0.0.1:6002" {
		t.Fatalf("master %s, want the one of epoch 2", c.MasterAddr())
	}
}

// TestTheLeaderOfAFailoverDoesNotWinByListOrder is issue 15, case 1: the
// sentinel leading a failover gives the old master at the new config
// epoch until the failover ends, while the others already give the
// promoted replica at that epoch; the sentinel listed first must not win
// for being first, nor the old master for still answering ROLE master.
func TestTheLeaderOfAFailoverDoesNotWinByListOrder(t *testing.T) {
	g := newFakeGroup(t, map[string]func(*fakeserver.Peer){
		"127.0.0.1:26001": fakeSentinelView(masterView{port: "6001", epoch: 3, others: 2, flags: "master,failover_in_progress,force_failover"}),
		"127.0.0.1:26002": fakeSentinel("6002", 3, 2),
		"127.0.0.1:26003": fakeSentinel("6002", 3, 2),
		"127.0.0.1:6001":  fakeServer("master"), // not converted yet
		"127.0.0.1:6002":  fakeServer("master"),
	})
	c, err := connectFake(t, g, sentinel.Options{}, "127.0.0.1:26001", "127.0.0.1:26002", "127.0.0.1:26003")
	if err != nil {
		t.Fatal(err)
	}
	if c.MasterAddr() != "127.0.0.1:6002" {
		t.Fatalf("master %s, want the promoted replica 127.0.0.1:6002", c.MasterAddr())
	}
	// With the views at one epoch and no failover flag, the majority
	// wins whatever the order.
	g2 := newFakeGroup(t, map[string]func(*fakeserver.Peer){
		"127.0.0.1:26011": fakeSentinel("6011", 4, 2),
		"127.0.0.1:26012": fakeSentinel("6012", 4, 2),
		"127.0.0.1:26013": fakeSentinel("6012", 4, 2),
		"127.0.0.1:6011":  fakeServer("master"),
		"127.0.0.1:6012":  fakeServer("master"),
	})
	c, err = connectFake(t, g2, sentinel.Options{}, "127.0.0.1:26011", "127.0.0.1:26012", "127.0.0.1:26013")
	if err != nil {
		t.Fatal(err)
	}
	if c.MasterAddr() != "127.0.0.1:6012" {
		t.Fatalf("master %s, want the one most sentinels give", c.MasterAddr())
	}
}

func TestAServerThatIsNotAMasterIsRejected(t *testing.T) {
	g := newFakeGroup(t, map[string]func(*fakeserver.Peer){
		"127.0.0.1:26001": fakeSentinel("6001", 5, 2), // names a replica
		"127.0.0.1:26002": fakeSentinel("6002", 1, 2),
		"127.0.0.1:6001":  fakeServer("slave"),
		"127.0.0.1:6002":  fakeServer("master"),
	})
	c, err := connectFake(t, g, sentinel.Options{}, "127.0.0.1:26001", "127.0.0.1:26002")
	if err != nil {
		t.Fatal(err)
	}
	if c.MasterAddr() != "127.0.0.1:6002" {
		t.Fatalf("master %s, want the one answering ROLE master", c.MasterAddr())
	}
	if v := testutil.Must(t, c.Get("k")); v != "master" {
		t.Fatalf("GET went to %q", v)
	}
}

// TestAMasterStillAReplicaIsAskedAgain is issue 15, case 5: the server the
// sentinels name answers ROLE as a replica for a while (a promotion under
// way); Connect asks again until it is a master.
func TestAMasterStillAReplicaIsAskedAgain(t *testing.T) {
	var roles atomic.Int64
	g := newFakeGroup(t, map[string]func(*fakeserver.Peer){
		"127.0.0.1:26001": fakeSentinel("6001", 1, 2),
		"127.0.0.1:6001": func(p *fakeserver.Peer) {
			p.Serve(func(args []string) proto.Value {
				role := "master"
				if args[0] == "ROLE" && roles.Add(1) <= 3 {
					role = "slave"
				}
				return proto.ArrayValue(proto.BulkValue(role), proto.IntValue(0), proto.ArrayValue())
			})
		},
	})
	c, err := connectFake(t, g, sentinel.Options{}, "127.0.0.1:26001")
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if c.MasterAddr() != "127.0.0.1:6001" || roles.Load() < 4 {
		t.Fatalf("master %s after %d ROLEs", c.MasterAddr(), roles.Load())
	}
}

// TestAMasterFlaggedDownIsRefused is issue 15, case 4: a master that
// every sentinel flags s_down is refused, not only an o_down one; one
// that only some flag is taken from the others.
func TestAMasterFlaggedDownIsRefused(t *testing.T) {
	g := newFakeGroup(t, map[string]func(*fakeserver.Peer){
		"127.0.0.1:26001": fakeSentinelView(masterView{port: "6001", epoch: 1, others: 2, flags: "master,s_down"}),
		"127.0.0.1:26002": fakeSentinelView(masterView{port: "6001", epoch: 1, others: 2, flags: "master,s_down"}),
		"127.0.0.1:26003": fakeSentinel("6001", 1, 2),
		"127.0.0.1:6001":  fakeServer("master"),
	})
	opts := sentinel.Options{}
	opts.ConnectTimeout = 300 * time.Millisecond
	_, err := connectFake(t, g, opts, "127.0.0.1:26001", "127.0.0.1:26002")
	if !errors.Is(err, sentinel.ErrNoMaster) {
		t.Fatalf("a master every sentinel flags s_down: %v, want ErrNoMaster", err)
	}
	c, err := connectFake(t, g, opts, "127.0.0.1:26001", "127.0.0.1:26002", "127.0.0.1:26003")
	if err != nil || c.MasterAddr() != "127.0.0.1:6001" {
		t.Fatalf("a master one sentinel of three finds up: %v", err)
	}
}

func TestMinOtherSentinelsSkipsAPartitionedSentinel(t *testing.T) {
	g := newFakeGroup(t, map[string]func(*fakeserver.Peer){
		"127.0.0.1:26001": fakeSentinel("6001", 9, 0), // alone: its view is not trusted
		"127.0.0.1:26002": fakeSentinel("6002", 1, 2),
		"127.0.0.1:6001":  fakeServer("master"),
		"127.0.0.1:6002":  fakeServer("master"),
	})
	c, err := connectFake(t, g, sentinel.Options{MinOtherSentinels: 1}, "127.0.0.1:26001", "127.0.0.1:26002")
	if err != nil {
		t.Fatal(err)
	}
	if c.MasterAddr() != "127.0.0.1:6002" {
		t.Fatalf("master %s, want the one named by the sentinel that knows others", c.MasterAddr())
	}
}
