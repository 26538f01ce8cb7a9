package reliability

import (
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
)

// Timeouts of the connections under test: short, so that faults are
// detected quickly.
const (
	replyTimeout   = 200 * time.Millisecond
	connectTimeout = 500 * time.Millisecond
	// margin is what scheduling on a loaded 2-core machine under -race
	// may add to a deadline.
	margin = 1500 * time.Millisecond
)

// fastBackoff redials quickly so that recovery is measured in
// milliseconds.
var fastBackoff = conn.ExponentialBackoff(10*time.Millisecond, 100*time.Millisecond)

// wait waits for d, failing the test if it does not fire within 10s.
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

// connect connects with opts and disconnects when the test ends.
func connect(t testing.TB, opts conn.Options) *conn.Conn {
	t.Helper()
	c := must(t, conn.Connect(opts))
	t.Cleanup(func() { c.Disconnect() })
	return c
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

// eventually retries f until it returns nil or limit passes, and returns
// how long it took.
func eventually(t testing.TB, limit time.Duration, f func() error) time.Duration {
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
		time.Sleep(5 * time.Millisecond)
	}
}

var uniq atomic.Int64

// unique returns a string no other call in this process returns.
func unique(prefix string) string {
	return prefix + time.Now().Format("150405.000000") + "-" + strconv.FormatInt(uniq.Add(1), 10)
}

