package deferred

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGo(t *testing.T) {
	t.Run("result", func(t *testing.T) {
		d := Go(context.Background(), func(ctx context.Context) (int, error) {
			// inlineCallbacks: wait on Deferreds as a generator yields them.
			v, err := Succeed(20).Wait(ctx)
			return v + 1, err
		})
		if v, err := d.Wait(context.Background()); v != 21 || err != nil {
			t.Fatalf("have (%v, %v), want (21, nil)", v, err)
		}
	})
	t.Run("cancel cancels the context", func(t *testing.T) {
		started := make(chan struct{})
		stopped := make(chan error, 1)
		never := New[int](nil)
		d := Go(context.Background(), func(ctx context.Context) (int, error) {
			close(started)
			_, err := never.Wait(ctx)
			stopped <- context.Cause(ctx)
			return 1, err
		})
		<-started
		d.Cancel()
		checkResult(t, d, 0, ErrCancelled) // at once
		select {
		case cause := <-stopped:
			if !errors.Is(cause, ErrCancelled) {
				t.Fatalf("the function's context ended with %v, want ErrCancelled", cause)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Cancel did not cancel the function's context")
		}
		checkPending(t, never) // Wait never cancels
	})
	t.Run("panic", func(t *testing.T) {
		d := Go(context.Background(), func(context.Context) (int, error) { panic("boom") })
		_, err := d.Wait(context.Background())
		if !isPanic(err, "boom") {
			t.Fatalf("have %v, want *PanicError", err)
		}
	})
	t.Run("parent context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		d := Go(ctx, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		})
		cancel()
		if _, err := d.Wait(context.Background()); !errors.Is(err, context.Canceled) {
			t.Fatalf("have %v, want context.Canceled", err)
		}
	})
}
