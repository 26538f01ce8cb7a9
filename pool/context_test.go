package pool_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
)

// A blocking command sent through a context view while every lease is
// held stops waiting for one when its context ends, not LeaseTimeout
// later, and leaves no waiter behind.
func TestBlockingCommandStopsWaitingForALeaseWhenItsContextEnds(t *testing.T) {
	m := testserver.Mini(t)
	o := opts(m.Addr(), 2)
	o.MaxExclusive = 1
	o.LeaseTimeout = time.Minute
	p := connectPool(t, o)
	tx := testutil.Must(t, p.Multi()) // holds the only lease
	defer func() { testutil.Must(t, tx.Discard()) }()

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := testutil.Wait(t, p.WithContext(ctx).BLPop(time.Second, "q"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("BLPOP: %v, want the context's error", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("BLPOP waited %v", took)
	}
	testutil.Eventually(t, func() error {
		if s := p.Stats(); s.Waiting != 0 || s.Leased != 1 {
			return fmt.Errorf("after the context ended: %+v", s)
		}
		return nil
	})
}
