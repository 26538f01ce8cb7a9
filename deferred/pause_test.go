package deferred

import (
	"context"
	"errors"
	"testing"
)

// Ported from Twisted's test_defer.py: testPausedFailure,
// testUnpauseBeforeCallback, test_callbackReturnsDeferred,
// test_chainedPausedDeferredWithResult, test_pausedDeferredChained.

func TestPausedFailure(t *testing.T) {
	var got []error
	d := Fail[int](errTest)
	d.Pause()
	d.Catch(func(err error) (int, error) { got = append(got, err); return 0, nil })
	if len(got) != 0 {
		t.Fatal("a step of a paused Deferred ran")
	}
	d.Unpause()
	if len(got) != 1 || !errors.Is(got[0], errTest) {
		t.Fatalf("after Unpause the step saw %v, want errTest", got)
	}
}

func TestUnpauseBeforeCallback(t *testing.T) {
	d := New[int](nil)
	d.Pause()
	ran := false
	d.Observe(func(int, error) { ran = true })
	d.Unpause()
	if ran {
		t.Fatal("a step ran before the Deferred fired")
	}
	d.Callback(1)
	if !ran {
		t.Fatal("the step did not run when the unpaused Deferred fired")
	}
}

func TestPauseHoldsSteps(t *testing.T) {
	d := New[int](nil)
	var order []string
	d.Observe(func(int, error) { order = append(order, "before") })
	d.Pause()
	d.Pause() // pauses nest
	d.Callback(1)
	// Wait and Result see the result at once: they are not steps.
	if v, err := d.Wait(context.Background()); v != 1 || err != nil {
		t.Fatalf("Wait on a paused Deferred: have (%v, %v)", v, err)
	}
	d.Observe(func(int, error) { order = append(order, "after") })
	d.Unpause()
	if len(order) != 0 {
		t.Fatalf("steps ran with one Pause left: %v", order)
	}
	d.Unpause()
	if joinLog(order) != "before after" {
		t.Fatalf("order %q, want %q", joinLog(order), "before after")
	}
	// Unpaused and fired: steps run at once again.
	d.Observe(func(int, error) { order = append(order, "later") })
	if joinLog(order) != "before after later" {
		t.Fatalf("order %q after Unpause", joinLog(order))
	}
}

func TestUnpauseWithoutPausePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Unpause without Pause did not panic")
		}
	}()
	New[int](nil).Unpause()
}

// A chain that splices a paused Deferred waits for it to be unpaused.
func TestChainWaitsForPaused(t *testing.T) {
	d1 := New[int](nil)
	d2 := New[int](nil)
	d2.Pause()
	after := Chain(d1, func(int) *Deferred[int] { return d2 })
	d1.Callback(1)
	checkPending(t, after)
	d2.Callback(2)
	checkPending(t, after)
	d2.Unpause()
	checkResult(t, after, 2, nil)
}

func TestChainedPausedWithResult(t *testing.T) {
	paused := Succeed(7)
	paused.Pause()
	chained := New[int](nil)
	out := Chain(chained, func(int) *Deferred[int] { return paused })
	chained.Callback(0)
	checkPending(t, out)
	paused.Unpause()
	checkResult(t, out, 7, nil)
}

// A paused Deferred does not stop the steps of the Deferred it waits on.
func TestPausedDeferredChained(t *testing.T) {
	first := New[int](nil)
	second := New[int](nil)
	Chain(first, func(int) *Deferred[int] { return second })
	first.Callback(0)
	first.Pause()
	second.Callback(5)
	ran := false
	second.Observe(func(v int, err error) { ran = v == 5 })
	if !ran {
		t.Fatal("second's step did not run while first was paused")
	}
}

// A step that pauses its Deferred holds the steps added after that.
func TestPauseFromStep(t *testing.T) {
	d := New[int](nil)
	var order []string
	d.Observe(func(int, error) {
		order = append(order, "s1")
		d.Pause()
		d.Observe(func(int, error) { order = append(order, "late") })
	})
	d.Callback(1)
	if joinLog(order) != "s1" {
		t.Fatalf("order %q, want s1 only while paused", joinLog(order))
	}
	d.Unpause()
	if joinLog(order) != "s1 late" {
		t.Fatalf("order %q, want %q", joinLog(order), "s1 late")
	}
}
