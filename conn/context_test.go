package conn_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// holdServer holds its replies until release is closed, then echoes;
// it counts the commands it read.
func holdServer(release <-chan struct{}, seen *atomic.Int64) func(*fakeserver.Peer) {
	return func(p *fakeserver.Peer) {
		var pending [][]string
		got := make(chan []string)
		go func() {
			defer close(got)
			for {
				args, err := p.ReadCommand()
				if err != nil {
					return
				}
				seen.Add(1)
				got <- args
			}
		}()
		for {
			select {
			case args, ok := <-got:
				if !ok {
					return
				}
				pending = append(pending, args)
				continue
			case <-release:
			}
			for _, args := range pending {
				if p.Reply(fakeserver.Echo(args)) != nil {
					return
				}
			}
			for args := range got {
				if p.Reply(fakeserver.Echo(args)) != nil {
					return
				}
			}
			return
		}
	}
}

// A request handler whose context times out: the commands it issued
// fail with the context's error, and the connection stays in step —
// their late replies are dropped and the next commands get their own.
func TestRequestHandlerTimeoutCancelsItsCommands(t *testing.T) {
	release := make(chan struct{})
	var seen atomic.Int64
	c, _ := fakeConn(t, holdServer(release, &seen), conn.Options{})

	var getErr, setErr, lateErr error
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 50*time.Millisecond)
		defer cancel()
		rc := c.WithContext(ctx)
		get, set := rc.Get("a"), rc.Set("b", "x")
		_, getErr = get.Wait(context.Background()) // fires when ctx ends, not when the server answers
		_, setErr = set.Wait(context.Background())
		_, lateErr = rc.Get("late").Wait(context.Background())
		if getErr != nil {
			http.Error(w, getErr.Error(), http.StatusGatewayTimeout)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	rec := httptest.NewRecorder()
	start := time.Now()
	handler.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusGatewayTimeout {
		t.Fatalf("handler answered %d, want 504", rec.Code)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("handler took %v: its commands were not cancelled by its context", took)
	}
	for name, err := range map[string]error{"GET": getErr, "SET": setErr, "GET after the deadline": lateErr} {
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, deferred.ErrCancelled) {
			t.Errorf("%s: have %v, want an error matching context.DeadlineExceeded and deferred.ErrCancelled", name, err)
		}
	}
	// The two commands sent before the deadline were on the wire; the one
	// sent after it was not sent at all.
	testutil.Eventually(t, func() error {
		if n := seen.Load(); n != 2 {
			return fmt.Errorf("the server read %d commands, want the handler's 2", n)
		}
		return nil
	})
	if c.Pending() != 2 {
		t.Fatalf("pending replies: have %d, want 2 (cancelled commands still await their replies)", c.Pending())
	}

	close(release) // the late replies "a" and "x" arrive now and must be dropped
	for _, k := range []string{"c", "d", "e"} {
		if have := testutil.Must(t, c.Get(k)); have != k {
			t.Fatalf("GET %s after the cancelled commands: have %q (replies out of step)", k, have)
		}
	}
	if c.Pending() != 0 {
		t.Fatalf("pending after the late replies: %d", c.Pending())
	}
	if seen.Load() != 5 {
		t.Fatalf("server read %d commands, want 5 (the one sent after the deadline must not be sent)", seen.Load())
	}
}

func TestWithContextCancelledBeforeSendingSendsNothing(t *testing.T) {
	var seen atomic.Int64
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		p.Serve(func(args []string) proto.Value { seen.Add(1); return fakeserver.Echo(args) })
	}, conn.Options{})
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("client went away")
	cancel(cause)
	rc := c.WithContext(ctx)
	_, err := testutil.Wait(t, rc.Get("a"))
	if !errors.Is(err, context.Canceled) || !errors.Is(err, cause) || !errors.Is(err, deferred.ErrCancelled) {
		t.Fatalf("have %v, want context.Canceled with its cause", err)
	}
	p := rc.Pipeline()
	p.Get("b")
	if _, err := testutil.Wait(t, p.Execute()); !errors.Is(err, context.Canceled) {
		t.Fatalf("pipeline through an ended view: %v", err)
	}
	if have := testutil.Must(t, c.Get("c")); have != "c" || seen.Load() != 1 {
		t.Fatalf("have %q after %d commands, want only the last one sent", have, seen.Load())
	}
}

func TestWithContextBackgroundCommandsRunAsUsual(t *testing.T) {
	c, _ := fakeConn(t, echoServer, conn.Options{})
	rc := c.WithContext(context.Background())
	if have := testutil.Must(t, rc.Get("a")); have != "a" {
		t.Fatalf("have %q", have)
	}
	vals := testutil.Must(t, func() *deferred.Deferred[[]proto.Value] {
		p := rc.Pipeline()
		p.Get("x")
		p.Get("y")
		return p.Execute()
	}())
	if len(vals) != 2 || vals[1].Str != "y" {
		t.Fatalf("pipeline: %v", vals)
	}
}

// A view registers on its context only while commands are pending, so
// views made over a long-lived context hold nothing once answered.
func TestWithContextHoldsNothingOnceAnswered(t *testing.T) {
	release := make(chan struct{})
	var seen atomic.Int64
	c, _ := fakeConn(t, holdServer(release, &seen), conn.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rc := c.WithContext(ctx)
	ds := make([]*deferred.Deferred[string], 100)
	for i := range ds {
		ds[i] = rc.Get("k")
	}
	if live, reg := conn.ViewState(rc); live != 100 || !reg {
		t.Fatalf("while pending: %d tracked, registered %v", live, reg)
	}
	close(release)
	for _, d := range ds {
		testutil.Must(t, d)
	}
	testutil.Eventually(t, func() error {
		if live, reg := conn.ViewState(rc); live != 0 || reg {
			return fmt.Errorf("the view still tracks %d commands, registered %v", live, reg)
		}
		return nil
	})
	// The view keeps working, and cancels again once the context ends.
	if have := testutil.Must(t, rc.Get("again")); have != "again" {
		t.Fatalf("have %q", have)
	}
	cancel()
	if _, err := testutil.Wait(t, rc.Get("after")); !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: %v", err)
	}
}

// Many goroutines share one view while its context ends: every Deferred
// fires exactly once, with its reply or the context's error, and the
// connection stays in step.
func TestWithContextConcurrentCancel(t *testing.T) {
	c, _ := fakeConn(t, echoServer, conn.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	rc := c.WithContext(ctx)
	var wg sync.WaitGroup
	var bad atomic.Int64
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				have, err := rc.Get("v").Wait(context.Background())
				switch {
				case err == nil && have == "v":
				case errors.Is(err, context.Canceled):
				default:
					bad.Add(1)
				}
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	cancel()
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d commands ended with neither their reply nor the context's error", bad.Load())
	}
	if have := testutil.Must(t, c.Get("after")); have != "after" {
		t.Fatalf("after: %q", have)
	}
}

func TestWithContextTransactionLeasesUnderItsContext(t *testing.T) {
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		p.Serve(func(args []string) proto.Value {
			switch args[0] {
			case "MULTI":
				return proto.SimpleValue("OK")
			case "EXEC":
				return proto.ArrayValue(proto.IntValue(1))
			}
			return proto.SimpleValue("QUEUED")
		})
	}, conn.Options{})
	ctx := context.WithValue(context.Background(), ctxKey{}, "req-1")
	tx := testutil.Must(t, c.WithContext(ctx).Multi())
	n := tx.Incr("n")
	testutil.Must(t, tx.Commit())
	if have := testutil.Must(t, n); have != 1 {
		t.Fatalf("INCR in the transaction: %d", have)
	}
	// A Tx and a Pipeline offer WithContext too: a view of a Tx cannot
	// lease another connection.
	if _, err := testutil.Wait(t, tx.WithContext(ctx).Multi()); !errors.Is(err, conn.ErrNoLease) {
		t.Fatalf("Multi on a view of a Tx: %v", err)
	}
}

type ctxKey struct{}
