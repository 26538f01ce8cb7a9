package conn_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// txServer is a fake server with just enough of MULTI/EXEC/WATCH: GET k
// answers "v-k", INCR counts per key (INCR str fails inside EXEC), BAD is
// refused at queue time, and EXEC answers null when abort is set.
type txServer struct {
	abort atomic.Bool

	mu   sync.Mutex // protects log
	log  []string   // every command received, space-joined
	errs []string   // protocol violations seen by the server
}

func (s *txServer) commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

func (s *txServer) violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errs...)
}

func (s *txServer) serve(p *fakeserver.Peer) {
	var (
		inMulti, dirty bool
		queue          [][]string
		counters       = map[string]int64{}
		afterExec      bool
	)
	run := func(args []string) proto.Value {
		switch args[0] {
		case "GET":
			return proto.BulkValue("v-" + args[1])
		case "INCR":
			if args[1] == "str" {
				return proto.ErrorValue("ERR value is not an integer or out of range")
			}
			counters[args[1]]++
			return proto.IntValue(counters[args[1]])
		case "PING":
			return proto.SimpleValue("PONG")
		}
		return proto.SimpleValue("OK")
	}
	for {
		args, err := p.ReadCommand()
		if err != nil {
			return
		}
		line := fmt.Sprint(args)
		s.mu.Lock()
		s.log = append(s.log, line)
		s.mu.Unlock()
		var reply proto.Value
		switch {
		case args[0] == "MULTI":
			if inMulti {
				reply = proto.ErrorValue("ERR MULTI calls can not be nested")
			} else {
				inMulti, dirty, queue, afterExec = true, false, nil, false
				reply = proto.SimpleValue("OK")
			}
		case args[0] == "EXEC":
			switch {
			case !inMulti:
				reply = proto.ErrorValue("ERR EXEC without MULTI")
			case dirty:
				reply = proto.ErrorValue("EXECABORT Transaction discarded because of previous errors.")
			case s.abort.Load():
				reply = proto.NullValue()
			default:
				out := make([]proto.Value, len(queue))
				for i, q := range queue {
					out[i] = run(q)
				}
				reply = proto.ArrayValue(out...)
			}
			inMulti, afterExec = false, true
		case args[0] == "DISCARD":
			inMulti = false
			reply = proto.SimpleValue("OK")
		case args[0] == "WATCH" && inMulti:
			reply = proto.ErrorValue("ERR WATCH inside MULTI is not allowed")
		case inMulti && args[0] == "BAD":
			dirty = true
			reply = proto.ErrorValue("ERR unknown command 'BAD'")
		case inMulti:
			queue = append(queue, args)
			reply = proto.SimpleValue("QUEUED")
		default:
			if afterExec && args[0] == "INCR" && args[1] == "late" {
				s.mu.Lock()
				s.errs = append(s.errs, "a command of the transaction arrived after EXEC")
				s.mu.Unlock()
			}
			reply = run(args)
		}
		if p.Reply(reply) != nil {
			return
		}
	}
}

func txConn(t *testing.T, opts conn.Options) (*conn.Conn, *txServer, *fakeserver.Server) {
	t.Helper()
	s := &txServer{}
	c, srv := fakeConn(t, s.serve, opts)
	return c, s, srv
}

func TestTxCommitFiresEachTypedDeferred(t *testing.T) {
	c, _, _ := txConn(t, conn.Options{})
	tx := testutil.Must(t, c.Multi())
	set := tx.Set("a", "1")
	n1 := tx.Incr("n")
	n2 := tx.Incr("n")
	get := tx.Get("a")
	if set.Fired() && testutil.Must(t, set) == "QUEUED" {
		t.Fatal("a queued command fired with QUEUED")
	}
	replies := testutil.Must(t, tx.Commit())
	want := []proto.Value{proto.SimpleValue("OK"), proto.IntValue(1), proto.IntValue(2), proto.BulkValue("v-a")}
	if len(replies) != len(want) {
		t.Fatalf("commit: have %v, want %v", replies, want)
	}
	for i := range want {
		if !replies[i].Equal(want[i]) {
			t.Fatalf("commit reply %d: have %v, want %v", i, replies[i], want[i])
		}
	}
	if have := testutil.Must(t, set); have != "OK" {
		t.Fatalf("SET: have %q", have)
	}
	if have := testutil.Must(t, n1); have != 1 {
		t.Fatalf("first INCR: have %d", have)
	}
	if have := testutil.Must(t, n2); have != 2 {
		t.Fatalf("second INCR: have %d", have)
	}
	if have := testutil.Must(t, get); have != "v-a" {
		t.Fatalf("GET: have %q", have)
	}
	if c.Leased() {
		t.Fatal("connection still leased after Commit")
	}
	if have := testutil.Must(t, c.Get("x")); have != "v-x" {
		t.Fatalf("GET after commit: %q", have)
	}
}

func TestTxQueuedDeferredsFireBeforeCommit(t *testing.T) {
	c, _, _ := txConn(t, conn.Options{})
	tx := testutil.Must(t, c.Multi())
	var order []string // appended on the reader goroutine only
	tx.Incr("a").Observe(func(int64, error) { order = append(order, "a") })
	tx.Incr("b").Observe(func(int64, error) { order = append(order, "b") })
	commit := tx.Commit()
	observed := make(chan struct{})
	commit.Observe(func([]proto.Value, error) { order = append(order, "commit"); close(observed) })
	testutil.Must(t, commit)
	<-observed
	if fmt.Sprint(order) != "[a b commit]" {
		t.Fatalf("order: %v", order)
	}
}

func TestTxOwnHandleLeased(t *testing.T) {
	c, _, _ := txConn(t, conn.Options{})
	tx := testutil.Must(t, c.Multi())
	if _, err := testutil.Wait(t, c.Get("x")); !errors.Is(err, conn.ErrLeased) {
		t.Fatalf("GET on the leased conn: have %v, want ErrLeased", err)
	}
	if _, err := testutil.Wait(t, c.Multi()); !errors.Is(err, conn.ErrLeased) {
		t.Fatalf("second Multi on one conn: have %v, want ErrLeased", err)
	}
	inc := tx.Incr("n")
	testutil.Must(t, tx.Commit())
	if have := testutil.Must(t, inc); have != 1 {
		t.Fatalf("INCR: %d", have)
	}
}

func TestTxWatchConflict(t *testing.T) {
	c, s, _ := txConn(t, conn.Options{})
	s.abort.Store(true)
	tx := testutil.Must(t, c.Multi("k"))
	inc := tx.Incr("n")
	if _, err := testutil.Wait(t, tx.Commit()); !errors.Is(err, conn.ErrWatch) {
		t.Fatalf("commit: have %v, want ErrWatch", err)
	}
	if _, err := testutil.Wait(t, inc); !errors.Is(err, conn.ErrWatch) {
		t.Fatalf("queued INCR: have %v, want ErrWatch", err)
	}
	if c.Leased() {
		t.Fatal("connection still leased after ErrWatch")
	}
	if got := s.commands(); fmt.Sprint(got[len(got)-4:]) != "[[WATCH k] [MULTI] [INCR n] [EXEC]]" {
		t.Fatalf("server saw %v", got)
	}
}

func TestTxExecAbort(t *testing.T) {
	c, _, _ := txConn(t, conn.Options{})
	tx := testutil.Must(t, c.Multi())
	inc := tx.Incr("n")
	bad := tx.Do("BAD")
	if _, err := testutil.Wait(t, bad); err == nil || errors.Is(err, proto.ErrExecAbort) {
		t.Fatalf("refused command: have %v, want its own server error", err)
	}
	_, err := testutil.Wait(t, tx.Commit())
	var perr *proto.Error
	if !errors.Is(err, proto.ErrExecAbort) || !errors.As(err, &perr) {
		t.Fatalf("commit: have %v, want EXECABORT *proto.Error", err)
	}
	if _, err := testutil.Wait(t, inc); !errors.Is(err, proto.ErrExecAbort) {
		t.Fatalf("queued INCR: have %v, want EXECABORT", err)
	}
	if c.Leased() {
		t.Fatal("connection still leased after EXECABORT")
	}
}

func TestTxErrorInsideExecIsPerCommand(t *testing.T) {
	c, _, _ := txConn(t, conn.Options{})
	tx := testutil.Must(t, c.Multi())
	a := tx.Incr("n")
	b := tx.Incr("str")
	d := tx.Incr("n")
	replies := testutil.Must(t, tx.Commit())
	if len(replies) != 3 || !replies[1].IsError() || replies[0].Int != 1 || replies[2].Int != 2 {
		t.Fatalf("commit: %v", replies)
	}
	var perr *proto.Error
	if _, err := testutil.Wait(t, b); !errors.As(err, &perr) {
		t.Fatalf("INCR str: have %v, want *proto.Error", err)
	}
	if testutil.Must(t, a) != 1 || testutil.Must(t, d) != 2 {
		t.Fatal("the other commands did not get their values")
	}
}

func TestTxDiscard(t *testing.T) {
	c, s, _ := txConn(t, conn.Options{})
	tx := testutil.Must(t, c.Multi())
	inc := tx.Incr("n")
	if have := testutil.Must(t, tx.Discard()); have != "OK" {
		t.Fatalf("discard: %q", have)
	}
	if _, err := testutil.Wait(t, inc); !errors.Is(err, conn.ErrDiscarded) {
		t.Fatalf("queued INCR: have %v, want ErrDiscarded", err)
	}
	if _, err := testutil.Wait(t, tx.Commit()); !errors.Is(err, conn.ErrTxDone) {
		t.Fatalf("commit after discard: have %v, want ErrTxDone", err)
	}
	if _, err := testutil.Wait(t, tx.Discard()); !errors.Is(err, conn.ErrTxDone) {
		t.Fatalf("discard twice: have %v, want ErrTxDone", err)
	}
	if _, err := testutil.Wait(t, tx.Get("a")); !errors.Is(err, conn.ErrTxDone) {
		t.Fatalf("command after discard: have %v, want ErrTxDone", err)
	}
	if _, err := testutil.Wait(t, tx.Multi()); !errors.Is(err, conn.ErrTxDone) {
		t.Fatalf("Multi after discard: have %v, want ErrTxDone", err)
	}
	if c.Leased() {
		t.Fatal("still leased after Discard")
	}
	if got := s.commands(); got[len(got)-1] != "[DISCARD]" {
		t.Fatalf("server saw %v", got)
	}
}

func TestTxWatchThenMulti(t *testing.T) {
	c, s, _ := txConn(t, conn.Options{})
	tx := testutil.Must(t, c.Watch("k"))
	// Before Multi, commands run at once.
	if have := testutil.Must(t, tx.Get("k")); have != "v-k" {
		t.Fatalf("GET under WATCH: %q", have)
	}
	if _, err := testutil.Wait(t, tx.Commit()); !errors.Is(err, conn.ErrNotInMulti) {
		t.Fatalf("Commit before Multi: have %v, want ErrNotInMulti", err)
	}
	testutil.Must(t, tx.Watch("k2"))
	testutil.Must(t, tx.Multi())
	inc := tx.Incr("k")
	testutil.Must(t, tx.Commit())
	if testutil.Must(t, inc) != 1 {
		t.Fatal("INCR")
	}
	want := "[[WATCH k] [GET k] [WATCH k2] [MULTI] [INCR k] [EXEC]]"
	if got := s.commands(); fmt.Sprint(got[len(got)-6:]) != want {
		t.Fatalf("server saw %v, want %s", got, want)
	}
}

func TestTxWatchOnlyEndsWithUnwatch(t *testing.T) {
	for _, end := range []string{"Discard", "Unwatch"} {
		t.Run(end, func(t *testing.T) {
			c, s, _ := txConn(t, conn.Options{})
			tx := testutil.Must(t, c.Watch("k"))
			var d *deferred.Deferred[string]
			if end == "Discard" {
				d = tx.Discard()
			} else {
				d = tx.Unwatch()
			}
			if have := testutil.Must(t, d); have != "OK" {
				t.Fatalf("%s: %q", end, have)
			}
			if c.Leased() {
				t.Fatal("still leased")
			}
			if got := s.commands(); got[len(got)-1] != "[UNWATCH]" {
				t.Fatalf("server saw %v, want UNWATCH last", got)
			}
			if _, err := testutil.Wait(t, tx.Get("k")); !errors.Is(err, conn.ErrTxDone) {
				t.Fatalf("command after %s: have %v, want ErrTxDone", end, err)
			}
		})
	}
}

func TestTxNestedMultiIsServerError(t *testing.T) {
	c, _, _ := txConn(t, conn.Options{})
	tx := testutil.Must(t, c.Multi())
	a := tx.Incr("n")
	_, err := testutil.Wait(t, tx.Multi())
	var perr *proto.Error
	if !errors.As(err, &perr) {
		t.Fatalf("nested MULTI: have %v, want a server error", err)
	}
	if _, err := testutil.Wait(t, tx.Watch("k")); !errors.As(err, &perr) {
		t.Fatalf("WATCH inside MULTI: have %v, want a server error", err)
	}
	b := tx.Incr("n")
	testutil.Must(t, tx.Commit())
	if testutil.Must(t, a) != 1 || testutil.Must(t, b) != 2 {
		t.Fatal("the transaction did not survive a nested MULTI")
	}
}

func TestTxRefusesControlCommands(t *testing.T) {
	c, _, _ := txConn(t, conn.Options{})
	tx := testutil.Must(t, c.Multi())
	for _, name := range []string{"EXEC", "discard", "MULTI", "RESET", "QUIT"} {
		if _, err := testutil.Wait(t, tx.Do(name)); !errors.Is(err, conn.ErrBadArgs) {
			t.Fatalf("Do(%s) on a Tx: have %v, want ErrBadArgs", name, err)
		}
		if _, err := testutil.Wait(t, tx.WithContext(context.Background()).Do(name)); !errors.Is(err, conn.ErrBadArgs) {
			t.Fatalf("Do(%s) on a Tx's context view: have %v, want ErrBadArgs", name, err)
		}
	}
	inc := tx.Incr("n")
	testutil.Must(t, tx.Commit())
	testutil.Must(t, inc)
}

func TestTxNeedsALeaser(t *testing.T) {
	c, _, _ := txConn(t, conn.Options{})
	tx := testutil.Must(t, c.Multi())
	defer tx.Discard()
	if _, err := testutil.Wait(t, tx.Commands.Multi()); !errors.Is(err, conn.ErrNoLease) {
		t.Fatalf("Multi through a Tx's command set: have %v, want ErrNoLease", err)
	}
	p := c.Pipeline()
	if _, err := testutil.Wait(t, p.Multi()); !errors.Is(err, conn.ErrNoLease) {
		t.Fatalf("Multi on a Pipeline: have %v, want ErrNoLease", err)
	}
	if _, err := testutil.Wait(t, p.Watch("k")); !errors.Is(err, conn.ErrNoLease) {
		t.Fatalf("Watch on a Pipeline: have %v, want ErrNoLease", err)
	}
	if _, err := testutil.Wait(t, c.Watch()); !errors.Is(err, conn.ErrBadArgs) {
		t.Fatalf("Watch without keys: have %v, want ErrBadArgs", err)
	}
}

func TestTxLostConnection(t *testing.T) {
	c, _, srv := txConn(t, conn.Options{})
	tx := testutil.Must(t, c.Multi())
	inc := tx.Incr("n")
	srv.CloseAll()
	if _, err := testutil.Wait(t, tx.Commit()); !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("commit on a lost connection: have %v, want a ConnectionError", err)
	}
	if _, err := testutil.Wait(t, inc); !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("queued INCR: have %v, want a ConnectionError", err)
	}
	if c.Leased() {
		t.Fatal("lease not released after the connection was lost")
	}
	if _, err := testutil.Wait(t, tx.Get("x")); !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("command on the broken Tx: have %v, want the ConnectionError", err)
	}
	testutil.Eventually(t, func() error {
		_, err := testutil.Wait(t, c.Get("x"))
		return err
	})
}

// Commands sent concurrently with Commit are either in the transaction
// or fail with ErrTxDone: none reaches the wire after EXEC.
func TestTxCommitWaitsForConcurrentSends(t *testing.T) {
	c, s, _ := txConn(t, conn.Options{})
	for round := 0; round < 20; round++ {
		tx := testutil.Must(t, c.Multi())
		var wg sync.WaitGroup
		results := make(chan *deferred.Deferred[int64], 400)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 100; i++ {
					results <- tx.Incr("late")
				}
			}()
		}
		commit := tx.Commit()
		wg.Wait()
		close(results)
		replies := testutil.Must(t, commit)
		inTx := 0
		for d := range results {
			_, err := testutil.Wait(t, d)
			switch {
			case err == nil:
				inTx++
			case !errors.Is(err, conn.ErrTxDone):
				t.Fatalf("round %d: INCR: %v", round, err)
			}
		}
		if inTx != len(replies) {
			t.Fatalf("round %d: %d commands succeeded, EXEC ran %d", round, inTx, len(replies))
		}
	}
	if v := s.violations(); len(v) > 0 {
		t.Fatal(v[0])
	}
}

func TestTxCancelledMultiReleases(t *testing.T) {
	release := make(chan struct{})
	s := &txServer{}
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		if len(s.commands()) == 0 {
			<-release // hold the first reply back: the WATCH/MULTI batch
		}
		s.serve(p)
	}, conn.Options{})
	d := c.Multi("k")
	d.Cancel()
	close(release)
	if _, err := testutil.Wait(t, d); !errors.Is(err, deferred.ErrCancelled) {
		t.Fatalf("cancelled Multi: have %v", err)
	}
	testutil.Eventually(t, func() error {
		if c.Leased() {
			return errors.New("still leased")
		}
		got := s.commands()
		if len(got) == 0 || got[len(got)-1] != "[DISCARD]" {
			return fmt.Errorf("server saw %v, want DISCARD last", got)
		}
		return nil
	})
}

func BenchmarkTxCommit(b *testing.B) {
	s := &txServer{}
	c, _ := fakeConn(b, s.serve, conn.Options{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tx := testutil.Must(b, c.Multi())
		for j := 0; j < 4; j++ {
			tx.Incr(strconv.Itoa(j))
		}
		testutil.Must(b, tx.Commit())
	}
}

// Inside MULTI the server answers each command QUEUED (or an error when
// it refuses it). Any other reply there is a corrupted stream, not the
// command's result (issue 14, item 7: a corrupted "+QUEUED" resolved the
// queued command at once): the connection fails with a protocol error,
// and the command and the commit fail with it.
func TestCorruptedQueuedFailsTheConnection(t *testing.T) {
	for _, reply := range []string{"+QUEUEX\r\n", ":1\r\n", "$6\r\nQUEUED\r\n", "*0\r\n"} {
		t.Run(reply, func(t *testing.T) {
			var first sync.Once
			c, _ := fakeConn(t, func(p *fakeserver.Peer) {
				corrupt := false
				first.Do(func() { corrupt = true })
				if !corrupt {
					p.Serve(fakeserver.Echo)
					return
				}
				p.ReadCommand() // MULTI
				p.Send("+OK\r\n")
				p.ReadCommand() // SET
				p.Send(reply)
				p.ReadCommand() // EXEC
				p.Send("*1\r\n+OK\r\n")
				io.Copy(io.Discard, p)
			}, conn.Options{})
			tx := testutil.Must(t, c.Multi())
			set := tx.Set("k", "v")
			_, err := testutil.Wait(t, set)
			if !errors.Is(err, proto.ErrProtocol) || !errors.Is(err, conn.ErrConnection) {
				t.Fatalf("queued SET answered %q: have %v, want a protocol error that breaks the connection", reply, err)
			}
			if _, err := testutil.Wait(t, tx.Commit()); !errors.Is(err, conn.ErrConnection) {
				t.Fatalf("commit after a corrupted QUEUED: have %v, want a connection error", err)
			}
			// The connection is redialled and works.
			testutil.Eventually(t, func() error {
				_, err := testutil.Wait(t, c.Get("after"))
				return err
			})
		})
	}
}

// A Tx from Watch runs commands at once before Multi: their replies are
// results, not QUEUED, and pass through; after a MULTI the server
// refused, the commands sent behind it ran at once too.
func TestRepliesBeforeMultiAreResults(t *testing.T) {
	s := &txServer{}
	c, _ := fakeConn(t, s.serve, conn.Options{})
	tx := testutil.Must(t, c.Watch("w"))
	if have := testutil.Must(t, tx.Get("a")); have != "v-a" {
		t.Fatalf("GET under WATCH: %q", have)
	}
	testutil.Must(t, tx.Discard())

	refusing, _ := fakeConn(t, func(p *fakeserver.Peer) {
		p.Serve(func(args []string) proto.Value {
			if args[0] == "MULTI" {
				return proto.ErrorValue("NOPERM this user has no permissions to run the 'multi' command")
			}
			return fakeserver.Echo(args)
		})
	}, conn.Options{})
	tx = testutil.Must(t, refusing.Watch("w"))
	multi := tx.Multi()
	behind := tx.Get("a") // sent after MULTI, before its refusal arrived
	if _, err := testutil.Wait(t, multi); err == nil {
		t.Fatal("refused MULTI succeeded")
	}
	if have, err := testutil.Wait(t, behind); err != nil || have != "a" {
		t.Fatalf("command behind a refused MULTI: have %q, %v; want its result", have, err)
	}
	testutil.Must(t, tx.Discard())
}
