package coalesce

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// owner is the state a Runner shares with the type that uses it.
type owner struct {
	mu   sync.Mutex
	wg   sync.WaitGroup
	done chan struct{}
}

func newOwner() *owner { return &owner{done: make(chan struct{})} }

// shutdown closes done holding mu, then waits for the Runner's goroutine.
func (o *owner) shutdown(t *testing.T) {
	t.Helper()
	o.mu.Lock()
	close(o.done)
	o.mu.Unlock()
	waited := make(chan struct{})
	go func() {
		o.wg.Wait()
		close(waited)
	}()
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("the Runner's goroutine did not end within 5s of shutdown")
	}
}

// A burst of Triggers during a run makes one more run, not one each.
func TestBurstMakesOneMoreRun(t *testing.T) {
	o := newOwner()
	var runs atomic.Int32
	started, release := make(chan struct{}, 10), make(chan struct{})
	r := New(&o.mu, &o.wg, o.done, time.Millisecond, func() {
		runs.Add(1)
		started <- struct{}{}
		<-release
	})
	r.Trigger()
	<-started
	for i := 0; i < 10; i++ {
		r.Trigger()
	}
	release <- struct{}{}
	<-started
	release <- struct{}{}
	o.wg.Wait() // the loop ends after the second run
	if n := runs.Load(); n != 2 {
		t.Fatalf("%d runs, want 2", n)
	}
	o.shutdown(t)
}

// A run starts no sooner than the interval after the previous one ended.
func TestRunsAreSpaced(t *testing.T) {
	o := newOwner()
	const interval = 50 * time.Millisecond
	var mu sync.Mutex
	var ends []time.Time
	var starts []time.Time
	r := New(&o.mu, &o.wg, o.done, interval, func() {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		ends = append(ends, time.Now())
		mu.Unlock()
	})
	r.Trigger()
	o.wg.Wait()
	r.Trigger()
	o.wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(starts) != 2 {
		t.Fatalf("%d runs, want 2", len(starts))
	}
	if gap := starts[1].Sub(ends[0]); gap < interval {
		t.Fatalf("second run started %v after the first ended, want at least %v", gap, interval)
	}
	o.shutdown(t)
}

// Closing done cuts the wait short and skips the run; later Triggers do
// nothing.
func TestDoneSkipsTheRun(t *testing.T) {
	o := newOwner()
	var runs atomic.Int32
	r := New(&o.mu, &o.wg, o.done, time.Hour, func() { runs.Add(1) })
	r.Trigger()
	o.wg.Wait()
	r.Trigger() // waits an hour for its turn
	start := time.Now()
	o.shutdown(t)
	if took := time.Since(start); took > time.Second {
		t.Fatalf("shutdown took %v: the wait was not cut short", took)
	}
	r.Trigger()
	o.wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("%d runs, want 1 (the first only)", n)
	}
}
