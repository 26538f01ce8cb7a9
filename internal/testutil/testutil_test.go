package testutil

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/deferred"
)

// Wait returns the value or error a Deferred fires with, including one
// that fires after Wait started.
func TestWaitReturnsResult(t *testing.T) {
	if v, err := Wait(t, deferred.Succeed(42)); v != 42 || err != nil {
		t.Fatalf("Succeed(42): have %v, %v", v, err)
	}
	boom := errors.New("boom")
	if _, err := Wait(t, deferred.Fail[int](boom)); !errors.Is(err, boom) {
		t.Fatalf("Fail(boom): have %v", err)
	}
	var d deferred.Deferred[string]
	go func() {
		time.Sleep(10 * time.Millisecond)
		d.Callback("late")
	}()
	if v, err := Wait(t, &d); v != "late" || err != nil {
		t.Fatalf("late Callback: have %q, %v", v, err)
	}
}

// Must returns the value of a Deferred that succeeds.
func TestMustReturnsValue(t *testing.T) {
	if v := Must(t, deferred.Succeed("ok")); v != "ok" {
		t.Fatalf("have %q", v)
	}
}

// fatalTB records the first Fatalf and stops the goroutine that called
// it, as testing.T does.
type fatalTB struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

// run calls fn with a fatalTB on its own goroutine and returns the
// Fatalf message, or "" if fn returned normally.
func (f *fatalTB) run(fn func(testing.TB)) string {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msg
}

// Must fails the test with the error a Deferred fires with.
func TestMustFailsOnError(t *testing.T) {
	f := &fatalTB{TB: t}
	msg := f.run(func(tb testing.TB) { Must(tb, deferred.Fail[int](errors.New("boom"))) })
	if !strings.Contains(msg, "unexpected error: boom") {
		t.Fatalf("Fatalf message %q", msg)
	}
}

// Eventually returns once f returns nil, after retrying its errors.
func TestEventuallyRetriesUntilNil(t *testing.T) {
	calls := 0
	Eventually(t, func() error {
		calls++
		if calls < 3 {
			return fmt.Errorf("call %d", calls)
		}
		return nil
	})
	if calls != 3 {
		t.Fatalf("f called %d times, want 3", calls)
	}
}

// EventuallyWithin returns how long the condition took, and fails the
// test with f's last error once limit passes.
func TestEventuallyWithin(t *testing.T) {
	start := time.Now()
	took := EventuallyWithin(t, time.Second, func() error {
		if time.Since(start) < 20*time.Millisecond {
			return errors.New("not yet")
		}
		return nil
	})
	if took < 20*time.Millisecond || took > time.Second {
		t.Fatalf("took %v, want between 20ms and 1s", took)
	}

	f := &fatalTB{TB: t}
	msg := f.run(func(tb testing.TB) {
		EventuallyWithin(tb, 20*time.Millisecond, func() error { return errors.New("never") })
	})
	if !strings.Contains(msg, "condition not met within 20ms: never") {
		t.Fatalf("Fatalf message %q", msg)
	}
}

// CheckGoroutines returns once goroutines started after the count have
// ended.
func TestCheckGoroutinesWaitsForExit(t *testing.T) {
	before := runtime.NumGoroutine()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-stop
		}()
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		close(stop)
	}()
	CheckGoroutines(t, before)
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("CheckGoroutines returned with %d goroutines, %d before", n, before)
	}
	wg.Wait()
}
