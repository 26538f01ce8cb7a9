package conn_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

func echoServer(p *fakeserver.Peer) { p.Serve(fakeserver.Echo) }

func TestOrderingUnderPipelinedLoad(t *testing.T) {
	c, _ := fakeConn(t, echoServer, conn.Options{})
	const goroutines, perG = 100, 100
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			ds := make([]*deferred.Deferred[string], perG)
			for i := range ds {
				ds[i] = c.Get(fmt.Sprintf("k-%d-%d", g, i))
			}
			for i, d := range ds {
				have, err := testutil.Wait(t, d)
				want := fmt.Sprintf("k-%d-%d", g, i)
				if err != nil || have != want {
					errs <- fmt.Errorf("command %s: have %q, %v", want, have, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestCancelKeepsRepliesMatched(t *testing.T) {
	release := make(chan struct{})
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		<-release // hold replies until the middle command was cancelled
		p.Serve(fakeserver.Echo)
	}, conn.Options{})
	a, b, d := c.Get("a"), c.Get("b"), c.Get("c")
	b.Cancel()
	if _, err := testutil.Wait(t, b); !errors.Is(err, deferred.ErrCancelled) {
		t.Fatalf("cancelled command: have %v, want ErrCancelled", err)
	}
	close(release)
	if have := testutil.Must(t, a); have != "a" {
		t.Fatalf("first: have %q", have)
	}
	if have := testutil.Must(t, d); have != "c" {
		t.Fatalf("third: have %q, want \"c\" (reply of the cancelled command must be dropped)", have)
	}
	if have := testutil.Must(t, c.Get("d")); have != "d" {
		t.Fatalf("after cancel: have %q", have)
	}
}

func TestReplyTimeoutFailsAllPending(t *testing.T) {
	var first sync.Once
	c, srv := fakeConn(t, func(p *fakeserver.Peer) {
		silent := false
		first.Do(func() { silent = true })
		if silent {
			io.Copy(io.Discard, p) // never answer
			return
		}
		p.Serve(fakeserver.Echo)
	}, conn.Options{ReplyTimeout: 50 * time.Millisecond})
	ds := []*deferred.Deferred[string]{c.Get("a"), c.Get("b"), c.Get("c")}
	for _, d := range ds {
		_, err := testutil.Wait(t, d)
		if !errors.Is(err, conn.ErrTimeout) || !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("have %v, want a timeout ConnectionError", err)
		}
	}
	// The supervisor redials; the next server answers.
	deadline := time.Now().Add(3 * time.Second)
	for {
		v, err := testutil.Wait(t, c.Get("x"))
		if err == nil {
			if v != "x" {
				t.Fatalf("after redial: have %q", v)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery after timeout: %v (dials %d)", err, srv.Dials())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestMalformedReplyFailsPendingAndRecovers(t *testing.T) {
	var first sync.Once
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		bad := false
		first.Do(func() { bad = true })
		if bad {
			p.ReadCommand()
			p.ReadCommand()
			p.Send("$abc\r\n") // not a length
			io.Copy(io.Discard, p)
			return
		}
		p.Serve(fakeserver.Echo)
	}, conn.Options{})
	d1, d2 := c.Get("a"), c.Get("b")
	for _, d := range []*deferred.Deferred[string]{d1, d2} {
		_, err := testutil.Wait(t, d)
		if !errors.Is(err, proto.ErrProtocol) || !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("have %v, want ErrProtocol inside a ConnectionError", err)
		}
	}
	testutil.Eventually(t, func() error {
		v, err := testutil.Wait(t, c.Get("ok"))
		if err == nil && v != "ok" {
			t.Fatalf("after recovery: have %q", v)
		}
		return err
	})
}

func TestServerClosesMidReply(t *testing.T) {
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		p.ReadCommand()
		p.Send("$10\r\nabc") // truncated bulk
	}, conn.Options{NoReconnect: true})
	_, err := testutil.Wait(t, c.Get("a"))
	if !errors.Is(err, conn.ErrConnection) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("have %v, want ConnectionError wrapping io.ErrUnexpectedEOF", err)
	}
	_, err = testutil.Wait(t, c.Get("b"))
	if !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("after loss with NoReconnect: have %v", err)
	}
}

func TestBulkOverLimit(t *testing.T) {
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		p.ReadCommand()
		p.Send("$" + strconv.Itoa(2<<20) + "\r\n")
		io.Copy(io.Discard, p)
	}, conn.Options{MaxBulk: 1 << 20, NoReconnect: true})
	_, err := testutil.Wait(t, c.Get("a"))
	if !errors.Is(err, proto.ErrProtocol) {
		t.Fatalf("have %v, want ErrProtocol for a bulk over MaxBulk", err)
	}
}

func TestServerErrorIsProtoError(t *testing.T) {
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		p.Serve(func([]string) proto.Value {
			return proto.ErrorValue("WRONGTYPE Operation against a key holding the wrong kind of value")
		})
	}, conn.Options{})
	_, err := testutil.Wait(t, c.Incr("a"))
	var perr *proto.Error
	if !errors.As(err, &perr) || !errors.Is(err, proto.ErrWrongType) {
		t.Fatalf("have %v, want *proto.Error WRONGTYPE", err)
	}
	if errors.Is(err, conn.ErrConnection) {
		t.Fatal("a server error must not be a connection error")
	}
	// The connection stays usable: the next reply goes to the next command.
	if _, err := testutil.Wait(t, c.Do("ECHO", "x")); !errors.Is(err, proto.ErrWrongType) {
		t.Fatalf("Do: have %v", err)
	}
	if c.State() != conn.StateConnected {
		t.Fatalf("state after server errors: %v", c.State())
	}
}

func TestSendFromCallbackDoesNotDeadlock(t *testing.T) {
	c, _ := fakeConn(t, echoServer, conn.Options{})
	done := deferred.Chain(c.Get("a"), func(v string) *deferred.Deferred[string] {
		return deferred.Chain(c.Get(v+"b"), func(v string) *deferred.Deferred[string] {
			return c.Get(v + "c")
		})
	})
	if have := testutil.Must(t, done); have != "abc" {
		t.Fatalf("have %q", have)
	}
}

func TestSendBatchIsOneWrite(t *testing.T) {
	release := make(chan struct{})
	c, srv := fakeConn(t, func(p *fakeserver.Peer) {
		<-release
		p.Serve(fakeserver.Echo)
	}, conn.Options{})
	before := srv.Writes()
	cmds := make([]*proto.Cmd, 50)
	rs := make([]conn.Resolver, 50)
	got := make([]string, 50)
	var wg sync.WaitGroup
	for i := range cmds {
		cmds[i] = proto.NewCmd("GET").Key(strconv.Itoa(i))
		wg.Add(1)
		rs[i] = conn.ResolverFunc(func(v proto.Value, err error) { got[i] = v.Str; wg.Done() })
	}
	c.SendBatch(cmds, rs)
	close(release)
	wg.Wait()
	if w := srv.Writes() - before; w != 1 {
		t.Fatalf("batch of 50 took %d writes, want 1", w)
	}
	for i, g := range got {
		if g != strconv.Itoa(i) {
			t.Fatalf("reply %d: have %q", i, g)
		}
	}
}

func TestCommandsWhileDownFailFast(t *testing.T) {
	srv := fakeserver.New(echoServer)
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: "fake:1", Dialer: srv.Dialer,
		Backoff: func(int) time.Duration { return time.Hour }}))
	defer srv.Close()
	defer c.Disconnect()
	srv.Refuse(true)
	srv.CloseAll()
	testutil.Eventually(t, func() error {
		if c.State() != conn.StateDisconnected {
			return errors.New(c.State().String())
		}
		return nil
	})
	start := time.Now()
	_, err := testutil.Wait(t, c.Get("a"))
	if !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("have %v, want ConnectionError", err)
	}
	if time.Since(start) > 100*time.Millisecond {
		t.Fatalf("command on a down connection took %v", time.Since(start))
	}
	// A command on a down connection asks for a redial despite the long
	// backoff, so the connection comes back once the server does.
	srv.Refuse(false)
	testutil.Eventually(t, func() error { _, err := testutil.Wait(t, c.Get("b")); return err })
}

func TestDisconnectIdempotentAndNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := fakeserver.New(echoServer)
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: "fake:1", Dialer: srv.Dialer, ReplyTimeout: time.Second}))
	ds := make([]*deferred.Deferred[string], 100)
	for i := range ds {
		ds[i] = c.Get(strconv.Itoa(i))
	}
	d1 := c.Disconnect()
	d2 := c.Disconnect()
	if d1 != d2 {
		t.Fatal("Disconnect returned different Deferreds")
	}
	testutil.Must(t, d1)
	for i, d := range ds {
		if have, err := testutil.Wait(t, d); err != nil || have != strconv.Itoa(i) {
			t.Fatalf("in-flight command %d: have %q, %v (Disconnect must let replies arrive)", i, have, err)
		}
	}
	if _, err := testutil.Wait(t, c.Get("x")); !errors.Is(err, conn.ErrClosed) {
		t.Fatalf("after Disconnect: have %v, want ErrClosed", err)
	}
	srv.Close()
	testutil.CheckGoroutines(t, before)
}

func TestEagerConnectFailsWhenUnreachable(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := fakeserver.New(echoServer)
	srv.Refuse(true)
	_, err := testutil.Wait(t, conn.Connect(conn.Options{Addr: "fake:1", Dialer: srv.Dialer}))
	if !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("have %v, want ConnectionError", err)
	}
	testutil.CheckGoroutines(t, before)
}

func TestLazyConnectionQueuesUntilConnected(t *testing.T) {
	gate := make(chan struct{})
	srv := fakeserver.New(echoServer)
	dialer := srv.Dialer
	c := conn.New(conn.Options{Addr: "fake:1", Dialer: func(ctx context.Context, n, a string) (net.Conn, error) {
		<-gate
		return dialer(ctx, n, a)
	}})
	defer srv.Close()
	defer c.Disconnect()
	d := c.Get("early")
	close(gate)
	if have := testutil.Must(t, d); have != "early" {
		t.Fatalf("have %q", have)
	}
}

func TestStateEvents(t *testing.T) {
	var mu sync.Mutex
	var states []conn.State
	srv := fakeserver.New(echoServer)
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: "fake:1", Dialer: srv.Dialer, OnState: func(e conn.StateEvent) {
		mu.Lock()
		states = append(states, e.State)
		mu.Unlock()
	}}))
	srv.CloseAll()
	testutil.Eventually(t, func() error { _, err := testutil.Wait(t, c.Get("a")); return err })
	testutil.Must(t, c.Disconnect())
	srv.Close()
	mu.Lock()
	defer mu.Unlock()
	want := []conn.State{conn.StateConnecting, conn.StateConnected, conn.StateDisconnected, conn.StateConnecting, conn.StateConnected, conn.StateClosed}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Fatalf("states: have %v, want %v", states, want)
	}
}
