package sentinel_test

import (
	"context"
	"fmt"
	"net"
	"testing"

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

func fakeSentinel(masterPort string, epoch, others int) func(*fakeserver.Peer) {
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
						proto.BulkValue("port"), proto.BulkValue(masterPort),
						proto.BulkValue("flags"), proto.BulkValue("master"),
						proto.BulkValue("config-epoch"), proto.BulkValue(fmt.Sprint(epoch)),
						proto.BulkValue("num-other-sentinels"), proto.BulkValue(fmt.Sprint(others)))
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

func TestTheHighestConfigEpochWins(t *testing.T) {
	g := newFakeGroup(t, map[string]func(*fakeserver.Peer){
		"127.0.0.1:26001": fakeSentinel("6001", 1, 2), // a stale view
		"127.0.0.1:26002": fakeSentinel("6002", 2, 2),
		"127.0.0.1:6001":  fakeServer("master"),
		"127.0.0.1:6002":  fakeServer("master"),
	})
	opts := sentinel.Options{}
	opts.Dialer = g.dial
	c := testutil.Must(t, sentinel.Connect([]string{"127.0.0.1:26001", "127.0.0.1:26002"}, "mymaster", opts))
	defer c.Disconnect()
	if c.MasterAddr() != "127.0.0.1:6002" {
		t.Fatalf("master %s, want the one of epoch 2", c.MasterAddr())
	}
}

func TestAServerThatIsNotAMasterIsRejected(t *testing.T) {
	g := newFakeGroup(t, map[string]func(*fakeserver.Peer){
		"127.0.0.1:26001": fakeSentinel("6001", 5, 2), // names a replica
		"127.0.0.1:26002": fakeSentinel("6002", 1, 2),
		"127.0.0.1:6001":  fakeServer("slave"),
		"127.0.0.1:6002":  fakeServer("master"),
	})
	opts := sentinel.Options{}
	opts.Dialer = g.dial
	c := testutil.Must(t, sentinel.Connect([]string{"127.0.0.1:26001", "127.0.0.1:26002"}, "mymaster", opts))
	defer c.Disconnect()
	if c.MasterAddr() != "127.0.0.1:6002" {
		t.Fatalf("master %s, want the one answering ROLE master", c.MasterAddr())
	}
	if v := testutil.Must(t, c.Get("k")); v != "master" {
		t.Fatalf("GET went to %q", v)
	}
}

func TestMinOtherSentinelsSkipsAPartitionedSentinel(t *testing.T) {
	g := newFakeGroup(t, map[string]func(*fakeserver.Peer){
		"127.0.0.1:26001": fakeSentinel("6001", 9, 0), // alone: its view is not trusted
		"127.0.0.1:26002": fakeSentinel("6002", 1, 2),
		"127.0.0.1:6001":  fakeServer("master"),
		"127.0.0.1:6002":  fakeServer("master"),
	})
	opts := sentinel.Options{MinOtherSentinels: 1}
	opts.Dialer = g.dial
	c := testutil.Must(t, sentinel.Connect([]string{"127.0.0.1:26001", "127.0.0.1:26002"}, "mymaster", opts))
	defer c.Disconnect()
	if c.MasterAddr() != "127.0.0.1:6002" {
		t.Fatalf("master %s, want the one named by the sentinel that knows others", c.MasterAddr())
	}
}
