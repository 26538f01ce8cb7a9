package conn

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// These tests pin the quiet mode of quiet.go: a Wait on the only command
// in flight reads its reply on the waiting goroutine, and every other way
// of observing a reply still gets it, from the reader goroutine.

func quietConn(t *testing.T, addr string, replyTimeout time.Duration) *Conn {
	t.Helper()
	c, err := Connect(Options{Addr: addr, ReplyTimeout: replyTimeout}).Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = c.Disconnect().Wait(context.Background()) })
	return c
}

func (c *Conn) rxState() uint8 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rx
}

// settle makes c round-trip bound: a few Waits on lone commands, after
// which the reader goroutine has parked.
func settle(t *testing.T, c *Conn) {
	t.Helper()
	bg := context.Background()
	deadline := time.Now().Add(5 * time.Second)
	for c.rxState() != rxParked {
		if time.Now().After(deadline) {
			t.Fatal("the reader goroutine never parked")
		}
		if _, err := c.Ping().Wait(bg); err != nil {
			t.Fatal(err)
		}
	}
}

func TestQuietWaitReadsOnTheCaller(t *testing.T) {
	mr := miniredis.RunT(t)
	c := quietConn(t, mr.Addr(), 0)
	settle(t, c)
	bg := context.Background()
	for i := range 200 {
		k, v := "k"+strconv.Itoa(i%7), strconv.Itoa(i)
		if _, err := c.Set(k, v).Wait(bg); err != nil {
			t.Fatal(err)
		}
		if have, err := c.Get(k).Wait(bg); err != nil || have != v {
			t.Fatalf("GET %s: %q, %v; want %q", k, have, err, v)
		}
		// Each reply was read by this goroutine: the socket is parked
		// again, with the reader goroutine never having taken it back.
		if st := c.rxState(); st != rxParked {
			t.Fatalf("after command %d the socket is in state %d, want parked", i, st)
		}
	}
}

func TestQuietObservedOtherwiseStillFires(t *testing.T) {
	mr := miniredis.RunT(t)
	c := quietConn(t, mr.Addr(), 0) // default reply timeout: a tick of 1.25s
	bg := context.Background()
	observe := map[string]func(d *deferred.Deferred[string]) <-chan struct{}{
		"callback": func(d *deferred.Deferred[string]) <-chan struct{} {
			ch := make(chan struct{})
			d.Observe(func(string, error) { close(ch) })
			return ch
		},
		"done": func(d *deferred.Deferred[string]) <-chan struct{} { return d.Done() },
		"wait with a context": func(d *deferred.Deferred[string]) <-chan struct{} {
			ch := make(chan struct{})
			go func() {
				ctx, cancel := context.WithTimeout(bg, time.Minute)
				defer cancel()
				_, _ = d.Wait(ctx)
				close(ch)
			}()
			return ch
		},
		"result polled": func(d *deferred.Deferred[string]) <-chan struct{} {
			ch := make(chan struct{})
			go func() {
				for {
					if _, _, ok := d.Result(); ok {
						close(ch)
						return
					}
					time.Sleep(time.Millisecond)
				}
			}()
			return ch
		},
	}
	for name, obs := range observe {
		settle(t, c)
		start := time.Now()
		select {
		case <-obs(c.Set("x", name)):
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the reply never arrived", name)
		}
		// Without the kick it would wait for the watchdog's tick.
		if el := time.Since(start); el > 500*time.Millisecond {
			t.Errorf("%s: the reply took %v: it waited for the watchdog", name, el)
		}
	}
}

func TestQuietUnobservedReplyIsReadWithinATick(t *testing.T) {
	mr := miniredis.RunT(t)
	c := quietConn(t, mr.Addr(), 200*time.Millisecond) // 25ms ticks
	settle(t, c)
	d := c.Set("dropped", "v") // nobody looks at d
	deadline := time.Now().Add(2 * time.Second)
	for c.Pending() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the reply to a command nobody observes was never read")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if v, err, ok := d.Result(); !ok || err != nil || v != "OK" {
		t.Fatalf("SET: %q, %v, %v", v, err, ok)
	}
	// And a later lone Wait still works, on a socket parked again.
	settle(t, c)
}

func TestQuietServerCloseIsNoticed(t *testing.T) {
	mr := miniredis.RunT(t)
	states := make(chan State, 16)
	c, err := Connect(Options{Addr: mr.Addr(), ReplyTimeout: 200 * time.Millisecond,
		OnState: func(e StateEvent) {
			select {
			case states <- e.State:
			default:
			}
		}}).Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect()
	settle(t, c)
	mr.Close() // closes the listener and every client connection
	deadline := time.After(3 * time.Second)
	for {
		select {
		case s := <-states:
			if s == StateDisconnected {
				return
			}
		case <-deadline:
			t.Fatal("a server closing a parked connection went unnoticed")
		}
	}
}

func TestQuietReplyBehindIsFiredInOrder(t *testing.T) {
	mr := miniredis.RunT(t)
	c := quietConn(t, mr.Addr(), 0)
	settle(t, c)
	bg := context.Background()
	first := c.Incr("n")  // lazy: the socket is parked
	second := c.Incr("n") // lazy too, nobody observes it yet
	if v, err := first.Wait(bg); err != nil || v != 1 {
		t.Fatalf("first INCR: %d, %v", v, err)
	}
	// first was read here with second owed behind it: the reader took the
	// socket back for second.
	if v, err := second.Wait(bg); err != nil || v != 2 {
		t.Fatalf("second INCR: %d, %v", v, err)
	}
	if c.Pending() != 0 {
		t.Fatalf("%d pending", c.Pending())
	}
}

func TestQuietMixedUseUnderRace(t *testing.T) {
	mr := miniredis.RunT(t)
	c := quietConn(t, mr.Addr(), 200*time.Millisecond)
	bg := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				k, v := "g"+strconv.Itoa(g), strconv.Itoa(i)
				c.Set(k, v) // unobserved
				d := c.Get(k)
				var have string
				var err error
				switch (i + g) % 3 {
				case 0:
					have, err = d.Wait(bg)
				case 1:
					ch := make(chan struct{})
					d.Observe(func(s string, e error) { have, err = s, e; close(ch) })
					<-ch
				case 2:
					<-d.Done()
					have, err, _ = d.Result()
				}
				if err != nil || have != v {
					errs <- errors.New("goroutine " + strconv.Itoa(g) + ": GET " + k + " = " + have + ", want " + v)
					return
				}
				if g == 0 {
					time.Sleep(50 * time.Microsecond) // lone commands now and then
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// scripted serves one TCP connection at a time: each command read gets
// the answer of reply, which may write anything or close the socket.
func scripted(t *testing.T, reply func(nc net.Conn, args []string)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				rd := proto.NewReader(bufio.NewReader(nc), proto.ReaderOptions{})
				for {
					v, err := rd.ReadValue()
					if err != nil {
						return
					}
					var args []string
					for _, e := range v.Elems {
						args = append(args, e.Str)
					}
					reply(nc, args)
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestQuietCallerReadFailureFailsTheCommand(t *testing.T) {
	var mu sync.Mutex
	mode := "ok"
	addr := scripted(t, func(nc net.Conn, args []string) {
		mu.Lock()
		m := mode
		mu.Unlock()
		switch {
		case len(args) > 0 && args[0] == "GET" && m == "garbage":
			_, _ = nc.Write([]byte("?garbage\r\n"))
		case len(args) > 0 && args[0] == "GET" && m == "close":
			_ = nc.Close()
		case len(args) > 0 && args[0] == "GET":
			_, _ = nc.Write([]byte("$1\r\nv\r\n"))
		default:
			_, _ = nc.Write([]byte("+PONG\r\n"))
		}
	})
	c := quietConn(t, addr, 0)
	bg := context.Background()
	for _, m := range []string{"garbage", "close"} {
		settle(t, c)
		mu.Lock()
		mode = m
		mu.Unlock()
		_, err := c.Get("k").Wait(bg)
		var ce *ConnectionError
		if !errors.As(err, &ce) {
			t.Fatalf("%s: GET failed with %v, want a connection error", m, err)
		}
		mu.Lock()
		mode = "ok"
		mu.Unlock()
		// The connection comes back and answers in step.
		deadline := time.Now().Add(5 * time.Second)
		for {
			v, err := c.Get("k").Wait(bg)
			if err == nil {
				if v != "v" {
					t.Fatalf("%s: after the redial GET = %q", m, v)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no redial: %v", m, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// countHook counts the commands it sees end.
type countHook struct {
	mu    sync.Mutex
	ended int
}

func (h *countHook) Start(ctx context.Context, _ *Op) context.Context { return ctx }

func (h *countHook) End(_ context.Context, op *Op) {
	h.mu.Lock()
	h.ended++
	h.mu.Unlock()
}

func TestQuietWithHooks(t *testing.T) {
	mr := miniredis.RunT(t)
	h := &countHook{}
	c, err := Connect(Options{Addr: mr.Addr(), Hooks: []Hook{h}}).Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect()
	settle(t, c) // the hooks' wrapper does not keep the socket from parking
	bg := context.Background()
	h.mu.Lock()
	before := h.ended
	h.mu.Unlock()
	for i := range 50 {
		v := strconv.Itoa(i)
		if _, err := c.Set("h", v).Wait(bg); err != nil {
			t.Fatal(err)
		}
		if have, err := c.Get("h").Wait(bg); err != nil || have != v {
			t.Fatalf("GET: %q, %v", have, err)
		}
		if st := c.rxState(); st != rxParked {
			t.Fatalf("command %d: socket in state %d, want parked", i, st)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ended-before != 100 {
		t.Fatalf("the hook saw %d commands end, want 100", h.ended-before)
	}
}

// A connection that tracks keys for a cached view never parks: an
// invalidation must be read when it arrives, not at the next command.
func TestQuietNotWithClientSideCaching(t *testing.T) {
	mr := miniredis.RunT(t)
	c, err := Connect(Options{Addr: mr.Addr(), Protocol: 3}).Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect()
	bg := context.Background()
	cv := c.Cached(time.Minute)
	if _, err := cv.Get("warm").Wait(bg); err != nil && !errors.Is(err, proto.ErrNil) {
		t.Fatal(err)
	}
	for i := range 100 {
		k := "k" + strconv.Itoa(i)
		if _, err := c.Set(k, "v").Wait(bg); err != nil {
			t.Fatal(err)
		}
		if _, err := cv.Get(k).Wait(bg); err != nil {
			t.Fatal(err)
		}
		if st := c.rxState(); st == rxParked {
			t.Fatalf("command %d: a tracking connection parked its reader", i)
		}
	}
}
