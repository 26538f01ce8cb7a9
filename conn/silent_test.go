package conn_test

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// TestSilentServerDefault is issue 14's sixth item: with no ReplyTimeout
// (the default), a blackholed connection hung every pending command until
// Disconnect. Zero options now carry DefaultReplyTimeout; a negative
// ReplyTimeout disables it. (The fault matrix in the reliability package
// runs the default itself against a blackholed server.)
func TestSilentServerDefault(t *testing.T) {
	c := conn.New(conn.Options{Addr: "fake:1", Dialer: fakeserver.New(func(p *fakeserver.Peer) { io.Copy(io.Discard, p) }).Dialer})
	defer c.Disconnect()
	if have := c.Options().ReplyTimeout; have != conn.DefaultReplyTimeout || have <= 0 {
		t.Fatalf("zero Options give ReplyTimeout %v, want DefaultReplyTimeout (%v)", have, conn.DefaultReplyTimeout)
	}
	if conn.DefaultReplyTimeout > 15*time.Second {
		t.Fatalf("DefaultReplyTimeout %v is longer than a Redis Cluster's node timeout (15s): a frozen master could come back demoted and acknowledge writes", conn.DefaultReplyTimeout)
	}

	// A negative ReplyTimeout waits as long as it takes.
	never := conn.New(conn.Options{Addr: "fake:1", ReplyTimeout: -1,
		Dialer: fakeserver.New(func(p *fakeserver.Peer) { io.Copy(io.Discard, p) }).Dialer})
	defer never.Disconnect()
	d := never.Get("k")
	time.Sleep(300 * time.Millisecond)
	if d.Fired() {
		_, err := testutil.Wait(t, d)
		t.Fatalf("with ReplyTimeout < 0 a command failed on its own: %v", err)
	}
}

// A reply that streams slowly, but streams, is not cut by the reply
// timeout: the connection is dead only when a reply is overdue and
// nothing at all arrived for ReplyTimeout. A default on for everyone must
// not break a large value read over a slow link.
func TestSlowStreamingReplyIsNotCut(t *testing.T) {
	payload := strings.Repeat("x", 40<<10)
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		p.ReadCommand()
		wire := "$" + strconv.Itoa(len(payload)) + "\r\n" + payload + "\r\n"
		for len(wire) > 0 { // 1 KiB every 25ms: a second and a half
			n := min(1024, len(wire))
			p.Send(wire[:n])
			wire = wire[n:]
			time.Sleep(25 * time.Millisecond)
		}
		p.Serve(fakeserver.Echo)
	}, conn.Options{ReplyTimeout: 200 * time.Millisecond})
	have, err := testutil.Wait(t, c.Get("big"))
	if err != nil || have != payload {
		t.Fatalf("a reply streaming for 1.5s with ReplyTimeout 200ms: %d bytes, %v", len(have), err)
	}
	// A silent server still times out.
	silent, _ := fakeConn(t, func(p *fakeserver.Peer) { io.Copy(io.Discard, p) }, conn.Options{ReplyTimeout: 100 * time.Millisecond})
	if _, err := testutil.Wait(t, silent.Get("k")); !errors.Is(err, conn.ErrTimeout) {
		t.Fatalf("silent server: have %v, want a timeout", err)
	}
}

// BLPOP 0 blocks as long as it takes on a healthy server, whatever the
// reply timeout: only its own timeout, if any, is added to it.
func TestBlockingZeroOutlivesReplyTimeout(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr(), ReplyTimeout: 100 * time.Millisecond})
	other := connectTo(t, conn.Options{Addr: srv.Addr()})
	d := c.BLPop(0, "blocked")
	time.Sleep(600 * time.Millisecond) // six reply timeouts
	if d.Fired() {
		_, err := testutil.Wait(t, d)
		t.Fatalf("BLPOP 0 ended on its own: %v", err)
	}
	testutil.Must(t, other.RPush("blocked", "v"))
	if kv := testutil.Must(t, d); kv.Value != "v" {
		t.Fatalf("BLPOP 0: %v", kv)
	}
}

// Pushes arriving while no reply comes (the server never got the
// commands, but other clients' writes keep invalidations flowing) do not
// keep a connection alive.
func TestPushesDoNotHideASilentServer(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		go io.Copy(io.Discard, p)
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				if p.Send(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n") != nil {
					return
				}
			}
		}
	}, conn.Options{ReplyTimeout: 100 * time.Millisecond, NoReconnect: true, OnPush: func(proto.Value) {}})
	if _, err := testutil.Wait(t, c.Get("k")); !errors.Is(err, conn.ErrTimeout) {
		t.Fatalf("have %v, want a reply timeout despite the pushes", err)
	}
}
