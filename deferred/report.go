package deferred

import (
	"errors"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync/atomic"
)

// Errors with nowhere to go are given to the error handler: a panic in a
// function given to Observe (there is no chain to carry it), a Wait that
// would block a dispatcher goroutine, and, with SetDebugging on, the error
// of a Deferred that was collected without anyone having received it.

// UnhandledError is what the error handler is given, with SetDebugging
// on, for a Deferred that failed and was garbage-collected without its
// error having been received: no step was added to it, and neither Wait
// nor Result returned the error (Twisted's "Unhandled error in
// Deferred"). errors.Is and errors.As see through it to Err.
type UnhandledError struct {
	Err   error  // the error the Deferred failed with
	Stack []byte // the stack of the goroutine that failed it
}

// Error returns a message that includes Err.
func (e *UnhandledError) Error() string {
	return "txredis/deferred: unhandled error in Deferred: " + e.Err.Error()
}

// Unwrap returns Err.
func (e *UnhandledError) Unwrap() error { return e.Err }

var handler atomic.Pointer[func(error)]

// SetErrorHandler sets the function that errors with nowhere to go are
// given to: a *PanicError from a function given to Observe, a Wait that
// would block a dispatcher (ErrWaitOnDispatcher), and, with SetDebugging
// on, an *UnhandledError. f may be called from any goroutine, including
// the garbage collector's cleanup goroutine, and must not block. A nil f
// restores the default, which logs the error with log/slog's default
// logger at level Error. It returns the previous handler (nil for the
// default), so that a test can restore it.
func SetErrorHandler(f func(error)) (previous func(error)) {
	var p *func(error)
	if f != nil {
		p = &f
	}
	if old := handler.Swap(p); old != nil {
		return *old
	}
	return nil
}

// report gives err to the error handler. A handler that panics is not
// allowed to unwind the goroutine that reports.
func report(err error) {
	defer func() { _ = recover() }()
	if p := handler.Load(); p != nil {
		(*p)(err)
		return
	}
	attrs := []any{"err", err}
	switch e := err.(type) {
	case *PanicError:
		attrs = append(attrs, "stack", string(e.Stack))
	case *UnhandledError:
		attrs = append(attrs, "stack", string(e.Stack))
	}
	slog.Error("txredis/deferred: "+errorKind(err), attrs...)
}

func errorKind(err error) string {
	switch err.(type) {
	case *PanicError:
		return "panic in a step with nowhere to go"
	case *UnhandledError:
		return "unhandled error in Deferred"
	}
	return "error with nowhere to go"
}

var debugging atomic.Bool

// SetDebugging turns the report of unhandled errors on or off (Twisted's
// setDebugging, whose "Unhandled error in Deferred" log this is). While
// it is on, a Deferred that fails with an error nobody receives is
// reported to the error handler, as an *UnhandledError holding the stack
// that failed it, once the garbage collector finds it unreachable. The
// error counts as received when it reaches a step (any step added to the
// Deferred, before or after it failed), or when Wait or Result returns
// it. A step that passes the error on (Then, Finally...) makes the next
// Deferred carry it, so a chain is reported once, at its end. Errors
// matching ErrCancelled are never reported: whoever cancelled chose that
// outcome. A List counts as receiving its Deferreds' errors only with
// ListOptions.ConsumeErrors.
//
// It costs a stack capture and a cleanup per failed Deferred, so it is
// meant for tests and debugging; only Deferreds that fail while it is on
// are tracked.
func SetDebugging(on bool) {
	debugging.Store(on)
}

// failureMark tracks the error of one Deferred until it is received or
// the Deferred is collected. It must not refer to the Deferred.
type failureMark struct {
	err      error
	stack    []byte
	received atomic.Bool
}

// trackLocked starts tracking d's error, unless one of d's steps already
// receives it or it is a cancellation. d has failed; d.mu is held.
func (d *Deferred[T]) trackLocked() {
	if d.cancelling || isCancel(d.err) {
		return
	}
	if d.first != nil && receives(d.first) {
		return
	}
	if d.more != nil {
		for _, l := range d.more.rest {
			if receives(l) {
				return
			}
		}
		if d.more.failed != nil {
			return
		}
	} else {
		d.more = new(extra[T])
	}
	m := &failureMark{err: d.err, stack: debug.Stack()}
	d.more.failed = m
	runtime.AddCleanup(d, reportUnhandled, m)
}

func reportUnhandled(m *failureMark) {
	if !m.received.Load() {
		report(&UnhandledError{Err: m.err, Stack: m.stack})
	}
}

func isCancel(err error) bool { return errors.Is(err, ErrCancelled) }

// markReceivedLocked records that l, added to d, receives d's error.
func (d *Deferred[T]) markReceivedLocked(l listener[T]) {
	if d.more != nil && d.more.failed != nil && receives(l) {
		d.more.failed.received.Store(true)
	}
}

// markReadLocked records that d's error was returned by Wait or Result.
func (d *Deferred[T]) markReadLocked() {
	if d.more != nil && d.more.failed != nil {
		d.more.failed.received.Store(true)
	}
}

// passive is implemented by the steps that look at a result without
// receiving its error (a List without ConsumeErrors).
type passive interface{ passive() }

func receives(l any) bool {
	_, ok := l.(passive)
	return !ok
}
