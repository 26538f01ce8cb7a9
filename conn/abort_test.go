package conn_test

import (
	"errors"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

var errGone = errors.New("the server was replaced")

func TestAbortFailsPendingCommandsAtOnceAndRedials(t *testing.T) {
	end := make(chan struct{})
	c, srv := fakeConn(t, func(p *fakeserver.Peer) {
		p.Serve(func(args []string) proto.Value {
			if args[1] == "silent" {
				<-end // never answers, as a frozen server
			}
			return proto.BulkValue(args[1])
		})
	}, conn.Options{})
	t.Cleanup(func() { close(end) }) // runs before fakeConn's cleanup
	a, b := c.Get("silent"), c.Get("queued")
	time.Sleep(20 * time.Millisecond)
	if a.Fired() || b.Fired() {
		t.Fatal("a command was answered by the silent server")
	}
	c.Abort(errGone)
	for _, d := range []func() error{
		func() error { _, err := testutil.Wait(t, a); return err },
		func() error { _, err := testutil.Wait(t, b); return err },
	} {
		err := d()
		var ce *conn.ConnectionError
		if !errors.As(err, &ce) || ce.Op != "aborted" || !errors.Is(err, errGone) {
			t.Fatalf("pending command after Abort: %v, want an aborted ConnectionError wrapping the cause", err)
		}
	}
	// The connection redials by itself.
	testutil.Eventually(t, func() error {
		_, err := c.Get("again").Wait(t.Context())
		return err
	})
	if srv.Dials() < 2 {
		t.Fatalf("%d dials, want a redial after Abort", srv.Dials())
	}
	// A ConnectionError given as the cause is used as it is.
	d := c.Get("silent")
	time.Sleep(10 * time.Millisecond)
	c.Abort(&conn.ConnectionError{Addr: "x", Op: "stalled", Err: errGone})
	var ce *conn.ConnectionError
	if _, err := testutil.Wait(t, d); !errors.As(err, &ce) || ce.Op != "stalled" {
		t.Fatalf("after Abort with a ConnectionError: %v", err)
	}
}
