package pool_test

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// A connection that has just failed takes no command while another is
// up, even before its failure has been reported: here the failed
// connection's reader is still running the callback of a command it
// failed when the next command is sent.
func TestPoolRoutesPastAConnectionThatJustFailed(t *testing.T) {
	dropNow := make(chan struct{})
	var conns atomic.Int64
	srv := fakeserver.New(func(p *fakeserver.Peer) {
		id := strconv.FormatInt(conns.Add(1), 10)
		for {
			args, err := p.ReadCommand()
			if err != nil {
				return
			}
			if args[0] == "DROP" {
				<-dropNow
				return // closes this connection without a reply
			}
			if p.Reply(proto.BulkValue(id)) != nil {
				return
			}
		}
	})
	defer srv.Close()
	p := testutil.Must(t, pool.Connect(fakeOpts(srv, 2)))
	defer p.Disconnect()

	first := testutil.Must(t, p.Do("WHO")).Str
	inCallback := make(chan struct{})
	hold := make(chan struct{})
	p.Do("DROP").Observe(func(_ proto.Value, err error) {
		if err == nil {
			t.Error("DROP was answered")
		}
		close(inCallback)
		<-hold // the failed connection's reader stays in this callback
	})
	close(dropNow)
	<-inCallback
	v, err := testutil.Wait(t, p.Do("WHO"))
	close(hold)
	if err != nil {
		t.Fatalf("a command sent while the other connection was up failed: %v", err)
	}
	if v.Str == first {
		t.Fatalf("answered by connection %s, which was closed", v.Str)
	}
}
