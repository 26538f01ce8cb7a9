package conn_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

func TestObserveRepliesSeesEveryReplyOnTheLeaseFirst(t *testing.T) {
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		p.Serve(func(args []string) proto.Value {
			if args[1] == "moved" {
				return proto.ErrorValue("MOVED 1 127.0.0.1:7000")
			}
			return proto.BulkValue(args[1])
		})
	}, conn.Options{})
	l := testutil.Must(t, c.Lease(context.Background()))
	var mu sync.Mutex
	var seen []string
	l.ObserveReplies(func(v proto.Value) {
		mu.Lock()
		seen = append(seen, v.Str)
		mu.Unlock()
	})
	cmds := conn.NewCommands(l)
	a := cmds.Get("a")
	_, err := testutil.Wait(t, cmds.Get("moved"))
	if !errors.Is(err, proto.ErrMoved) {
		t.Fatalf("GET moved: %v, want the MOVED error", err)
	}
	// The observer ran before each command's own Deferred fired.
	mu.Lock()
	have := append([]string(nil), seen...)
	mu.Unlock()
	if len(have) != 2 || have[0] != "a" || have[1] != "MOVED 1 127.0.0.1:7000" {
		t.Fatalf("observer saw %q", have)
	}
	if v := testutil.Must(t, a); v != "a" {
		t.Fatalf("GET a = %q", v)
	}
	l.Release()
	// Commands on the connection itself are not observed.
	testutil.Must(t, c.Get("b"))
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 {
		t.Fatalf("observer saw %q after the lease ended", seen)
	}
}
