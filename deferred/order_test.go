package deferred

import (
	"errors"
	"sync"
	"testing"
)

// A step added by a step of the same Deferred runs after the steps
// already there, never inside the step that added it (Twisted's
// test_reentrantRunCallbacks and test_nonReentrantCallbacks).
func TestStepAddedByStepRunsLast(t *testing.T) {
	for _, fired := range []bool{false, true} {
		name := "pending when the steps are added"
		if fired {
			name = "fired before the steps are added"
		}
		t.Run(name, func(t *testing.T) {
			d := New[int](nil)
			if fired {
				// Steps added to a fired Deferred run at once; the
				// re-entrant one still waits for s1 to return.
				d.Callback(1)
			}
			var mu sync.Mutex // held by s1 while it runs
			var order []int
			reentrant := false
			s3 := func(int, error) {
				if !mu.TryLock() {
					reentrant = true
					return
				}
				order = append(order, 3)
				mu.Unlock()
			}
			s1 := func(int, error) {
				mu.Lock()
				defer mu.Unlock()
				order = append(order, 1)
				d.Observe(s3)
				if len(order) != 1 {
					t.Errorf("a step added by s1 ran before s1 returned: %v", order)
				}
			}
			s2 := func(int, error) { order = append(order, 2) }
			d.Observe(s1)
			if !fired {
				d.Observe(s2)
				d.Callback(1)
			}
			if reentrant {
				t.Fatal("s3 ran inside s1")
			}
			want := []int{1, 2, 3}
			if fired {
				want = []int{1, 3} // s2 is never added: s1 ran at once
			}
			if !equalInts(order, want) {
				t.Fatalf("order %v, want %v", order, want)
			}
		})
	}
}

// A Then added by a step of d runs after d's other steps and its own
// chain sees d's result (Twisted's test_reentrantRunCallbacksWithFailure,
// where the failure lands on the Deferred the late step returns).
func TestLateStepChain(t *testing.T) {
	d := New[int](nil)
	var late *Deferred[int]
	var order []string
	d.Observe(func(int, error) {
		order = append(order, "s1")
		late = d.Then(func(int) (int, error) {
			order = append(order, "late")
			return 0, errTest
		})
		if late.Fired() {
			t.Error("the late step ran inside s1")
		}
	})
	d.Observe(func(int, error) { order = append(order, "s2") })
	d.Callback(1)
	if joinLog(order) != "s1 s2 late" {
		t.Fatalf("order %q, want %q", joinLog(order), "s1 s2 late")
	}
	checkResult(t, late, 0, errTest)
	checkResult(t, d, 1, nil)
}

// Steps added from another goroutine while a Deferred's steps run are
// run after them, one at a time: a Deferred's steps never run
// concurrently with each other.
func TestStepsNeverOverlap(t *testing.T) {
	for range 200 {
		d := New[int](nil)
		var running, overlaps, ran int
		var mu sync.Mutex
		step := func(int, error) {
			mu.Lock()
			running++
			if running > 1 {
				overlaps++
			}
			mu.Unlock()
			for range 100 {
				_ = errors.New("work")
			}
			mu.Lock()
			running--
			ran++
			mu.Unlock()
		}
		for range 4 {
			d.Observe(step)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 4 {
			spawn(&wg, func() { <-start; d.Observe(step) })
		}
		spawn(&wg, func() { <-start; d.Callback(1) })
		close(start)
		wg.Wait()
		if overlaps != 0 || ran != 8 {
			t.Fatalf("%d steps ran, %d overlapping, want 8 and 0", ran, overlaps)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
