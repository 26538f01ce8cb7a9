package pool_test

import (
	"errors"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

func TestAbortFailsThePendingCommandsOfEveryConnection(t *testing.T) {
	end := make(chan struct{})
	srv := fakeserver.New(func(p *fakeserver.Peer) {
		p.Serve(func(args []string) proto.Value {
			if args[0] == "BLPOP" || args[1] == "silent" {
				<-end
			}
			return proto.BulkValue(args[1])
		})
	})
	defer srv.Close()
	defer close(end)
	p := connectPool(t, fakeOpts(srv, 3))
	var ds []*deferred.Deferred[proto.Value]
	for i := 0; i < 6; i++ {
		ds = append(ds, p.Do("GET", "silent"))
	}
	ds = append(ds, p.Do("BLPOP", "list", "0")) // on a leased connection
	time.Sleep(20 * time.Millisecond)
	cause := errors.New("replaced")
	p.Abort(cause)
	for i, d := range ds {
		if _, err := testutil.Wait(t, d); !errors.Is(err, cause) || !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("command %d after Abort: %v", i, err)
		}
	}
	testutil.Eventually(t, func() error {
		_, err := p.Get("again").Wait(t.Context())
		return err
	})
}
