package testutil

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/txredis/txredis/deferred"
)

// Deadlines of the helpers. They are generous: a loaded two-core machine
// under -race, or a cluster failover, can take seconds.
const (
	// WaitTimeout bounds Wait and Must.
	WaitTimeout = 15 * time.Second
	// EventuallyTimeout bounds Eventually.
	EventuallyTimeout = 10 * time.Second
	// GoroutineTimeout bounds CheckGoroutines.
	GoroutineTimeout = 5 * time.Second
)

// pollInterval is how long Eventually and CheckGoroutines sleep between
// tries.
const pollInterval = 5 * time.Millisecond

// Wait waits for d and returns its result. It fails the test (t.Fatalf)
// if d has not fired within WaitTimeout.
func Wait[T any](t testing.TB, d *deferred.Deferred[T]) (T, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WaitTimeout)
	defer cancel()
	v, err := d.Wait(ctx)
	if ctx.Err() != nil {
		t.Fatalf("Deferred did not fire within %v", WaitTimeout)
	}
	return v, err
}

// Must waits for d like Wait and returns its value. It fails the test
// (t.Fatalf) if d fires with an error.
func Must[T any](t testing.TB, d *deferred.Deferred[T]) T {
	t.Helper()
	v, err := Wait(t, d)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	return v
}

// Eventually calls f until it returns nil. It fails the test (t.Fatalf)
// with f's last error if f has not returned nil within EventuallyTimeout.
func Eventually(t testing.TB, f func() error) {
	t.Helper()
	EventuallyWithin(t, EventuallyTimeout, f)
}

// EventuallyWithin calls f until it returns nil and returns how long that
// took. It fails the test (t.Fatalf) with f's last error if f has not
// returned nil within limit.
func EventuallyWithin(t testing.TB, limit time.Duration, f func() error) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		err := f()
		if err == nil {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("condition not met within %v: %v", limit, err)
		}
		time.Sleep(pollInterval)
	}
}

// CheckGoroutines waits until no more than before goroutines run, before
// being a runtime.NumGoroutine count taken when the test started. It fails
// the test (t.Fatalf) with every goroutine's stack if the count is still
// higher after GoroutineTimeout.
func CheckGoroutines(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(GoroutineTimeout)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutines: %d before, %d after\n%s", before, n, buf)
		}
		time.Sleep(pollInterval)
	}
}
