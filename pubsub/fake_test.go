package pubsub_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/pubsub"
)

// fakePubSub is a scripted RESP2 pub/sub server: it confirms subscribe
// commands, answers PING as a subscribed server does, and lets the test
// publish, fall silent or refuse commands.
type fakePubSub struct {
	srv *fakeserver.Server

	noConfirm atomic.Bool // answer PING but never confirm subscriptions

	mu    sync.Mutex // protects the fields below
	cmds  []string   // every command received, space-joined
	peer  *fakeserver.Peer
	mute  *fakeserver.Peer // a connection that reads commands and answers nothing
	deny  map[string]bool  // channels refused with -NOPERM
	pings int
}

func newFakePubSub(t *testing.T) *fakePubSub {
	f := &fakePubSub{deny: map[string]bool{}}
	f.srv = fakeserver.New(f.serve)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakePubSub) options() pubsub.Options {
	return pubsub.Options{Options: conn.Options{Addr: "fake:6379", Dialer: f.srv.Dialer}}
}

func (f *fakePubSub) serve(p *fakeserver.Peer) {
	f.mu.Lock()
	f.peer = p
	f.mu.Unlock()
	subs := map[string]bool{}
	for {
		args, err := p.ReadCommand()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.cmds = append(f.cmds, strings.Join(args, " "))
		denied := len(args) > 1 && f.deny[args[1]]
		muted := f.mute == p
		f.mu.Unlock()
		if muted {
			continue
		}
		name := strings.ToUpper(args[0])
		var out []byte
		switch {
		case denied:
			out = proto.AppendValue(out, proto.ErrorValue("NOPERM this user has no permissions to access the '"+args[1]+"' channel"))
		case strings.HasSuffix(name, "SUBSCRIBE"):
			if f.noConfirm.Load() {
				continue
			}
			unsub := strings.Contains(name, "UNSUB")
			for _, ch := range args[1:] {
				if unsub {
					delete(subs, ch)
				} else {
					subs[ch] = true
				}
				out = proto.AppendValue(out, proto.ArrayValue(proto.BulkValue(strings.ToLower(name)), proto.BulkValue(ch), proto.IntValue(int64(len(subs)))))
			}
		case name == "PING":
			f.mu.Lock()
			f.pings++
			f.mu.Unlock()
			if len(subs) > 0 {
				out = proto.AppendValue(out, proto.ArrayValue(proto.BulkValue("pong"), proto.BulkValue("")))
			} else {
				out = proto.AppendValue(out, proto.SimpleValue("PONG"))
			}
		default:
			out = proto.AppendValue(out, proto.ErrorValue("ERR unexpected "+name))
		}
		if _, err := p.Write(out); err != nil {
			return
		}
	}
}

// publish sends a message to the client of the latest connection.
func (f *fakePubSub) publish(channel, payload string) error {
	f.mu.Lock()
	p := f.peer
	f.mu.Unlock()
	return p.Reply(proto.ArrayValue(proto.BulkValue("message"), proto.BulkValue(channel), proto.BulkValue(payload)))
}

// silence makes the latest connection stop answering, as a dead peer.
func (f *fakePubSub) silence() {
	f.mu.Lock()
	f.mute = f.peer
	f.mu.Unlock()
}

func (f *fakePubSub) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cmds...)
}

func (f *fakePubSub) waitCommand(t *testing.T, cmd string) {
	t.Helper()
	testutil.Eventually(t, func() error {
		for _, c := range f.commands() {
			if c == cmd {
				return nil
			}
		}
		return fmt.Errorf("server has not received %q (got %q)", cmd, f.commands())
	})
}

func TestSubscribeWithoutChannelsFailsBeforeSending(t *testing.T) {
	f := newFakePubSub(t)
	s := subscriber(t, f.options(), nil)
	for name, d := range map[string]func(...string) error{
		"SUBSCRIBE":  func(a ...string) error { _, err := testutil.Wait(t, s.Subscribe(a...)); return err },
		"PSUBSCRIBE": func(a ...string) error { _, err := testutil.Wait(t, s.PSubscribe(a...)); return err },
		"SSUBSCRIBE": func(a ...string) error { _, err := testutil.Wait(t, s.SSubscribe(a...)); return err },
	} {
		if err := d(); !errors.Is(err, conn.ErrBadArgs) || !strings.Contains(err.Error(), name) {
			t.Fatalf("%s with no channels: have %v, want ErrBadArgs naming %s", name, err, name)
		}
	}
	for _, cmd := range []string{"GET", "SET", "PUBLISH", "MONITOR"} {
		_, err := testutil.Wait(t, s.Do(cmd, "k"))
		if !errors.Is(err, pubsub.ErrNotAllowed) || !errors.Is(err, conn.ErrBadArgs) {
			t.Fatalf("Do(%s): have %v, want ErrNotAllowed", cmd, err)
		}
	}
	if have := testutil.Must(t, s.Ping()); have != "PONG" {
		t.Fatalf("PING: have %q", have)
	}
	if have := f.commands(); len(have) != 1 || have[0] != "PING" {
		t.Fatalf("server received %q, want only the PING", have)
	}
}

func TestPendingSubscribeFailsOnConnectionLoss(t *testing.T) {
	f := newFakePubSub(t)
	f.noConfirm.Store(true)
	s := subscriber(t, f.options(), nil)
	d := s.Subscribe("never-confirmed")
	f.waitCommand(t, "SUBSCRIBE never-confirmed")
	if d.Fired() {
		t.Fatal("subscribe fired before any confirmation")
	}
	f.srv.CloseAll()
	_, err := testutil.Wait(t, d)
	var cerr *conn.ConnectionError
	if !errors.As(err, &cerr) || !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("pending subscribe after connection loss: have %v, want a *conn.ConnectionError", err)
	}
	if len(s.Channels()) != 0 {
		t.Fatalf("an unconfirmed channel is tracked: %q", s.Channels())
	}
}

func TestErrorReplyFailsOnlyItsRequest(t *testing.T) {
	f := newFakePubSub(t)
	f.deny["secret"] = true
	s := subscriber(t, f.options(), nil)
	before := s.Subscribe("a")
	denied := s.Subscribe("secret")
	after := s.PSubscribe("p*")
	if have := testutil.Must(t, before); len(have) != 1 || have[0].Channel != "a" {
		t.Fatalf("first subscribe: %+v", have)
	}
	_, err := testutil.Wait(t, denied)
	var perr *proto.Error
	if !errors.As(err, &perr) || perr.Prefix != "NOPERM" {
		t.Fatalf("refused subscribe: have %v, want a NOPERM *proto.Error", err)
	}
	if have := testutil.Must(t, after); len(have) != 1 || have[0] != (pubsub.Confirmation{Kind: "psubscribe", Channel: "p*", Count: 2}) {
		t.Fatalf("subscribe after the refused one: %+v", have)
	}
	if have := s.Channels(); len(have) != 1 || have[0] != "a" {
		t.Fatalf("tracked channels: %q", have)
	}
}

func TestKeepaliveDetectsDeadPeer(t *testing.T) {
	f := newFakePubSub(t)
	const interval, timeout = 30 * time.Millisecond, 100 * time.Millisecond
	var lostAt atomic.Int64
	var lostErr atomic.Value
	resubscribed := make(chan []string, 1)
	opts := f.options()
	opts.PingInterval, opts.PingTimeout = interval, timeout
	opts.OnState = func(e conn.StateEvent) {
		if e.State == conn.StateDisconnected && e.Err != nil && lostAt.Load() == 0 {
			lostErr.Store(e.Err)
			lostAt.Store(time.Now().UnixNano())
		}
	}
	opts.OnResubscribed = func(channels, _, _ []string) { resubscribed <- channels }
	s := subscriber(t, opts, nil)
	testutil.Must(t, s.Subscribe("news"))
	// Keepalive runs while the peer answers.
	testutil.Eventually(t, func() error {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.pings < 2 {
			return fmt.Errorf("%d pings", f.pings)
		}
		return nil
	})
	if lostAt.Load() != 0 {
		t.Fatalf("connection lost while the peer answered: %v", lostErr.Load())
	}
	f.silence()
	silentAt := time.Now()
	testutil.Eventually(t, func() error {
		if lostAt.Load() == 0 {
			return errors.New("dead peer not detected")
		}
		return nil
	})
	took := time.Duration(lostAt.Load() - silentAt.UnixNano())
	if err, _ := lostErr.Load().(error); !errors.Is(err, conn.ErrTimeout) {
		t.Fatalf("dead peer: have %v, want a timeout", err)
	}
	if limit := interval + timeout + 500*time.Millisecond; took > limit {
		t.Fatalf("dead peer detected after %v, want within %v", took, limit)
	}
	t.Logf("dead peer detected %v after it fell silent (interval %v, timeout %v)", took, interval, timeout)
	select {
	case have := <-resubscribed:
		if len(have) != 1 || have[0] != "news" {
			t.Fatalf("resubscribed %q", have)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("not resubscribed after the dead peer was replaced")
	}
}

func TestDropPolicyCountsWithoutStallingReader(t *testing.T) {
	f := newFakePubSub(t)
	release := make(chan struct{})
	inHandler := make(chan struct{}, 1)
	var got atomic.Int64
	opts := f.options()
	opts.BufferSize, opts.Overflow = 2, pubsub.Drop
	s := subscriber(t, opts, pubsub.HandlerFunc(func(_, _, _ string) {
		select {
		case inHandler <- struct{}{}:
		default:
		}
		<-release
		got.Add(1)
	}))
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	testutil.Must(t, s.Subscribe("c"))
	const sent = 20
	// The first message reaches the handler before the burst, so that the
	// counts below do not depend on scheduling.
	if err := f.publish("c", "0"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-inHandler:
	case <-time.After(5 * time.Second):
		t.Fatal("the first message did not reach the handler")
	}
	for i := 1; i < sent; i++ {
		if err := f.publish("c", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	// The reader is free: a PING sent after the burst is answered while the
	// handler is still stuck on the first message.
	start := time.Now()
	testutil.Must(t, s.Ping())
	if d := time.Since(start); d > time.Second {
		t.Fatalf("PING behind a stuck consumer took %v", d)
	}
	// One message is in the handler, two in the buffer, the rest dropped.
	st := s.Stats()
	if st.Received != sent || s.Dropped() != sent-3 || st.Dropped != s.Dropped() || st.Buffered != 2 {
		t.Fatalf("stats %+v, want %d received, %d dropped, 2 buffered", st, sent, sent-3)
	}
	close(release)
	testutil.Eventually(t, func() error {
		if got.Load() != 3 {
			return fmt.Errorf("%d delivered", got.Load())
		}
		return nil
	})
}

func TestBlockPolicyWaitsAtMostBlockTimeout(t *testing.T) {
	f := newFakePubSub(t)
	release := make(chan struct{})
	const blockFor = 50 * time.Millisecond
	opts := f.options()
	opts.BufferSize, opts.Overflow, opts.BlockTimeout = 1, pubsub.Block, blockFor
	var got collector
	s := subscriber(t, opts, pubsub.HandlerFunc(func(p, c, m string) {
		<-release
		got.MessageReceived(p, c, m)
	}))
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	testutil.Must(t, s.Subscribe("c"))
	// Message 0 goes to the handler, 1 fills the buffer, then the reader
	// waits blockFor for each of 2, 3, 4 before dropping it.
	start := time.Now()
	for i := 0; i < 5; i++ {
		if err := f.publish("c", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	testutil.Must(t, s.Ping())
	took := time.Since(start)
	if s.Dropped() != 3 {
		t.Fatalf("dropped %d, want 3", s.Dropped())
	}
	if took < 3*blockFor-10*time.Millisecond || took > 3*blockFor+time.Second {
		t.Fatalf("reader blocked %v in all, want about 3 x %v", took, blockFor)
	}
	// A consumer that frees room in time loses nothing.
	close(release)
	got.waitCount(t, 2)
	for i := 5; i < 25; i++ {
		if err := f.publish("c", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	msgs := got.waitCount(t, 22)
	if s.Dropped() != 3 {
		t.Fatalf("dropped %d after the consumer caught up, want still 3", s.Dropped())
	}
	for i, m := range msgs[2:] {
		if m.Payload != fmt.Sprint(i+5) {
			t.Fatalf("message %d: %q", i+5, m.Payload)
		}
	}
}

func TestRequestsWaitForTheFirstDial(t *testing.T) {
	f := newFakePubSub(t)
	gate := make(chan struct{})
	opts := f.options()
	opts.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-gate
		return f.srv.Dialer(ctx, network, addr)
	}
	var got collector
	s := pubsub.New(opts, &got)
	defer func() { testutil.Wait(t, s.Disconnect()) }()
	d := s.Subscribe("early")
	close(gate)
	if have := testutil.Must(t, d); len(have) != 1 || have[0].Channel != "early" {
		t.Fatalf("subscribe before connecting: %+v", have)
	}
	if err := f.publish("early", "hello"); err != nil {
		t.Fatal(err)
	}
	if have := got.waitCount(t, 1); have[0].Payload != "hello" {
		t.Fatalf("message: %+v", have[0])
	}
}

func TestDisconnectFailsRequestsAndCloses(t *testing.T) {
	f := newFakePubSub(t)
	f.noConfirm.Store(true)
	opts := f.options()
	opts.Channel = true
	s := testutil.Must(t, pubsub.Connect(opts, nil))
	d := s.Subscribe("x")
	f.waitCommand(t, "SUBSCRIBE x")
	testutil.Must(t, s.Disconnect())
	if _, err := testutil.Wait(t, d); !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("pending subscribe after Disconnect: %v", err)
	}
	if _, ok := <-s.Messages(); ok {
		t.Fatal("Messages channel still open after Disconnect")
	}
	if _, err := testutil.Wait(t, s.Subscribe("y")); !errors.Is(err, conn.ErrClosed) {
		t.Fatalf("subscribe after Disconnect: have %v, want ErrClosed", err)
	}
}

func TestErrorReplyAheadOfPingGoesToItsRequest(t *testing.T) {
	f := newFakePubSub(t)
	f.deny["secret"] = true
	s := subscriber(t, f.options(), nil)
	denied := s.Subscribe("secret")
	ping := s.Ping() // pending in the FIFO when the error reply arrives
	var perr *proto.Error
	if _, err := testutil.Wait(t, denied); !errors.As(err, &perr) || perr.Prefix != "NOPERM" {
		t.Fatalf("refused subscribe: have %v, want NOPERM", err)
	}
	if have := testutil.Must(t, ping); have != "PONG" {
		t.Fatalf("PING: %q", have)
	}
	if have := testutil.Must(t, s.Subscribe("ok")); len(have) != 1 || have[0].Channel != "ok" {
		t.Fatalf("subscribe afterwards: %+v", have)
	}
	if have := testutil.Must(t, s.Ping()); have != "PONG" {
		t.Fatalf("PING afterwards: %q", have)
	}
	if err := f.publish("ok", "m"); err != nil {
		t.Fatal(err)
	}
}

func TestDisconnectDoesNotWaitForBlockedReader(t *testing.T) {
	f := newFakePubSub(t)
	before := runtime.NumGoroutine()
	release := make(chan struct{})
	opts := f.options()
	opts.BufferSize, opts.Overflow, opts.BlockTimeout = 1, pubsub.Block, time.Minute
	s := testutil.Must(t, pubsub.Connect(opts, pubsub.HandlerFunc(func(_, _, _ string) { <-release })))
	testutil.Must(t, s.Subscribe("c"))
	go func() {
		for i := 0; i < 3; i++ { // the third blocks the reader for a minute
			if f.publish("c", "m") != nil {
				return
			}
		}
	}()
	testutil.Eventually(t, func() error {
		if st := s.Stats(); st.Received != 3 {
			return fmt.Errorf("stats %+v", st)
		}
		return nil
	})
	start := time.Now()
	d := s.Disconnect()
	close(release) // the handler call in progress ends
	testutil.Must(t, d)
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("Disconnect took %v with the reader blocked", took)
	}
	f.srv.Close()
	testutil.CheckGoroutines(t, before)
}

func TestLazySubscriberWhileServerIsDown(t *testing.T) {
	f := newFakePubSub(t)
	before := runtime.NumGoroutine()
	f.srv.Refuse(true)
	s := pubsub.New(f.options(), nil)
	_, err := testutil.Wait(t, s.Subscribe("a"))
	if !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("subscribe while the server is down: have %v, want a ConnectionError", err)
	}
	f.srv.Refuse(false)
	testutil.Eventually(t, func() error {
		_, err := testutil.Wait(t, s.Subscribe("a"))
		return err
	})
	if have := s.Channels(); len(have) != 1 || have[0] != "a" {
		t.Fatalf("tracked %q", have)
	}
	testutil.Must(t, s.Disconnect())
	f.srv.Close()
	testutil.CheckGoroutines(t, before)
}

// An unsubscribe already sent when the connection drops is honoured: the
// channel is not resubscribed after the reconnect.
func TestPendingUnsubscribeHonouredAcrossReconnect(t *testing.T) {
	f := newFakePubSub(t)
	s := subscriber(t, f.options(), nil)
	testutil.Must(t, s.Subscribe("keep", "drop"))
	f.noConfirm.Store(true)
	d := s.Unsubscribe("drop")
	f.waitCommand(t, "UNSUBSCRIBE drop")
	f.noConfirm.Store(false)
	f.srv.CloseAll()
	if _, err := testutil.Wait(t, d); !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("pending unsubscribe: have %v, want a ConnectionError", err)
	}
	testutil.Eventually(t, func() error {
		if ch := s.Channels(); len(ch) != 1 || ch[0] != "keep" {
			return fmt.Errorf("tracked channels %q, want [keep]", ch)
		}
		if s.Stats().Reconnects == 0 {
			return errors.New("not resubscribed yet")
		}
		return nil
	})
}
