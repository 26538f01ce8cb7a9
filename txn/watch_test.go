package txn_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/txn"
)

// incrBy returns a Watch function that reads key and writes key+1, and
// makes another client write key during the first `conflicts` attempts.
func incrBy(t *testing.T, h handle, key string, conflicts int, calls *atomic.Int64) func(tx *txn.Tx) error {
	return func(tx *txn.Tx) error {
		call := calls.Add(1)
		s, err := testutil.Wait(t, tx.Get(key))
		if err != nil && !errors.Is(err, proto.ErrNil) {
			return err
		}
		n, _ := strconv.Atoi(s)
		if call <= int64(conflicts) {
			testutil.Must(t, h.other.Incr(key)) // someone else wins the race
		}
		tx.Multi()
		tx.Set(key, strconv.Itoa(n+1))
		return nil
	}
}

func TestWatchHelperRetries(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		ctx := context.Background()
		var calls atomic.Int64
		err := txn.Watch(ctx, h.rc, []string{"w"}, incrBy(t, h, "w", 2, &calls))
		if err != nil {
			t.Fatalf("Watch: %v", err)
		}
		if calls.Load() != 3 {
			t.Fatalf("attempts: have %d, want 3 (two conflicts, then success)", calls.Load())
		}
		// Two increments from the other client, then ours on top.
		if have := testutil.Must(t, h.rc.Get("w")); have != "3" {
			t.Fatalf("w: have %q, want 3", have)
		}
	})
}

func TestWatchHelperGivesUp(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		ctx := context.Background()
		var calls atomic.Int64
		err := txn.Watch(ctx, h.rc, []string{"w"}, incrBy(t, h, "w", 100, &calls), txn.MaxAttempts(4))
		if !errors.Is(err, txn.ErrWatch) {
			t.Fatalf("Watch: have %v, want ErrWatch", err)
		}
		if calls.Load() != 4 {
			t.Fatalf("attempts: have %d, want 4", calls.Load())
		}
		calls.Store(0)
		err = txn.Watch(ctx, h.rc, []string{"w"}, incrBy(t, h, "w", 100, &calls))
		if !errors.Is(err, txn.ErrWatch) || calls.Load() != txn.DefaultMaxAttempts {
			t.Fatalf("default limit: have %v after %d attempts", err, calls.Load())
		}
	})
}

func TestWatchHelperEndings(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		ctx := context.Background()
		mine := errors.New("mine")
		if err := txn.Watch(ctx, h.rc, []string{"w"}, func(tx *txn.Tx) error { return mine }); !errors.Is(err, mine) {
			t.Fatalf("fn error: have %v", err)
		}
		// Nothing to write: no MULTI, UNWATCH, nil.
		if err := txn.Watch(ctx, h.rc, []string{"w"}, func(tx *txn.Tx) error { return nil }); err != nil {
			t.Fatalf("fn without Multi: %v", err)
		}
		// fn commits itself.
		var replies []proto.Value
		err := txn.Watch(ctx, h.rc, []string{"w"}, func(tx *txn.Tx) error {
			testutil.Must(t, tx.Multi())
			tx.Set("w", "self")
			var err error
			replies, err = testutil.Wait(t, tx.Commit())
			return err
		})
		if err != nil || len(replies) != 1 || testutil.Must(t, h.rc.Get("w")) != "self" {
			t.Fatalf("fn committing itself: %v, %v", err, replies)
		}
		// fn discards after Multi.
		err = txn.Watch(ctx, h.rc, []string{"w"}, func(tx *txn.Tx) error {
			tx.Multi()
			tx.Set("w", "discarded")
			return mine
		})
		if !errors.Is(err, mine) || testutil.Must(t, h.rc.Get("w")) != "self" {
			t.Fatalf("fn error after Multi: %v", err)
		}
		// A handle that cannot lend a connection.
		if err := txn.Watch(ctx, h.rc.Pipeline(), []string{"w"}, func(tx *txn.Tx) error { return nil }); !errors.Is(err, txn.ErrNoLease) {
			t.Fatalf("Watch on a Pipeline: have %v, want ErrNoLease", err)
		}
	})
}

func TestWatchHelperConcurrentIncrements(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		if h.c != nil {
			t.Skip("a single connection runs one transaction at a time (ErrLeased)")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		const workers, each = 4, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for g := 0; g < workers; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					errs <- txn.Watch(ctx, h.rc, []string{"c"}, func(tx *txn.Tx) error {
						s, err := tx.Get("c").Wait(ctx)
						if err != nil && !errors.Is(err, proto.ErrNil) {
							return err
						}
						n, _ := strconv.Atoi(s)
						tx.Multi()
						tx.Set("c", strconv.Itoa(n+1))
						return nil
					}, txn.MaxAttempts(1000))
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if have := testutil.Must(t, h.rc.Get("c")); have != strconv.Itoa(workers*each) {
			t.Fatalf("c: have %s, want %d: an increment was lost", have, workers*each)
		}
	})
}

func TestPipelineRealServer(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		p := h.rc.Pipeline()
		var order []int // appended on one reader goroutine: the batch goes to one connection
		var ds []*deferred.Deferred[int64]
		for i := 0; i < 50; i++ {
			i := i
			d := p.Incr("p")
			d.Observe(func(int64, error) { order = append(order, i) })
			ds = append(ds, d)
		}
		bad := p.Do("NOSUCHCOMMAND")
		if _, err := testutil.Wait(t, h.rc.Get("p")); !errors.Is(err, proto.ErrNil) {
			t.Fatalf("a pipelined command ran before Execute: %v", err)
		}
		replies := testutil.Must(t, p.Execute())
		if len(replies) != 51 || !replies[50].IsError() {
			t.Fatalf("replies: %d, last %v", len(replies), replies[len(replies)-1])
		}
		for i, d := range ds {
			if have := testutil.Must(t, d); have != int64(i+1) {
				t.Fatalf("INCR %d: have %d", i, have)
			}
		}
		var perr *proto.Error
		if _, err := testutil.Wait(t, bad); !errors.As(err, &perr) {
			t.Fatalf("unknown command: have %v, want *proto.Error", err)
		}
		for i, v := range order {
			if v != i {
				t.Fatalf("Deferreds fired out of order: %v", order)
			}
		}
		if _, err := testutil.Wait(t, p.Execute()); !errors.Is(err, txn.ErrTxDone) {
			t.Fatalf("second Execute: have %v, want ErrTxDone", err)
		}
	})
}

// fn may commit without waiting and return nil: the helper still learns
// the commit's outcome (tx.Done) and retries when a watched key changed.
func TestWatchHelperFnCommitsWithoutWaiting(t *testing.T) {
	each(t, func(t *testing.T, h handle) {
		ctx := context.Background()
		calls := 0
		err := txn.Watch(ctx, h.rc, []string{"nw"}, func(tx *txn.Tx) error {
			calls++
			if calls == 1 {
				testutil.Must(t, h.other.Set("nw", "other")) // the watched key changes
			}
			tx.Multi()
			tx.Set("nw", "mine")
			tx.Commit() // not waited for
			return nil
		})
		if err != nil || calls != 2 {
			t.Fatalf("have %v after %d calls; want success on the second call", err, calls)
		}
		if have := testutil.Must(t, h.rc.Get("nw")); have != "mine" {
			t.Fatalf("nw = %q, want mine", have)
		}
	})
}
