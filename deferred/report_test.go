package deferred

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// captureReports replaces the error handler for the test and returns a
// function that lists what was reported so far, unhandled errors aside:
// those of Deferreds made by earlier tests with SetDebugging on may be
// reported at any time (see captureAll).
func captureReports(t *testing.T) func() []error {
	t.Helper()
	return capture(t, false)
}

// captureAll is captureReports with the unhandled errors.
func captureAll(t *testing.T) func() []error {
	t.Helper()
	return capture(t, true)
}

func capture(t *testing.T, unhandled bool) func() []error {
	var mu sync.Mutex
	var got []error
	prev := SetErrorHandler(func(err error) {
		var ue *UnhandledError
		if !unhandled && errors.As(err, &ue) {
			return
		}
		mu.Lock()
		got = append(got, err)
		mu.Unlock()
	})
	t.Cleanup(func() { SetErrorHandler(prev) })
	return func() []error {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

func isPanic(err error, value any) bool {
	var pe *PanicError
	return errors.As(err, &pe) && pe.Value == value && len(pe.Stack) > 0
}

// A panic in a function given to Observe reaches the error handler: it
// used to be recovered and dropped.
func TestObservePanicReported(t *testing.T) {
	reports := captureReports(t)
	d := New[int](nil)
	d.Observe(func(int, error) { panic("pending") })
	d.Callback(1)
	Succeed(1).Observe(func(int, error) { panic("fired") })
	rs := reports()
	if len(rs) != 2 || !isPanic(rs[0], "pending") || !isPanic(rs[1], "fired") {
		t.Fatalf("reported %v, want both panics", rs)
	}
}

// The default handler logs; a panicking handler does not unwind the
// goroutine that fires.
func TestHandlerPanicContained(t *testing.T) {
	prev := SetErrorHandler(func(error) { panic("handler") })
	defer func() { SetErrorHandler(prev) }()
	d := New[int](nil)
	ran := false
	d.Observe(func(int, error) { panic("step") })
	d.Observe(func(int, error) { ran = true })
	d.Callback(1)
	if !ran {
		t.Fatal("a panicking handler stopped the steps")
	}
}

// Where a combinator has a chain, a panic in its own step fails the
// Deferred it returns (here: a Timer whose Stop panics, inside Timeout's
// step).
func TestCombinatorPanicFailsItsDeferred(t *testing.T) {
	reports := captureReports(t)
	d := New[int](nil)
	out := TimeoutWith(d, time.Hour, TimeoutOptions[int]{Clock: panicClock{}})
	d.Callback(1)
	if _, err, _ := out.Result(); !isPanic(err, "stop") {
		t.Fatalf("Timeout's Deferred: have %v, want the *PanicError of Stop", err)
	}
	if rs := reports(); len(rs) != 0 {
		t.Fatalf("reported %v, want nothing: the panic went to the chain", rs)
	}
}

type panicClock struct{}

func (panicClock) AfterFunc(time.Duration, func()) Timer { return panicTimer{} }

type panicTimer struct{}

func (panicTimer) Stop() bool { panic("stop") }

// collect runs the garbage collector until cond holds or a few seconds
// have passed; cleanups run on their own goroutine after a collection.
func collect(t *testing.T, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	return true
}

// unhandled returns the reported *UnhandledErrors that wrap err.
func unhandled(rs []error, err error) int {
	n := 0
	for _, r := range rs {
		var ue *UnhandledError
		if errors.As(r, &ue) && errors.Is(ue, err) {
			n++
		}
	}
	return n
}

// With SetDebugging on, a failure nobody received is reported once the
// Deferred is collected (Twisted's test_errorLog); received ones are not.
func TestUnhandledErrorReported(t *testing.T) {
	reports := captureAll(t)
	SetDebugging(true)
	defer SetDebugging(false)

	errDropped := errors.New("dropped")
	errChainEnd := errors.New("chain end")
	errFail := errors.New("fail")
	errHandled := errors.New("handled")
	errWaited := errors.New("waited")
	errCaught := errors.New("caught")
	func() {
		New[int](nil).Errback(errDropped)
		// A chain is reported once, at its end.
		d := New[int](nil)
		d.Then(func(int) (int, error) { return 0, errChainEnd })
		d.Callback(1)
		Fail[int](errFail)

		// Received: a step, Wait, Result, a Catch that recovers.
		h := New[int](nil)
		h.Observe(func(int, error) {})
		h.Errback(errHandled)
		w := New[int](nil)
		w.Errback(errWaited)
		w.Wait(context.Background())
		r := Fail[int](errWaited)
		r.Result()
		c := New[int](nil)
		c.Catch(func(error) (int, error) { return 1, nil })
		c.Errback(errCaught)
		// Cancellations are never reported.
		New[int](nil).Cancel()
	}()
	if !collect(t, func() bool {
		rs := reports()
		return unhandled(rs, errDropped) == 1 && unhandled(rs, errChainEnd) == 1 && unhandled(rs, errFail) == 1
	}) {
		t.Fatalf("reported %v, want the dropped, chain-end and Fail errors", reports())
	}
	runtime.GC()
	rs := reports()
	for _, err := range []error{errHandled, errWaited, errCaught, ErrCancelled} {
		if n := unhandled(rs, err); n != 0 {
			t.Errorf("%v reported %d times, want 0: it was received", err, n)
		}
	}
	var ue *UnhandledError
	for _, r := range rs {
		if errors.As(r, &ue) && errors.Is(ue, errDropped) && !strings.Contains(string(ue.Stack), "TestUnhandledErrorReported") {
			t.Errorf("the stack does not show where the Deferred failed:\n%s", ue.Stack)
		}
	}
}

// A List receives its Deferreds' errors only with ConsumeErrors
// (Twisted's testDeferredListConsumeErrors, as far as reporting goes).
func TestListConsumeErrors(t *testing.T) {
	reports := captureAll(t)
	SetDebugging(true)
	defer SetDebugging(false)
	errKept := errors.New("kept")
	errConsumed := errors.New("consumed")
	func() {
		kept := New[int](nil)
		List([]*Deferred[int]{kept}, ListOptions{}).Observe(func([]Outcome[int], error) {})
		kept.Errback(errKept)
		consumed := New[int](nil)
		List([]*Deferred[int]{consumed}, ListOptions{ConsumeErrors: true}).Observe(func([]Outcome[int], error) {})
		consumed.Errback(errConsumed)
	}()
	if !collect(t, func() bool { return unhandled(reports(), errKept) == 1 }) {
		t.Fatalf("reported %v, want the error the List did not consume", reports())
	}
	runtime.GC()
	if n := unhandled(reports(), errConsumed); n != 0 {
		t.Fatalf("a consumed error was reported %d times", n)
	}
}

// Without SetDebugging nothing is tracked.
func TestUnhandledOffByDefault(t *testing.T) {
	reports := captureAll(t)
	errDropped := errors.New("dropped while off")
	func() { New[int](nil).Errback(errDropped) }()
	for range 3 {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if n := unhandled(reports(), errDropped); n != 0 {
		t.Fatalf("reported %d times with debugging off", n)
	}
}
