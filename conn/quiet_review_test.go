package conn

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// These tests try to break the quiet mode of quiet.go: a Deferred that
// never fires or fires late, replies out of order, deadlocks between the
// waiting goroutine that reads the socket and the rest of the connection.

// gatedServer is a scripted server that answers PING at once and holds
// the reply to every GET until release is called (or, with silent set,
// never answers a GET at all).
type gatedServer struct {
	addr string
	mu   sync.Mutex
	gate chan struct{}
}

func newGatedServer(t *testing.T) *gatedServer {
	g := &gatedServer{gate: make(chan struct{})}
	g.addr = scripted(t, func(nc net.Conn, args []string) {
		if len(args) > 0 && args[0] == "GET" {
			g.mu.Lock()
			gate := g.gate
			g.mu.Unlock()
			<-gate
			_, _ = nc.Write([]byte("$1\r\nv\r\n"))
			return
		}
		_, _ = nc.Write([]byte("+PONG\r\n"))
	})
	t.Cleanup(g.release)
	return g
}

// release answers the GETs held and every later one at once.
func (g *gatedServer) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.gate:
	default:
		close(g.gate)
	}
}

// waitRx waits until c's socket is held by want.
func waitRx(t *testing.T, c *Conn, want uint8) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.rxState() != want {
		if time.Now().After(deadline) {
			t.Fatalf("the socket never reached state %d (it is in %d)", want, c.rxState())
		}
		time.Sleep(time.Millisecond)
	}
}

// The watchdog peeks at a parked socket (quietTick) after it has seen it
// parked and released c.mu. A waiting goroutine may take the socket in
// that gap and block in a read; the peek must not then wait for that
// read, or the watchdog stops: a silent server is never timed out
// (ReplyTimeout) and the waiting goroutine's command never fires. So a
// peek made while a waiting goroutine reads returns at once.
func TestQuietReviewPeekDoesNotWaitForTheCallersRead(t *testing.T) {
	g := newGatedServer(t)
	c := quietConn(t, g.addr, 5*time.Second)
	settle(t, c)
	bg := context.Background()
	got := make(chan error, 1)
	go func() {
		_, err := c.Get("k").Wait(bg) // read on this goroutine: GET is held
		got <- err
	}()
	waitRx(t, c, rxCaller)
	c.mu.Lock()
	dw := c.direct
	c.mu.Unlock()
	peeked := make(chan bool, 1)
	go func() { peeked <- dw.readable() }()
	select {
	case r := <-peeked:
		if r {
			t.Error("the peek found bytes on a socket with nothing to read")
		}
	case <-time.After(time.Second):
		g.release()
		<-peeked
		t.Error("the watchdog's peek waited for the waiting goroutine's read")
	}
	g.release()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// laterSender is a handle that sends its commands some time after they
// were made, from a goroutine of its own, as a handle that waits for its
// target does (sentinel waiting for a master, a ring learning a command's
// keys): the caller may already be waiting on the Deferred when the
// connection queues the command.
type laterSender struct {
	c    *Conn
	sent chan func()
}

func (s *laterSender) Send(cmd *proto.Cmd, r Resolver) {
	s.sent <- func() { s.c.Send(cmd, r) }
}

// A command whose Deferred is already awaited when a handle hands it to
// a parked connection must be read at once: nobody will observe the
// Deferred again, so marking it lazy leaves its reply on the socket until
// the watchdog's next tick (ReplyTimeout/8: over a second by default).
func TestQuietReviewAwaitedBeforeSentIsNotLeftForTheWatchdog(t *testing.T) {
	mr := miniredis.RunT(t)
	mr.Set("k", "v")
	// Ticks 10s apart: a reply left for the watchdog takes seconds.
	c := quietConn(t, mr.Addr(), 80*time.Second)
	s := &laterSender{c: c, sent: make(chan func(), 1)}
	cmds := NewCommands(s)
	bg := context.Background()
	for i := range 3 {
		settle(t, c)
		d := cmds.Get("k")
		send := <-s.sent
		got := make(chan error, 1)
		waiting := make(chan struct{})
		go func() {
			close(waiting)
			v, err := d.Wait(bg)
			if err == nil && v != "v" {
				err = &proto.ProtocolError{Msg: "GET = " + v}
			}
			got <- err
		}()
		<-waiting
		time.Sleep(20 * time.Millisecond) // let Wait block first
		send()
		select {
		case err := <-got:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(time.Second):
			t.Fatalf("round %d: the reply to an awaited command was left on the parked socket", i)
		}
	}
}

// A silent server is timed out within ReplyTimeout and a few ticks while
// the waiting goroutine, not the reader goroutine, reads the socket: the
// command fails with a connection error, and the connection comes back.
func TestQuietReviewSilentServerWhileTheCallerReads(t *testing.T) {
	g := newGatedServer(t)
	const rt = 200 * time.Millisecond
	c := quietConn(t, g.addr, rt)
	bg := context.Background()
	for range 3 {
		resettle(t, c)
		start := time.Now()
		_, err := c.Get("k").Wait(bg) // the server never answers
		el := time.Since(start)
		if !isConnErr(err) {
			t.Fatalf("GET on a silent server: %v, want a connection error", err)
		}
		// ReplyTimeout plus two ticks, and room for a loaded machine.
		if el < rt || el > rt+time.Second {
			t.Fatalf("GET on a silent server failed after %v (ReplyTimeout %v)", el, rt)
		}
	}
}

// resettle is settle on a connection that may be redialling.
func resettle(t *testing.T, c *Conn) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.State() != StateConnected {
		if time.Now().After(deadline) {
			t.Fatal("the connection did not come back")
		}
		time.Sleep(5 * time.Millisecond)
	}
	settle(t, c)
}

func isConnErr(err error) bool {
	var ce *ConnectionError
	return errors.As(err, &ce)
}

// Replies fire in the order the commands were sent. A waiting goroutine
// that read its reply must fire it before it lets anyone else read the
// socket: converting a large reply takes a while, and a command sent
// meanwhile by another goroutine, read on that goroutine, must not fire
// first (the reader goroutine never lets it: it fires a reply before it
// reads the next).
func TestQuietReviewLargeReplyFiresBeforeTheNextCommand(t *testing.T) {
	mr := miniredis.RunT(t)
	elems := make([]string, 50000)
	for i := range elems {
		elems[i] = strconv.Itoa(i)
	}
	if _, err := mr.Push("big", elems...); err != nil {
		t.Fatal(err)
	}
	c := quietConn(t, mr.Addr(), 0)
	bg := context.Background()
	for i := range 20 {
		settle(t, c)
		d1 := c.LRange("big", 0, -1)
		early := make(chan bool, 1)
		go func() {
			// Send PING as soon as LRANGE's reply has been taken off the
			// socket: it was sent after LRANGE, so it fires after it.
			for c.Pending() != 0 {
				runtime.Gosched()
			}
			if _, err := c.Ping().Wait(bg); err != nil {
				t.Error(err)
			}
			_, _, fired := d1.Result()
			early <- !fired
		}()
		if v, err := d1.Wait(bg); err != nil || len(v) != len(elems) {
			t.Fatalf("LRANGE: %d elements, %v", len(v), err)
		}
		if <-early {
			t.Fatalf("round %d: PING fired before the LRANGE sent ahead of it", i)
		}
	}
}

// Disconnect while a waiting goroutine reads a reply that is late: the
// reply still arrives (Disconnect lets replies in flight arrive), the
// waiting goroutine gets it, Disconnect fires, and every goroutine of
// the connection ends.
func TestQuietReviewDisconnectWhileTheCallerReads(t *testing.T) {
	g := newGatedServer(t)
	before := runtime.NumGoroutine()
	c, err := Connect(Options{Addr: g.addr, ReplyTimeout: 5 * time.Second}).Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	settle(t, c)
	bg := context.Background()
	got := make(chan string, 1)
	go func() {
		v, err := c.Get("k").Wait(bg)
		if err != nil {
			v = err.Error()
		}
		got <- v
	}()
	waitRx(t, c, rxCaller)
	dis := c.Disconnect()
	time.Sleep(50 * time.Millisecond)
	if dis.Fired() {
		t.Fatal("Disconnect fired with a reply in flight")
	}
	g.release()
	select {
	case v := <-got:
		if v != "v" {
			t.Fatalf("GET during Disconnect: %q", v)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting goroutine never got its reply")
	}
	if _, err := dis.Wait(bg); err != nil {
		t.Fatal(err)
	}
	testutil.CheckGoroutines(t, before)
}

// Disconnect on a parked socket with replies owed to Deferreds nobody
// observes: they are read (not failed) before the socket closes.
func TestQuietReviewDisconnectWhileParkedWithUnobservedReplies(t *testing.T) {
	mr := miniredis.RunT(t)
	before := runtime.NumGoroutine()
	// Ticks 10s apart: only Disconnect can have the replies read.
	c, err := Connect(Options{Addr: mr.Addr(), ReplyTimeout: 80 * time.Second}).Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	settle(t, c)
	var ds []*deferred.Deferred[int64]
	for range 5 {
		ds = append(ds, c.Incr("n"))
	}
	if _, err := c.Disconnect().Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if v, err, ok := d.Result(); !ok || err != nil || v != int64(i+1) {
			t.Fatalf("INCR %d: %d, %v, %v", i, v, err, ok)
		}
	}
	testutil.CheckGoroutines(t, before)
}

// A step that another goroutine adds to a Deferred while a waiting
// goroutine reads its reply runs once, on the waiting goroutine, with
// the reply; as on the reader goroutine, a Wait in it fails with
// ErrWaitOnDispatcher instead of blocking the replies behind it, and
// the command the step sent is still answered.
func TestQuietReviewStepAddedWhileTheCallerReads(t *testing.T) {
	g := newGatedServer(t)
	c := quietConn(t, g.addr, 5*time.Second)
	settle(t, c)
	bg := context.Background()
	d := c.Get("k")
	got := make(chan string, 1)
	go func() {
		v, _ := d.Wait(bg)
		got <- v
	}()
	waitRx(t, c, rxCaller)
	// The refused Wait is reported too: keep it out of the test's output.
	prev := deferred.SetErrorHandler(func(error) {})
	defer func() { deferred.SetErrorHandler(prev) }()
	var mu sync.Mutex
	calls, stepV := 0, ""
	var stepErr error
	var ping *deferred.Deferred[string]
	d.Observe(func(v string, _ error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		stepV = v
		ping = c.Ping()
		_, stepErr = ping.Wait(bg)
	})
	g.release()
	if v := <-got; v != "v" {
		t.Fatalf("GET: %q", v)
	}
	// The step ran before Wait returned: it runs as the Deferred fires.
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 || stepV != "v" || !errors.Is(stepErr, deferred.ErrWaitOnDispatcher) {
		t.Fatalf("step: %d calls, %q, Wait in it: %v", calls, stepV, stepErr)
	}
	select {
	case <-ping.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the PING the step sent was never answered")
	}
	if v, err, _ := ping.Result(); err != nil || v != "PONG" {
		t.Fatalf("PING from the step: %q, %v", v, err)
	}
}

// A server killed while a waiting goroutine reads a slow reply (BLPOP on
// an empty list) fails the command at once with a connection error, and the
// connection comes back after a restart and answers in step; no
// goroutine is left behind.
func TestQuietReviewServerKilledWhileTheCallerReads(t *testing.T) {
	srv := testserver.Start(t)
	before := runtime.NumGoroutine()
	c := testutil.Must(t, Connect(Options{Addr: srv.Addr(), ReplyTimeout: 5 * time.Second}))
	bg := context.Background()
	for round := range 2 {
		settle(t, c)
		killed := make(chan struct{})
		go func() {
			// Kill once the waiting goroutine reads (or after a second).
			for deadline := time.Now().Add(time.Second); c.rxState() != rxCaller && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			srv.Kill()
			close(killed)
		}()
		start := time.Now()
		_, err := c.Do("BLPOP", "empty", "3").Wait(bg)
		var ce *ConnectionError
		if !errors.As(err, &ce) {
			t.Fatalf("round %d: BLPOP on a killed server: %v", round, err)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Fatalf("round %d: the kill was noticed after %v", round, el)
		}
		<-killed
		srv.Restart()
		testutil.EventuallyWithin(t, 10*time.Second, func() error {
			_, err := c.Ping().Wait(bg)
			return err
		})
		for i := range 20 {
			if v, err := c.Incr("n" + strconv.Itoa(round)).Wait(bg); err != nil || v != int64(i+1) {
				t.Fatalf("round %d: INCR %d = %d, %v", round, i, v, err)
			}
		}
	}
	testutil.Must(t, c.Disconnect())
	testutil.CheckGoroutines(t, before)
}

// Sockets killed at random (CLIENT KILL from another connection) under
// lone waits, callbacks and commands nobody observes, on a connection
// that parks and is redialled over and over: every Deferred fires once,
// with its own reply or a connection error, within a bound; no wake-up
// meant for an earlier socket confuses a later one; no goroutine is left.
func TestQuietReviewKilledSocketsUnderMixedUse(t *testing.T) {
	srv := testserver.Start(t)
	before := runtime.NumGoroutine()
	bg := context.Background()
	killer, err := Connect(Options{Addr: srv.Addr()}).Wait(bg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Connect(Options{Addr: srv.Addr(), ReplyTimeout: time.Second, ClientName: "victim"}).Wait(bg)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	// within is how long any Deferred may take: ReplyTimeout, ticks, a
	// redial, and room for a loaded machine.
	const within = 5 * time.Second
	worker := func(g int) {
		defer wg.Done()
		k := "w" + strconv.Itoa(g)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if g != 0 {
				// Worker 0 is alone now and then: the connection parks.
				time.Sleep(10 * time.Millisecond)
			}
			v := strconv.Itoa(i)
			if _, err := c.Set(k, v).Wait(bg); err != nil {
				if !isConnErr(err) {
					report(err)
					return
				}
				time.Sleep(2 * time.Millisecond)
				continue
			}
			d := c.Get(k)
			if g == 1 && i%3 == 0 {
				c.Ping() // nobody observes it
			}
			var have string
			var err error
			if g == 2 && i%2 == 0 {
				ch := make(chan struct{})
				d.Observe(func(s string, e error) { have, err = s, e; close(ch) })
				select {
				case <-ch:
				case <-time.After(within):
					report(errors.New("a callback never ran"))
					return
				}
			} else {
				got := make(chan struct{})
				go func() { have, err = d.Wait(bg); close(got) }()
				select {
				case <-got:
				case <-time.After(within):
					report(errors.New("a Wait never returned"))
					return
				}
			}
			if err == nil && have != v {
				report(errors.New(k + ": GET = " + have + ", want " + v))
				return
			}
			if err != nil && !isConnErr(err) {
				report(err)
				return
			}
		}
	}
	for g := range 3 {
		wg.Add(1)
		go worker(g)
	}
	var parked, read int
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Microsecond):
			}
			switch c.rxState() {
			case rxParked:
				parked++
			case rxCaller:
				read++
			}
		}
	}()
	for i := range 15 {
		time.Sleep(time.Duration(10+i%4*7) * time.Millisecond)
		if _, err := killer.Do("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Wait(bg); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	<-sampled
	t.Logf("sampled the socket parked %d times, read by a waiting goroutine %d times", parked, read)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// And it still answers in step.
	testutil.EventuallyWithin(t, within, func() error {
		_, err := c.Ping().Wait(bg)
		return err
	})
	for i := range 20 {
		if v, err := c.Incr("after").Wait(bg); err != nil || v != int64(i+1) {
			t.Fatalf("INCR %d = %d, %v", i, v, err)
		}
	}
	if _, err := c.Disconnect().Wait(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := killer.Disconnect().Wait(bg); err != nil {
		t.Fatal(err)
	}
	testutil.CheckGoroutines(t, before)
}

// A transaction on a parked connection with a reply owed to a command
// nobody observes: the lease and the transaction's commands take the
// socket back, every reply lands where it belongs, and afterwards the
// connection parks again.
func TestQuietReviewTxOnAParkedConn(t *testing.T) {
	mr := miniredis.RunT(t)
	c := quietConn(t, mr.Addr(), 80*time.Second) // ticks 10s apart
	bg := context.Background()
	for i := range 3 {
		settle(t, c)
		d := c.Incr("n") // lazy, unobserved
		tx, err := c.Multi().Wait(bg)
		if err != nil {
			t.Fatal(err)
		}
		in := tx.Incr("n")
		vs, err := tx.Commit().Wait(bg)
		if err != nil || len(vs) != 1 || vs[0].Int != int64(2*i+2) {
			t.Fatalf("EXEC: %v, %v", vs, err)
		}
		if v, err := in.Wait(bg); err != nil || v != int64(2*i+2) {
			t.Fatalf("INCR in the transaction: %d, %v", v, err)
		}
		if v, err, ok := d.Result(); !ok || err != nil || v != int64(2*i+1) {
			t.Fatalf("INCR before the transaction: %d, %v, %v", v, err, ok)
		}
	}
}
