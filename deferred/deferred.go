package deferred

import (
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"unicode/utf8"
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
	// mu protects every field below but run. value and err are written
	// once, under mu, before fired is set, and are only read after fired
	// is seen set (under mu, or once wg or the done channel has been
	// released).
	//
	// Steps wait in first and more.rest. When the Deferred fires (or is
	// unpaused after firing) the goroutine that does it sets run to
	// runActive under mu and from then on owns first and more.rest: it
	// calls them outside the lock. Steps added while run is not idle go
	// to more.late instead, and that goroutine runs them after the others.
	mu         sync.Mutex
	fired      bool
	waiting    bool  // wg holds one count, released when the Deferred fires
	cancelling bool  // Cancel has started on this Deferred
	run        int32 // runIdle, or runActive with runRest and runLate; see below
	value      T
	err        error
	first      listener[T] // the first step added, stored inline
	more       *extra[T]   // rarely used: further steps, the Done channel, pause
	canceller  func(*Deferred[T])
	upstream   cancelLink // the Deferred this one waits on, for Cancel
	lazy       *Lazy      // SetLazy: told once when d is first observed
	wg         sync.WaitGroup
}

// The bits of Deferred.run. runActive and runRest are set and cleared by
// the goroutine running the steps; runLate is set under mu by whoever adds
// a step while they run. run is written under mu, and read and changed
// without it only by the goroutine running the steps, with atomic
// operations: plain writes are made under mu when no goroutine runs the
// steps (startLocked), or by that goroutine itself.
const (
	runActive = 1 << iota // a goroutine is running the steps
	runRest               // the steps being run include more.rest
	runLate               // steps were added to more.late meanwhile

	runIdle = 0
)

type extra[T any] struct {
	rest   []listener[T]
	late   []listener[T] // added while the steps ran
	done   chan struct{}
	paused int          // Pause calls not yet matched by Unpause
	failed *failureMark // the error is tracked for reporting (SetDebugging)
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
	d := &Deferred[T]{fired: true, err: err}
	if debugging.Load() {
		d.mu.Lock()
		d.trackLocked()
		d.mu.Unlock()
	}
	return d
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
// run now.
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
	if err != nil && debugging.Load() {
		d.trackLocked()
	}
	t := d.startLocked()
	d.mu.Unlock()
	return t, true
}

// startLocked hands d's steps to the calling goroutine, which must run
// them (drive the returned task), unless d has none or is paused.
func (d *Deferred[T]) startLocked() task {
	if d.first == nil || (d.more != nil && d.more.paused > 0) {
		return nil
	}
	st := int32(runActive)
	if d.more != nil && len(d.more.rest) > 0 {
		st |= runRest
	}
	d.run = st
	return d
}

// call makes d a step of another Deferred[T]: d fires with its result.
func (d *Deferred[T]) call(v T, err error) task {
	t, _ := d.settle(v, err)
	return t
}

// notify hands the result to d's steps, in the order they were added.
// Only the goroutine that started the run (settle, Unpause) calls it. The
// last step's follow-up is returned rather than run, so a linear chain
// never grows the stack; recursion happens only where a Deferred has more
// than one step.
func (d *Deferred[T]) notify() task {
	st := atomic.LoadInt32(&d.run) &^ runLate
	v, err := d.value, d.err
	first := d.first
	d.first = nil
	var rest []listener[T]
	if st&runRest != 0 {
		rest, d.more.rest = d.more.rest, nil
	}
	for {
		var t task
		if first != nil {
			t = first.call(v, err)
		}
		for _, l := range rest {
			drive(t)
			t = l.call(v, err)
		}
		if atomic.CompareAndSwapInt32(&d.run, st, runIdle) {
			return t
		}
		// Steps were added while these ran: run them now, after the
		// follow-up of the last one, unless d was paused meanwhile.
		drive(t)
		d.mu.Lock()
		first, rest = nil, d.more.late
		d.more.late = nil
		if d.more.paused > 0 {
			d.first, d.more.rest = rest[0], rest[1:]
			d.run = runIdle
			d.mu.Unlock()
			return nil
		}
		st = runActive
		d.run = st
		d.mu.Unlock()
	}
}

// listen adds l to d's steps. If d has fired and is not paused, the
// caller must then run them: listen returns d as the task to drive, and l
// runs before listen's caller returns, unless d's steps are being run
// already (by one of them adding l, or by another goroutine), in which
// case l runs after them, on that goroutine.
func (d *Deferred[T]) listen(l listener[T]) task {
	d.mu.Lock()
	if d.lazy != nil {
		d.kickAndLock()
	}
	d.markReceivedLocked(l)
	if d.fired && d.lateLocked() {
		if d.more == nil {
			d.more = new(extra[T])
		}
		d.more.late = append(d.more.late, l)
		d.mu.Unlock()
		return nil
	}
	if d.first == nil {
		d.first = l
	} else {
		if d.more == nil {
			d.more = new(extra[T])
		}
		d.more.rest = append(d.more.rest, l)
	}
	var t task
	if d.fired {
		t = d.startLocked()
	}
	d.mu.Unlock()
	return t
}

// lateLocked reports whether d's steps are being run, in which case it
// sets runLate: the goroutine running them then takes more.late before it
// stops. It is a loop because that goroutine may stop meanwhile, without
// the lock.
func (d *Deferred[T]) lateLocked() bool {
	for {
		st := atomic.LoadInt32(&d.run)
		if st == runIdle {
			return false
		}
		if atomic.CompareAndSwapInt32(&d.run, st, st|runLate) {
			return true
		}
	}
}

// Pause holds d's steps: until Unpause has been called as many times as
// Pause, steps added to d and the steps waiting when it fires do not run
// (Twisted's pause). A chain that waits on a paused Deferred through Chain
// waits for it to be unpaused. Pause does not delay Wait, Done or Result,
// which see the result as soon as d fires.
func (d *Deferred[T]) Pause() {
	d.mu.Lock()
	if d.more == nil {
		d.more = new(extra[T])
	}
	d.more.paused++
	d.mu.Unlock()
}

// Unpause undoes one Pause. When the last Pause is undone and d has fired,
// the steps held meanwhile run on the calling goroutine before Unpause
// returns (or, if d's steps are being run, after those). Unpause without
// a matching Pause panics.
func (d *Deferred[T]) Unpause() {
	d.mu.Lock()
	if d.more == nil || d.more.paused == 0 {
		d.mu.Unlock()
		panic("txredis/deferred: Unpause without Pause")
	}
	d.more.paused--
	var t task
	if d.more.paused == 0 && d.fired && atomic.LoadInt32(&d.run) == runIdle {
		t = d.startLocked()
	}
	d.mu.Unlock()
	drive(t)
}

// Fired reports whether d has fired.
func (d *Deferred[T]) Fired() bool {
	d.mu.Lock()
	if d.lazy != nil {
		d.kickAndLock()
	}
	defer d.mu.Unlock()
	return d.fired
}

// Result returns d's result without blocking. ok is false, and v and err
// are zero, while d is pending.
func (d *Deferred[T]) Result() (v T, err error, ok bool) {
	d.mu.Lock()
	if d.lazy != nil {
		d.kickAndLock()
	}
	defer d.mu.Unlock()
	if !d.fired {
		return v, nil, false
	}
	if d.err != nil {
		d.markReadLocked()
	}
	return d.value, d.err, true
}

// String describes d as Twisted's repr does: its type and address, and
// its result once it has fired, or what it waits on. A long result is
// cut short.
func (d *Deferred[T]) String() string {
	d.mu.Lock()
	fired, v, err, up := d.fired, d.value, d.err, d.upstream
	d.mu.Unlock()
	s := fmt.Sprintf("<Deferred[%v] at %p", reflect.TypeFor[T](), d)
	switch {
	case fired && err != nil:
		s += " failed: " + cut(err.Error())
	case fired:
		s += " current result: " + cut(fmt.Sprintf("%#v", v))
	case up != nil:
		s += fmt.Sprintf(" waiting on Deferred at %p", up)
	}
	return s + ">"
}

// maxResultText is how much of a result String shows.
const maxResultText = 200

func cut(s string) string {
	if len(s) <= maxResultText {
		return s
	}
	n := maxResultText
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
