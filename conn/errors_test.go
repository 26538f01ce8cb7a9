package conn_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
)

// readsOnce fails unless msg is one line that names the package and addr
// once each (issue 20: "txredis/conn: not connected 127.0.0.1:7476:
// txredis/conn: dial 127.0.0.1:7476: dial tcp 127.0.0.1:7476: ...").
func readsOnce(t *testing.T, what string, err error, addr string) {
	t.Helper()
	msg := err.Error()
	t.Logf("%s: %s", what, msg)
	if strings.Contains(msg, "\n") {
		t.Errorf("%s: the error spans lines:\n%s", what, msg)
	}
	if n := strings.Count(msg, "txredis/conn"); n != 1 {
		t.Errorf("%s: %q names the package %d times", what, msg, n)
	}
	if n := strings.Count(msg, addr); n != 1 {
		t.Errorf("%s: %q names the address %d times", what, msg, n)
	}
}

func TestConnectionErrorsReadOnce(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", testserver.FreePort(t)) // nothing listens
	_, err := testutil.Wait(t, conn.Connect(conn.Options{Addr: addr}))
	readsOnce(t, "refused dial", err, addr)
	if !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("refused dial: %q does not say why", err)
	}

	c := conn.New(conn.Options{Addr: addr})
	defer c.Disconnect()
	testutil.Eventually(t, func() error {
		if c.State() != conn.StateDisconnected {
			return errors.New(c.State().String())
		}
		return nil
	})
	_, err = testutil.Wait(t, c.Get("k"))
	readsOnce(t, "command on a down connection", err, addr)
	if !errors.Is(err, conn.ErrConnection) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("command on a down connection: %v", err)
	}

	timeout := conn.New(conn.Options{Addr: "fake:1", ReplyTimeout: 50 * time.Millisecond, NoReconnect: true,
		Dialer: fakeserver.New(func(p *fakeserver.Peer) { io.Copy(io.Discard, p) }).Dialer})
	defer timeout.Disconnect()
	_, err = testutil.Wait(t, timeout.Get("k"))
	readsOnce(t, "reply timeout", err, "fake:1")
	if !errors.Is(err, conn.ErrTimeout) {
		t.Errorf("reply timeout: %v does not match ErrTimeout", err)
	}
}

// A command pending when Disconnect interrupts a dial fails with one
// clean closed error, not a three-line join of closed, timeout and the
// dial's own error that also matched ErrTimeout (issue 14, item 7).
func TestDisconnectDuringDial(t *testing.T) {
	stalled := fakeserver.New(func(p *fakeserver.Peer) { io.Copy(io.Discard, p) }) // never answers the handshake
	defer stalled.Close()
	for _, tc := range []struct {
		name   string
		dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	}{
		{"during the TCP dial", func(ctx context.Context, _, _ string) (net.Conn, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}},
		{"during the handshake", stalled.Dialer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := conn.New(conn.Options{Addr: "fake:1", Password: "pw", Dialer: tc.dialer})
			d := c.Get("k")
			time.Sleep(50 * time.Millisecond)
			testutil.Must(t, c.Disconnect())
			_, err := testutil.Wait(t, d)
			if !errors.Is(err, conn.ErrClosed) || !errors.Is(err, conn.ErrConnection) {
				t.Fatalf("have %v, want ErrClosed", err)
			}
			if errors.Is(err, conn.ErrTimeout) {
				t.Errorf("%v matches ErrTimeout: nothing timed out", err)
			}
			readsOnce(t, "Disconnect during a dial", err, "fake:1")
		})
	}
}
