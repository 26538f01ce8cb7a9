package txn_test

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/txn"
)

// Ported from txredisapi's test_transactions and its README example.
func TestMultiCommit(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		testutil.Must(t, h.rc.Set("foo", "bar"))
		tx := testutil.Must(t, h.rc.Multi())
		s1 := tx.Set("a1", "1")
		tx.Set("a2", "2")
		tx.Set("a3", "3")
		n := tx.Incr("a3")
		g := tx.Get("a1")

		// Commands on the handle during the transaction: they run outside
		// it on a pool, and fail on a single connection.
		foo, err := testutil.Wait(t, h.rc.Get("foo"))
		if h.p != nil && (err != nil || foo != "bar") {
			t.Fatalf("GET on the pool during a transaction: %q, %v", foo, err)
		}
		if h.c != nil && !errors.Is(err, conn.ErrLeased) {
			t.Fatalf("GET on the leased conn: have %v, want ErrLeased", err)
		}

		replies := testutil.Must(t, tx.Commit())
		want := `[OK OK OK (integer) 4 "1"]`
		if fmt.Sprint(replies) != want {
			t.Fatalf("commit: have %v, want %s", replies, want)
		}
		if testutil.Must(t, s1) != "OK" || testutil.Must(t, n) != 4 || testutil.Must(t, g) != "1" {
			t.Fatal("queued Deferreds did not fire with their results")
		}
		if have := testutil.Must(t, h.rc.Get("a3")); have != "4" {
			t.Fatalf("a3 after commit: %q", have)
		}
		if _, err := testutil.Wait(t, tx.Commit()); !errors.Is(err, txn.ErrTxDone) {
			t.Fatalf("second commit: have %v, want ErrTxDone", err)
		}
	})
}

// Ported from txredisapi's test_watch.
func TestWatchConflict(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		testutil.Must(t, h.rc.Set("txwatch", "0"))
		tx := testutil.Must(t, h.rc.Watch("txwatch"))
		if have := testutil.Must(t, tx.Get("txwatch")); have != "0" {
			t.Fatalf("GET under WATCH: %q", have)
		}
		testutil.Must(t, h.other.Set("txwatch", "1")) // another client writes
		testutil.Must(t, tx.Multi())
		set := tx.Set("txwatch", "2")
		if _, err := testutil.Wait(t, tx.Commit()); !errors.Is(err, txn.ErrWatch) {
			t.Fatalf("commit after a concurrent write: have %v, want ErrWatch", err)
		}
		if _, err := testutil.Wait(t, set); !errors.Is(err, txn.ErrWatch) {
			t.Fatalf("queued SET: have %v, want ErrWatch", err)
		}
		if have := testutil.Must(t, h.other.Get("txwatch")); have != "1" {
			t.Fatalf("value after the aborted transaction: %q", have)
		}

		// Untouched: watch, multi, commit succeeds.
		tx = testutil.Must(t, h.rc.Watch("txwatch"))
		testutil.Must(t, tx.Multi())
		set = tx.Set("txwatch", "3")
		testutil.Must(t, tx.Commit())
		if testutil.Must(t, set) != "OK" || testutil.Must(t, h.other.Get("txwatch")) != "3" {
			t.Fatal("untouched watched transaction did not run")
		}

		// Multi with keys watches them too.
		tx = testutil.Must(t, h.rc.Multi("txwatch"))
		testutil.Must(t, h.other.Set("txwatch", "4"))
		tx.Set("txwatch", "5")
		if _, err := testutil.Wait(t, tx.Commit()); !errors.Is(err, txn.ErrWatch) {
			t.Fatalf("Multi(keys) after a concurrent write: have %v, want ErrWatch", err)
		}
	})
}

// A connection handed back after a watch-only Tx no longer watches.
func TestReleasedConnectionIsClean(t *testing.T) {
	srv := testserver.Start(t)
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr()}))
	other := testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr()}))
	t.Cleanup(func() { c.Disconnect(); other.Disconnect() })

	tx := testutil.Must(t, c.Watch("k"))
	testutil.Must(t, tx.Discard()) // UNWATCH, release
	testutil.Must(t, other.Set("k", "changed"))
	tx = testutil.Must(t, c.Multi())
	tx.Set("k", "mine")
	if _, err := testutil.Wait(t, tx.Commit()); err != nil {
		t.Fatalf("commit on a released connection still watching: %v", err)
	}

	tx = testutil.Must(t, c.Watch("k"))
	testutil.Must(t, tx.Unwatch())
	testutil.Must(t, other.Set("k", "changed again"))
	tx = testutil.Must(t, c.Multi())
	tx.Set("k", "mine")
	if _, err := testutil.Wait(t, tx.Commit()); err != nil {
		t.Fatalf("commit after Unwatch: %v", err)
	}
}

func TestPoolTransactionsTakeDistinctConnections(t *testing.T) {
	srv := testserver.Start(t)
	h := handles(t, srv)[1]
	tx1 := testutil.Must(t, h.rc.Watch("a"))
	tx2 := testutil.Must(t, h.rc.Watch("b"))
	id1 := testutil.Must(t, tx1.Do("CLIENT", "ID"))
	id2 := testutil.Must(t, tx2.Do("CLIENT", "ID"))
	if id1.Int == id2.Int {
		t.Fatalf("two transactions share connection %d", id1.Int)
	}
	// The pool still answers ordinary commands, on yet other connections.
	id3 := testutil.Must(t, h.rc.Do("CLIENT", "ID"))
	if id3.Int == id1.Int || id3.Int == id2.Int {
		t.Fatalf("an ordinary command ran on a leased connection (%d)", id3.Int)
	}
	testutil.Must(t, tx1.Discard())
	testutil.Must(t, tx2.Discard())
	if h.p.Stats().Leased != 0 {
		t.Fatalf("leases held after Discard: %+v", h.p.Stats())
	}
}

func TestDiscard(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		tx := testutil.Must(t, h.rc.Multi())
		set := tx.Set("discarded", "1")
		if have := testutil.Must(t, tx.Discard()); have != "OK" {
			t.Fatalf("discard: %q", have)
		}
		if _, err := testutil.Wait(t, set); !errors.Is(err, txn.ErrDiscarded) {
			t.Fatalf("queued SET: have %v, want ErrDiscarded", err)
		}
		if _, err := testutil.Wait(t, tx.Commit()); !errors.Is(err, txn.ErrTxDone) {
			t.Fatalf("commit after discard: have %v, want ErrTxDone", err)
		}
		if _, err := testutil.Wait(t, h.rc.Get("discarded")); !errors.Is(err, proto.ErrNil) {
			t.Fatalf("discarded SET ran: %v", err)
		}
	})
}

func TestNestedMultiIsServerError(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		tx := testutil.Must(t, h.rc.Multi())
		a := tx.Incr("nested")
		_, err := testutil.Wait(t, tx.Multi())
		var perr *proto.Error
		if !errors.As(err, &perr) {
			t.Fatalf("MULTI inside MULTI: have %v, want a server error", err)
		}
		b := tx.Incr("nested")
		testutil.Must(t, tx.Commit())
		if testutil.Must(t, a) != 1 || testutil.Must(t, b) != 2 {
			t.Fatal("the transaction did not survive a nested MULTI")
		}
	})
}

func TestExecAbort(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		tx := testutil.Must(t, h.rc.Multi())
		set := tx.Set("aborted", "1")
		bad := tx.Do("NOSUCHCOMMAND", "x")
		var perr *proto.Error
		if _, err := testutil.Wait(t, bad); !errors.As(err, &perr) {
			t.Fatalf("unknown command in MULTI: have %v, want its server error", err)
		}
		_, err := testutil.Wait(t, tx.Commit())
		if !errors.Is(err, proto.ErrExecAbort) || !errors.As(err, &perr) {
			t.Fatalf("commit: have %v, want EXECABORT", err)
		}
		if _, err := testutil.Wait(t, set); !errors.Is(err, proto.ErrExecAbort) {
			t.Fatalf("queued SET: have %v, want EXECABORT", err)
		}
		if _, err := testutil.Wait(t, h.rc.Get("aborted")); !errors.Is(err, proto.ErrNil) {
			t.Fatalf("aborted SET ran: %v", err)
		}
	})
}

func TestErrorInsideExecIsPerCommand(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		testutil.Must(t, h.rc.Set("s", "text"))
		tx := testutil.Must(t, h.rc.Multi())
		bad := tx.Incr("s")
		good := tx.Incr("n")
		replies := testutil.Must(t, tx.Commit())
		if len(replies) != 2 || !replies[0].IsError() || replies[1].Int != 1 {
			t.Fatalf("commit: %v", replies)
		}
		var perr *proto.Error
		if _, err := testutil.Wait(t, bad); !errors.As(err, &perr) {
			t.Fatalf("INCR on a string: have %v, want *proto.Error", err)
		}
		if testutil.Must(t, good) != 1 {
			t.Fatal("the other command did not run")
		}
	})
}

func TestKilledMidTransaction(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		tx := testutil.Must(t, h.rc.Watch("k"))
		id := testutil.Must(t, tx.Do("CLIENT", "ID")) // runs at once: not in MULTI yet
		testutil.Must(t, tx.Multi())
		inc := tx.Incr("k")
		testutil.Must(t, h.other.Do("CLIENT", "KILL", "ID", strconv.FormatInt(id.Int, 10)))
		if _, err := testutil.Wait(t, tx.Commit()); !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("commit on a killed connection: have %v, want a ConnectionError", err)
		}
		if _, err := testutil.Wait(t, inc); !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("queued INCR: have %v, want a ConnectionError", err)
		}
		if _, err := testutil.Wait(t, h.other.Get("k")); !errors.Is(err, proto.ErrNil) {
			t.Fatalf("the killed transaction ran: %v", err)
		}
		// The lease is released (checked by each) and the handle recovers.
		testutil.Eventually(t, func() error {
			tx, err := testutil.Wait(t, h.rc.Multi())
			if err != nil {
				return err
			}
			inc := tx.Incr("k")
			if _, err := testutil.Wait(t, tx.Commit()); err != nil {
				return err
			}
			_, err = testutil.Wait(t, inc)
			return err
		})
	})
}
