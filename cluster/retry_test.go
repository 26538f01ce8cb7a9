package cluster_test

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// droppingNode is one fake node serving every slot that drops its
// connection, without answering, on the first GET and the first SET it
// receives after armed is set.
func droppingNode(t *testing.T, armed *atomic.Bool) (opts cluster.Options, gets, sets *atomic.Int64) {
	gets, sets = new(atomic.Int64), new(atomic.Int64)
	var droppedGet, droppedSet atomic.Bool
	srv := fakeserver.New(func(p *fakeserver.Peer) {
		for {
			args, err := p.ReadCommand()
			if err != nil {
				return
			}
			var v proto.Value
			switch args[0] {
			case "CLUSTER":
				if args[1] == "SHARDS" {
					v = proto.ErrorValue("ERR unknown subcommand")
				} else {
					v = slotsReply(0, 16383, nodeA)
				}
			case "GET":
				gets.Add(1)
				if armed.Load() && droppedGet.CompareAndSwap(false, true) {
					p.Close()
					return
				}
				v = proto.BulkValue("value")
			case "SET":
				sets.Add(1)
				if armed.Load() && droppedSet.CompareAndSwap(false, true) {
					p.Close()
					return
				}
				v = proto.SimpleValue("OK")
			default:
				v = proto.SimpleValue("OK")
			}
			if p.Reply(v) != nil {
				return
			}
		}
	})
	t.Cleanup(srv.Close)
	opts.Dialer = srv.Dialer
	return opts, gets, sets
}

func TestRetryReadsResendsALostReadNeverAWrite(t *testing.T) {
	for _, retry := range []bool{false, true} {
		var armed atomic.Bool
		opts, gets, sets := droppingNode(t, &armed)
		opts.RetryReads = retry
		c := testutil.Must(t, cluster.Connect([]string{nodeA}, opts))
		testutil.Must(t, c.Get("k"))
		armed.Store(true)

		v, err := testutil.Wait(t, c.Get("k"))
		switch {
		case retry && (err != nil || v != "value" || gets.Load() != 3):
			t.Fatalf("RetryReads: GET lost with its connection = %q %v after %d sends, want the value after 2", v, err, gets.Load()-1)
		case !retry && !errors.Is(err, conn.ErrConnection):
			t.Fatalf("without RetryReads: GET lost with its connection = %q %v, want a ConnectionError", v, err)
		}
		_, err = testutil.Wait(t, c.Set("k", "v"))
		if !errors.Is(err, conn.ErrConnection) || sets.Load() != 1 {
			t.Fatalf("RetryReads %v: SET lost with its connection: %v after %d sends, want a ConnectionError after 1", retry, err, sets.Load())
		}
		testutil.Wait(t, c.Disconnect())
	}
}
