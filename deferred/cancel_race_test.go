package deferred

import (
	"runtime"
	"sync"
	"testing"
)

// TestConcurrentCancelReachesParent: two Cancels of a derived Deferred
// racing each other both return with the parent cancelled. A second
// Cancel that found the first in progress used to fail the child at
// once, and the first then stopped walking up, leaving the parent
// pending.
func TestConcurrentCancelReachesParent(t *testing.T) {
	tries := 4000
	if testing.Short() {
		tries = 1000
	}
	for i := range tries {
		parent := New[int](nil)
		child := parent.Then(func(v int) (int, error) { return v, nil })
		if i%2 == 1 {
			// A canceller that yields widens the window in which the
			// second Cancel finds the first in progress.
			child.SetCanceller(func(*Deferred[int]) { runtime.Gosched() })
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 2 {
			spawn(&wg, func() {
				<-start
				child.Cancel()
			})
		}
		close(start)
		wg.Wait()
		if !parent.Fired() {
			t.Fatalf("try %d: two concurrent Cancels left the parent pending", i)
		}
		checkResult(t, parent, 0, ErrCancelled)
		checkResult(t, child, 0, ErrCancelled)
	}
}
