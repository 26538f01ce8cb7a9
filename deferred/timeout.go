package deferred

import (
	"errors"
	"sync/atomic"
	"time"
)

// Timeout returns a Deferred that fires with d's result or, if d has not
// fired within dur, cancels d and then fires with what the cancellation
// made of d: ErrTimeout where d failed with ErrCancelled, and otherwise
// d's own result, so that a canceller that fires d with a value or an
// error, or a Catch that d was derived from, decides the outcome
// (Twisted's addTimeout). If d fires first, the timer is stopped.
// Cancelling the returned Deferred cancels d and fails it with
// ErrCancelled, as before the timeout. A timeout runs d's steps and those
// of the returned Deferred on the timer's goroutine.
func Timeout[T any](d *Deferred[T], dur time.Duration) *Deferred[T] {
	return TimeoutWith(d, dur, TimeoutOptions[T]{})
}

// TimeoutOptions are the options of TimeoutWith.
type TimeoutOptions[T any] struct {
	// Clock schedules the timeout; nil means RealClock. A ManualClock
	// makes the time pass in tests (Twisted's task.Clock).
	Clock Clock
	// OnTimeout, when not nil, is given d's result after a timeout and
	// returns the result the returned Deferred fires with, in place of
	// the default (ErrCancelled becomes ErrTimeout, anything else is
	// kept): Twisted's onTimeoutCancel. It is not called when d fires in
	// time, or is cancelled by other means.
	OnTimeout func(v T, err error) (T, error)
}

// TimeoutWith is Timeout with options: a Clock, and what a timeout
// makes of d's result.
func TimeoutWith[T any](d *Deferred[T], dur time.Duration, opts TimeoutOptions[T]) *Deferred[T] {
	clock := opts.Clock
	if clock == nil {
		clock = RealClock
	}
	translate := opts.OnTimeout
	if translate == nil {
		translate = cancelledToTimeout[T]
	}
	s := &timeoutState[T]{}
	s.out.upstream = d
	timer := clock.AfterFunc(dur, func() {
		s.expired.Store(true)
		d.Cancel()
	})
	watch(d, &s.out, false, func(v T, err error) {
		timer.Stop()
		if s.expired.Load() {
			v, err = translate(v, err)
		}
		s.out.Resolve(v, err)
	})
	return &s.out
}

type timeoutState[T any] struct {
	out     Deferred[T]
	expired atomic.Bool
}

// cancelledToTimeout is the default translation of a timed-out result.
func cancelledToTimeout[T any](v T, err error) (T, error) {
	if errors.Is(err, ErrCancelled) {
		var zero T
		return zero, ErrTimeout
	}
	return v, err
}
