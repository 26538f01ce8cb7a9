package pubsub_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/pubsub"
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

// eventually retries f until it returns nil, for at most 10 seconds.
func eventually(t testing.TB, f func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within 10s: %v", err)
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

// collector is a Handler that records every message.
type collector struct {
	mu   sync.Mutex
	msgs []pubsub.Message
}

func (c *collector) MessageReceived(pattern, channel, message string) {
	c.mu.Lock()
	c.msgs = append(c.msgs, pubsub.Message{Pattern: pattern, Channel: channel, Payload: message})
	c.mu.Unlock()
}

func (c *collector) snapshot() []pubsub.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]pubsub.Message(nil), c.msgs...)
}

// waitCount waits until at least n messages were received.
func (c *collector) waitCount(t testing.TB, n int) []pubsub.Message {
	t.Helper()
	var msgs []pubsub.Message
	eventually(t, func() error {
		msgs = c.snapshot()
		if len(msgs) < n {
			return fmt.Errorf("%d of %d messages", len(msgs), n)
		}
		return nil
	})
	return msgs
}

// subscriber connects a Subscriber and disconnects it when the test ends.
func subscriber(t testing.TB, opts pubsub.Options, h pubsub.Handler) *pubsub.Subscriber {
	t.Helper()
	s := must(t, pubsub.Connect(opts, h))
	t.Cleanup(func() { wait(t, s.Disconnect()) })
	return s
}

// publisher connects a plain connection for PUBLISH.
func publisher(t testing.TB, opts conn.Options) *conn.Conn {
	t.Helper()
	c := must(t, conn.Connect(opts))
	t.Cleanup(func() { wait(t, c.Disconnect()) })
	return c
}

func numGoroutines() int { return runtime.NumGoroutine() }
