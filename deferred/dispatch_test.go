package deferred

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/txredis/txredis/internal/goroutine"
)

// On a dispatcher goroutine, Wait on a Deferred that has not fired fails
// at once, and loudly, instead of blocking the dispatcher for good.
func TestWaitOnDispatcher(t *testing.T) {
	if !goroutine.Supported() {
		t.Skip("goroutines cannot be told apart on this platform")
	}
	reports := captureReports(t)
	reply := New[int](nil)      // what the dispatcher would deliver next
	trigger := New[string](nil) // delivered by the dispatcher now
	got := make(chan error, 3)
	trigger.Observe(func(string, error) {
		_, err := reply.Wait(context.Background())
		got <- err
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		_, err = reply.Wait(ctx)
		got <- err
		// A Deferred that has fired is fine: Wait does not block.
		_, err = Succeed(1).Wait(context.Background())
		got <- err
	})
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		defer MarkDispatcher()()
		trigger.Callback("reply")
	}()
	select {
	case <-dispatched:
	case <-time.After(10 * time.Second):
		t.Fatal("Wait blocked the dispatcher")
	}
	for i, want := range []error{ErrWaitOnDispatcher, ErrWaitOnDispatcher, nil} {
		if err := <-got; !errors.Is(err, want) || (want == nil && err != nil) {
			t.Fatalf("Wait %d: have %v, want %v", i, err, want)
		}
	}
	if rs := reports(); len(rs) != 2 || !errors.Is(rs[0], ErrWaitOnDispatcher) {
		t.Fatalf("reported %v, want the two refused Waits", rs)
	}
	checkPending(t, reply) // left alone
}

// Other goroutines, including those a dispatcher starts, and the
// dispatcher itself once unmarked, wait as usual.
func TestWaitOffDispatcher(t *testing.T) {
	d := New[int](nil)
	unmark := MarkDispatcher()
	errs := make(chan error, 1)
	go func() {
		_, err := d.Wait(context.Background())
		errs <- err
	}()
	unmark()
	go func() {
		time.Sleep(time.Millisecond)
		d.Callback(1)
	}()
	if v, err := d.Wait(context.Background()); v != 1 || err != nil {
		t.Fatalf("Wait after unmark: have (%v, %v)", v, err)
	}
	if err := <-errs; err != nil {
		t.Fatalf("Wait on a goroutine started by a dispatcher: %v", err)
	}
	if dispatchers.Load() != 0 {
		t.Fatalf("%d dispatchers left marked", dispatchers.Load())
	}
}
