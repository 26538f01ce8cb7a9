package conn_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// A RESP3 push arriving ahead of a reply (a client-tracking invalidation,
// say) is never taken as that reply, even with no OnPush handler.
func TestPushAheadOfReplyDoesNotShiftReplies(t *testing.T) {
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		for {
			args, err := p.ReadCommand()
			if err != nil {
				return
			}
			p.Send(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n")
			p.Reply(fakeserver.Echo(args))
		}
	}, conn.Options{})
	for _, k := range []string{"a", "b", "c"} {
		if have := testutil.Must(t, c.Get(k)); have != k {
			t.Fatalf("GET %s: have %q (a push was taken as a reply)", k, have)
		}
	}
}

// Commands queued while a slow dial is in flight get their reply timeout
// from when the socket is up, not from when they were queued.
func TestReplyTimeoutStartsWhenConnected(t *testing.T) {
	srv := fakeserver.New(func(p *fakeserver.Peer) {
		for {
			args, err := p.ReadCommand()
			if err != nil {
				return
			}
			time.Sleep(30 * time.Millisecond) // well inside ReplyTimeout
			p.Reply(fakeserver.Echo(args))
		}
	})
	defer srv.Close()
	c := conn.New(conn.Options{Addr: "fake:1", ReplyTimeout: 100 * time.Millisecond,
		Dialer: func(ctx context.Context, n, a string) (net.Conn, error) {
			time.Sleep(300 * time.Millisecond) // longer than ReplyTimeout
			return srv.Dialer(ctx, n, a)
		}})
	defer c.Disconnect()
	if have, err := testutil.Wait(t, c.Get("queued")); err != nil || have != "queued" {
		t.Fatalf("have %q, %v: the dial time was counted as reply time", have, err)
	}
}

// Multi (a Lease) on a connection still dialling waits for the dial, as
// ordinary commands do.
func TestLeaseWaitsForDial(t *testing.T) {
	gate := make(chan struct{})
	srv := fakeserver.New(echoServer)
	defer srv.Close()
	c := conn.New(conn.Options{Addr: "fake:1", Dialer: func(ctx context.Context, n, a string) (net.Conn, error) {
		<-gate
		return srv.Dialer(ctx, n, a)
	}})
	defer c.Disconnect()
	d := c.Lease(context.Background())
	cancelled := c.Lease(context.Background())
	cancelled.Cancel() // must not cancel the dial the first Lease waits for
	close(gate)
	l := testutil.Must(t, d)
	if l.Conn() != c {
		t.Fatal("lease of another connection")
	}
	l.Release()
	if _, err := testutil.Wait(t, cancelled); !errors.Is(err, context.Canceled) && err == nil {
		t.Fatalf("cancelled lease: %v", err)
	}
	if c.Leased() {
		t.Fatal("connection still leased after Release")
	}
}

// Do refuses the commands whose replies do not answer one command each.
func TestDoRefusesSubscriberModeCommands(t *testing.T) {
	c, srv := fakeConn(t, echoServer, conn.Options{})
	before := srv.Writes()
	for _, name := range []string{"SUBSCRIBE", "psubscribe", "MONITOR"} {
		if _, err := testutil.Wait(t, c.Do(name, "x")); !errors.Is(err, conn.ErrBadArgs) {
			t.Fatalf("%s: have %v, want ErrBadArgs", name, err)
		}
	}
	if srv.Writes() != before {
		t.Fatal("a refused command was written")
	}
	if have := testutil.Must(t, c.Do("ECHO", "ok")); have.Str != "ok" {
		t.Fatalf("after refusals: %v", have)
	}
}

// An aggregate reply over Options.MaxElems breaks the connection with a
// protocol error instead of being built.
func TestMaxElems(t *testing.T) {
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		p.ReadCommand()
		p.Send("*1000\r\n")
		io.Copy(io.Discard, p)
	}, conn.Options{MaxElems: 10, NoReconnect: true})
	if _, err := testutil.Wait(t, c.Do("LRANGE", "l", "0", "-1")); !errors.Is(err, proto.ErrProtocol) {
		t.Fatalf("have %v, want ErrProtocol for 1000 elements over MaxElems 10", err)
	}
}

// A reply over Options.MaxReplyMemory (nested arrays, which MaxElems does
// not bound together) and a reply line over Options.MaxLine break the
// connection with a protocol error; the commands behind them fail with a
// connection error, never with another command's reply.
func TestReplyMemoryAndLineLimits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply string
		opts  conn.Options
	}{
		{"nested arrays over MaxReplyMemory", "*4096\r\n" + strings.Repeat("*1\r\n:1\r\n", 4096), conn.Options{MaxReplyMemory: 64 << 10}},
		{"status line over MaxLine", "+" + strings.Repeat("s", 5000) + "\r\n", conn.Options{MaxLine: 4096}},
		{"endless status line", "+" + strings.Repeat("s", 100<<10), conn.Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.NoReconnect = true
			c, _ := fakeConn(t, func(p *fakeserver.Peer) {
				p.ReadCommand()
				p.Send(tc.reply)
				io.Copy(io.Discard, p)
			}, opts)
			first, second := c.Do("LRANGE", "l", "0", "-1"), c.Get("k")
			if _, err := testutil.Wait(t, first); !errors.Is(err, proto.ErrProtocol) || !errors.Is(err, conn.ErrConnection) {
				t.Fatalf("have %v, want a protocol error that breaks the connection", err)
			}
			if _, err := testutil.Wait(t, second); !errors.Is(err, conn.ErrConnection) {
				t.Fatalf("command behind it: have %v, want a connection error", err)
			}
		})
	}
}

// IncrByFloat refuses a NaN or infinite increment before sending, as
// ZAdd refuses a NaN score (issue 14, item 7: it was sent).
func TestIncrByFloatRefusesNaN(t *testing.T) {
	c, srv := fakeConn(t, echoServer, conn.Options{})
	before := srv.Writes()
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := testutil.Wait(t, c.IncrByFloat("k", f)); !errors.Is(err, conn.ErrBadArgs) {
			t.Errorf("IncrByFloat(%v): have %v, want ErrBadArgs", f, err)
		}
	}
	if srv.Writes() != before {
		t.Error("a refused IncrByFloat was written")
	}
}

// A command queued late in a slow dial gets ReplyTimeout from when the
// socket is up, not that plus the part of the dial it waited through.
func TestReplyTimeoutOfCommandQueuedLateInDial(t *testing.T) {
	srv := fakeserver.New(func(p *fakeserver.Peer) { io.Copy(io.Discard, p) }) // never answers
	defer srv.Close()
	connected := make(chan time.Time, 1)
	c := conn.New(conn.Options{Addr: "fake:1", ReplyTimeout: 100 * time.Millisecond, NoReconnect: true,
		OnState: func(e conn.StateEvent) {
			if e.State == conn.StateConnected {
				connected <- time.Now()
			}
		},
		Dialer: func(ctx context.Context, n, a string) (net.Conn, error) {
			time.Sleep(time.Second)
			return srv.Dialer(ctx, n, a)
		}})
	defer c.Disconnect()
	time.Sleep(900 * time.Millisecond)
	d := c.Get("late")
	_, err := testutil.Wait(t, d)
	failed := time.Now()
	if !errors.Is(err, conn.ErrTimeout) {
		t.Fatalf("have %v, want a reply timeout", err)
	}
	if after := failed.Sub(<-connected); after > 700*time.Millisecond {
		t.Fatalf("timed out %v after the socket was up; ReplyTimeout is 100ms", after)
	}
}

// A Lease waiting for a dial gives up when its context ends.
func TestLeaseWaitForDialHonoursContext(t *testing.T) {
	gate := make(chan struct{})
	srv := fakeserver.New(echoServer)
	defer srv.Close()
	c := conn.New(conn.Options{Addr: "fake:1", Dialer: func(ctx context.Context, n, a string) (net.Conn, error) {
		<-gate
		return srv.Dialer(ctx, n, a)
	}})
	defer c.Disconnect()
	defer close(gate)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := testutil.Wait(t, c.Lease(ctx)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("have %v, want the context's error", err)
	}
}
