package deferred

import "context"

// Go runs f in a new goroutine and returns a Deferred that fires with f's
// result: the bridge from blocking code to Deferreds, as Twisted's
// inlineCallbacks is from generators (inside f, d.Wait(ctx) stands for
// yield d). f is given a context derived from ctx; cancelling the
// returned Deferred cancels that context and fails the Deferred with
// ErrCancelled at once, and the result f returns later is dropped. A
// panic in f fails the Deferred with a *PanicError. The steps of the
// Deferred run on f's goroutine when f returns.
func Go[T any](ctx context.Context, f func(ctx context.Context) (T, error)) *Deferred[T] {
	mustStep(f != nil, "Go")
	ctx, cancel := context.WithCancelCause(ctx)
	d := New(func(*Deferred[T]) { cancel(ErrCancelled) })
	go func() {
		defer cancel(nil)
		v, err := protectGo(ctx, f)
		d.Resolve(v, err)
	}()
	return d
}

func protectGo[T any](ctx context.Context, f func(context.Context) (T, error)) (v T, err error) {
	defer recoverTo(&err)
	return f(ctx)
}
