package deferred

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// ErrAlreadyCalled is returned by Callback, Errback and Resolve when the
// Deferred has already fired. Test for it with errors.Is.
var ErrAlreadyCalled = errors.New("txredis/deferred: already called")

// ErrCancelled is the error a Deferred fails with when Cancel fires it.
// Test for it with errors.Is.
var ErrCancelled = errors.New("txredis/deferred: cancelled")

// ErrTimeout is the error a Deferred returned by Timeout fails with when
// its time runs out. Test for it with errors.Is.
var ErrTimeout = errors.New("txredis/deferred: timed out")

var (
	errNilErrback  = errors.New("txredis/deferred: Errback called with a nil error")
	errNilDeferred = errors.New("txredis/deferred: step returned a nil Deferred")
	errSelfSplice  = errors.New("txredis/deferred: step returned the Deferred waiting on it")
)

// PanicError is the error a chain carries when a step, a canceller or the
// function given to Maybe panicked. The panic is recovered and never reaches
// the goroutine that fired the Deferred.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the stack of the panicking goroutine, from runtime/debug.Stack
}

// Error returns a message that includes the panic value.
func (e *PanicError) Error() string {
	return fmt.Sprintf("txredis/deferred: step panicked: %v", e.Value)
}

// Unwrap returns the panic value if it is an error, and nil otherwise.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// recoverTo turns a panic into a *PanicError stored in *err. It must be
// deferred directly.
func recoverTo(err *error) {
	if r := recover(); r != nil {
		*err = &PanicError{Value: r, Stack: debug.Stack()}
	}
}

// Deferred is a one-shot result of type T with a chain of steps that run
// when it fires. See the package documentation.
//
// The zero value is a pending Deferred with no canceller, ready to use, so
// a Deferred may be embedded by value in another struct. A Deferred must
// not be copied after first use.
type Deferred[T any] struct {
	// mu protects every field below until the Deferred fires. value and
	// err are written once, under mu, before fired is set, and are only
	// read after fired is seen set (under mu, or once wg or the done
	// channel has been released). From the moment fired is set, first and
	// more.rest belong to the goroutine that set it, which hands them the
	// result outside the lock; nobody else touches them again.
	mu         sync.Mutex
	fired      bool
	waiting    bool // wg holds one count, released when the Deferred fires
	cancelling bool // Cancel has started on this Deferred
	value      T
	err        error
	first      listener[T] // the first step added, stored inline
	more       *extra[T]   // rarely used: further steps and the Done channel
	canceller  func(*Deferred[T])
	upstream   cancelLink // the Deferred this one waits on, for Cancel
	wg         sync.WaitGroup
}

type extra[T any] struct {
	rest []listener[T]
	done chan struct{}
}

// listener is a step waiting for a Deferred[T]. call hands it the result
// and returns the next Deferred to notify, if any, so that a chain of steps
// runs in a loop rather than by recursion.
type listener[T any] interface {
	call(v T, err error) task
}

// task is a fired Deferred whose steps have yet to be told.
type task interface {
	notify() task
}

// drive runs t and everything it leads to, one link at a time.
func drive(t task) {
	for t != nil {
		t = t.notify()
	}
}

// cancelLink is a Deferred of any type, as seen by Cancel.
type cancelLink interface {
	cancelStep() cancelLink
	cancelFinish()
}

// New returns a pending Deferred. canceller, which may be nil, is run by
// the first Cancel while the Deferred is pending; it is given the Deferred
// and may fire it.
func New[T any](canceller func(*Deferred[T])) *Deferred[T] {
	return &Deferred[T]{canceller: canceller}
}

// SetCanceller sets the function Cancel runs, as New does. It is meant for
// a Deferred embedded by value and must be called before the Deferred is
// handed to anyone else.
func (d *Deferred[T]) SetCanceller(f func(*Deferred[T])) {
	d.mu.Lock()
	d.canceller = f
	d.mu.Unlock()
}

// Succeed returns a Deferred that has already fired with v.
func Succeed[T any](v T) *Deferred[T] {
	return &Deferred[T]{fired: true, value: v}
}

// Fail returns a Deferred that has already failed with err. A nil err is
// replaced by a non-nil error, as in Errback.
func Fail[T any](err error) *Deferred[T] {
	if err == nil {
		err = errNilErrback
	}
	return &Deferred[T]{fired: true, err: err}
}

// Maybe calls f and returns a Deferred that has already fired with its
// result. If f panics, the Deferred fails with a *PanicError.
func Maybe[T any](f func() (T, error)) *Deferred[T] {
	v, err := protect0(f)
	if err != nil {
		return Fail[T](err)
	}
	return Succeed(v)
}

func protect0[T any](f func() (T, error)) (v T, err error) {
	defer recoverTo(&err)
	return f()
}

// Callback fires d with v and runs its steps on the calling goroutine. It
// returns ErrAlreadyCalled, and does nothing else, if d has already fired
// (for example because it was cancelled).
func (d *Deferred[T]) Callback(v T) error {
	return d.fire(v, nil)
}

// Errback fires d with err and runs its steps on the calling goroutine. A
// nil err is replaced by a non-nil error. It returns ErrAlreadyCalled, and
// does nothing else, if d has already fired.
func (d *Deferred[T]) Errback(err error) error {
	if err == nil {
		err = errNilErrback
	}
	var zero T
	return d.fire(zero, err)
}

// Resolve calls Callback(v) if err is nil and Errback(err) otherwise, in
// which case v is dropped.
func (d *Deferred[T]) Resolve(v T, err error) error {
	if err != nil {
		var zero T
		return d.fire(zero, err)
	}
	return d.fire(v, nil)
}

func (d *Deferred[T]) fire(v T, err error) error {
	t, ok := d.settle(v, err)
	if !ok {
		return ErrAlreadyCalled
	}
	drive(t)
	return nil
}

// settle records the result and releases the waiters. It reports false if
// d had already fired, and otherwise returns d as a task if it has steps to
// notify.
func (d *Deferred[T]) settle(v T, err error) (task, bool) {
	d.mu.Lock()
	if d.fired {
		d.mu.Unlock()
		return nil, false
	}
	d.value, d.err = v, err
	d.fired = true
	d.canceller = nil
	d.upstream = nil
	if d.waiting {
		d.wg.Done()
	}
	if d.more != nil && d.more.done != nil {
		close(d.more.done)
	}
	hasSteps := d.first != nil
	d.mu.Unlock()
	if !hasSteps {
		return nil, true
	}
	return d, true
}

// call makes d a step of another Deferred[T]: d fires with its result.
func (d *Deferred[T]) call(v T, err error) task {
	t, _ := d.settle(v, err)
	return t
}

// notify hands the result to d's steps. Only the goroutine that fired d
// calls it. The last step's follow-up is returned rather than run, so a
// linear chain never grows the stack; recursion happens only where a
// Deferred has more than one step.
func (d *Deferred[T]) notify() task {
	first := d.first
	d.first = nil
	var rest []listener[T]
	if d.more != nil {
		rest, d.more.rest = d.more.rest, nil
	}
	v, err := d.value, d.err
	if len(rest) == 0 {
		return first.call(v, err)
	}
	drive(first.call(v, err))
	last := len(rest) - 1
	for _, l := range rest[:last] {
		drive(l.call(v, err))
	}
	return rest[last].call(v, err)
}

// listen adds l to d's steps. If d has already fired, it instead hands l
// the result at once and returns the follow-up, which the caller must
// drive.
func (d *Deferred[T]) listen(l listener[T]) task {
	d.mu.Lock()
	if d.fired {
		v, err := d.value, d.err
		d.mu.Unlock()
		return l.call(v, err)
	}
	if d.first == nil {
		d.first = l
	} else {
		if d.more == nil {
			d.more = new(extra[T])
		}
		d.more.rest = append(d.more.rest, l)
	}
	d.mu.Unlock()
	return nil
}

// Fired reports whether d has fired.
func (d *Deferred[T]) Fired() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.fired
}

// Result returns d's result without blocking. ok is false, and v and err
// are zero, while d is pending.
func (d *Deferred[T]) Result() (v T, err error, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.fired {
		return v, nil, false
	}
	return d.value, d.err, true
}

// closedChan is the Done channel of a Deferred that fired before anyone
// asked for one.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Done returns a channel that is closed when d fires. The channel is
// allocated on the first call.
func (d *Deferred[T]) Done() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.doneLocked()
}

func (d *Deferred[T]) doneLocked() chan struct{} {
	if d.more != nil && d.more.done != nil {
		return d.more.done
	}
	if d.fired {
		return closedChan
	}
	if d.more == nil {
		d.more = new(extra[T])
	}
	d.more.done = make(chan struct{})
	return d.more.done
}

// Wait blocks until d fires and returns its result. If ctx ends first, it
// returns the zero T and ctx.Err(), and d is left alone: it is neither
// cancelled nor changed. Wait must not be called from a step of d.
//
// Wait returns as soon as d has fired: steps added to d may still be
// running on the goroutine that fired it. To use what a step computed,
// wait on the Deferred the step returns (d.Then(f).Wait(ctx)), which fires
// after f has run. Waiting on d from a step that d's firing drives (a step
// of All(d, ...), say) returns at once, so such code cannot deadlock.
func (d *Deferred[T]) Wait(ctx context.Context) (T, error) {
	d.mu.Lock()
	if d.fired {
		v, err := d.value, d.err
		d.mu.Unlock()
		return v, err
	}
	ctxDone := ctx.Done()
	if ctxDone == nil {
		if !d.waiting {
			d.waiting = true
			d.wg.Add(1)
		}
		d.mu.Unlock()
		d.wg.Wait()
		return d.value, d.err
	}
	done := d.doneLocked()
	d.mu.Unlock()
	select {
	case <-done:
		return d.value, d.err
	case <-ctxDone:
		var zero T
		return zero, ctx.Err()
	}
}

// Cancel asks for d to be abandoned. If d has fired, Cancel does nothing.
// Otherwise it runs d's canceller, if any; then, if d is still pending and
// was derived from another Deferred (by Then, Catch, Chain, Timeout, ...)
// that it is still waiting on, it cancels that one; then, if d is still
// pending, it fails d with ErrCancelled. A canceller that panics fails d
// with a *PanicError.
//
// A producer that fires a cancelled Deferred later gets ErrAlreadyCalled
// and its result is dropped.
func (d *Deferred[T]) Cancel() {
	// Walk up the Deferreds d waits on, then fail them from the top down:
	// iterative, as chains may be long.
	var buf [8]cancelLink
	path := buf[:0]
	for c := cancelLink(d); c != nil; c = c.cancelStep() {
		path = append(path, c)
	}
	for i := len(path) - 1; i >= 0; i-- {
		path[i].cancelFinish()
	}
}

// cancelStep runs d's canceller and returns what d waits on if d is still
// pending afterwards.
//
// A Cancel that finds another one in progress on d (concurrent, or called
// from d's canceller) does not run the canceller again but walks up and
// fails d itself, so that it returns with d fired; the first one then
// finds d fired and stops. Either way what d waited on is cancelled.
func (d *Deferred[T]) cancelStep() cancelLink {
	d.mu.Lock()
	if d.fired {
		d.mu.Unlock()
		return nil
	}
	up := d.upstream
	if d.cancelling {
		d.mu.Unlock()
		return up
	}
	d.cancelling = true
	c := d.canceller
	d.canceller = nil
	d.mu.Unlock()
	if c == nil {
		// Nothing ran: whoever fired d meanwhile (another Cancel, or the
		// producer through up) leaves up to be cancelled all the same.
		return up
	}
	d.runCanceller(c)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fired {
		return nil
	}
	return d.upstream
}

func (d *Deferred[T]) runCanceller(c func(*Deferred[T])) {
	var err error
	func() {
		defer recoverTo(&err)
		c(d)
	}()
	if err != nil {
		d.Errback(err)
	}
}

func (d *Deferred[T]) cancelFinish() {
	d.Errback(ErrCancelled)
}
