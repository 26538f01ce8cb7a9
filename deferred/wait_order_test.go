package deferred

import (
	"context"
	"testing"
	"time"
)

// Waiting on the end of a chain sees what its steps did.
func TestWaitOnChainEndSeesSteps(t *testing.T) {
	d := New[int](nil)
	var seen int
	end := d.Then(func(v int) (int, error) {
		time.Sleep(10 * time.Millisecond) // a slow step
		seen = v
		return v, nil
	})
	go d.Callback(42)
	if v, err := end.Wait(context.Background()); v != 42 || err != nil || seen != 42 {
		t.Fatalf("have %v, %v, seen %d", v, err, seen)
	}
}

// A step driven by b's firing (All's result fires inside b's notification)
// may wait on b: Wait returns once b has fired, so this cannot deadlock.
func TestWaitOnInputFromCombinatorStep(t *testing.T) {
	a, b := New[int](nil), New[int](nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan error, 1)
	All(a, b).Observe(func([]int, error) {
		_, err := b.Wait(ctx)
		got <- err
	})
	a.Callback(1)
	b.Callback(2)
	if err := <-got; err != nil {
		t.Fatalf("Wait on an input from a step of All: %v", err)
	}
}
