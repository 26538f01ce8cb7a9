package pool_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/pool"
)

// wait waits for d with a test deadline, failing the test if it hangs.
func wait[T any](t testing.TB, d *deferred.Deferred[T]) (T, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := d.Wait(ctx)
	if ctx.Err() != nil {
		t.Fatalf("Deferred did not fire within 10s")
	}
	return v, err
}

// must waits for d and fails the test on error.
func must[T any](t testing.TB, d *deferred.Deferred[T]) T {
	t.Helper()
	v, err := wait(t, d)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	return v
}

// connectPool connects a pool and disconnects it when the test ends.
func connectPool(t testing.TB, opts pool.Options) *pool.Pool {
	t.Helper()
	p := must(t, pool.Connect(opts))
	t.Cleanup(func() { _, _ = wait(t, p.Disconnect()) })
	return p
}

// eventually retries f until it returns nil, for at most 5 seconds.
func eventually(t testing.TB, f func() error) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within 5s: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkGoroutines fails the test if the goroutine count does not return
// to before within a few seconds.
func checkGoroutines(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
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
		time.Sleep(10 * time.Millisecond)
	}
}

func numGoroutines() int { return runtime.NumGoroutine() }
