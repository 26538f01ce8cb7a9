package deferred

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

var errNoDeferreds = errors.New("txredis/deferred: First of no Deferreds")

// FirstError is the error of a combined Deferred (All, or List with
// FireOnFirstError) when one of its Deferreds fails. Test for it with
// errors.As; errors.Is sees through it to Err.
type FirstError struct {
	Index int   // the position of the failed Deferred in the arguments
	Err   error // its error
}

// Error returns a message naming the index and the error.
func (e *FirstError) Error() string {
	return fmt.Sprintf("txredis/deferred: Deferred %d failed: %v", e.Index, e.Err)
}

// Unwrap returns Err.
func (e *FirstError) Unwrap() error { return e.Err }

// Outcome is the result of one Deferred in a List.
type Outcome[T any] struct {
	OK    bool  // true if the Deferred succeeded with Value
	Value T     // its value, if OK
	Err   error // its error, if it failed; nil and OK false means not collected
}

// ListOptions selects when a List fires.
type ListOptions struct {
	// FireOnFirstResult fires the List with the first success. The slice
	// then has the length of the input, with only the entry of that
	// Deferred set (OK true); every other entry is the zero Outcome.
	FireOnFirstResult bool
	// FireOnFirstError fails the List with a *FirstError on the first
	// failure.
	FireOnFirstError bool
	// ConsumeErrors makes the List receive the errors of its Deferreds,
	// so that with SetDebugging on a failed Deferred of the List is not
	// reported as unhandled (Twisted's consumeErrors). Without it the
	// List only records each error in its Outcome, a value easily
	// ignored, and a failure nothing else receives is reported. Steps
	// added to a Deferred branch rather than extend one chain, so unlike
	// Twisted's the option never changes what other steps of ds see.
	ConsumeErrors bool
}

func mustDeferreds[T any](name string, ds []*Deferred[T]) []*Deferred[T] {
	for _, d := range ds {
		if d == nil {
			panic("txredis/deferred: " + name + " with a nil Deferred")
		}
	}
	return slices.Clone(ds)
}

// cancelAll returns a canceller that cancels every one of ds.
func cancelAll[T, U any](ds []*Deferred[T]) func(*Deferred[U]) {
	return func(*Deferred[U]) {
		for _, d := range ds {
			d.Cancel()
		}
	}
}

// All returns a Deferred that fires with the values of ds, in order, once
// all of them have succeeded (Twisted's gatherResults). If one fails, it
// fails at once with a *FirstError holding that Deferred's index and
// error; the other Deferreds are not cancelled. Cancelling the returned
// Deferred cancels every one of ds, so it fails with a *FirstError that
// wraps ErrCancelled. With no Deferreds it fires at once with an empty
// slice. ds must not contain nil.
func All[T any](ds ...*Deferred[T]) *Deferred[[]T] {
	ds = mustDeferreds("All", ds)
	if len(ds) == 0 {
		return Succeed([]T{})
	}
	s := &allState[T]{vals: make([]T, len(ds)), left: len(ds)}
	s.out.canceller = cancelAll[T, []T](ds)
	for i, d := range ds {
		watch(d, &s.out, false, func(v T, err error) { s.set(i, v, err) })
	}
	return &s.out
}

type allState[T any] struct {
	out Deferred[[]T]

	mu   sync.Mutex // protects the fields below
	vals []T
	left int
	done bool
}

func (s *allState[T]) set(i int, v T, err error) {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return
	}
	if err != nil {
		s.done = true
		s.mu.Unlock()
		s.out.Errback(&FirstError{Index: i, Err: err})
		return
	}
	s.vals[i] = v
	s.left--
	if s.left > 0 {
		s.mu.Unlock()
		return
	}
	s.done = true
	s.mu.Unlock()
	s.out.Callback(s.vals)
}

// List returns a Deferred that fires with the outcome of each of ds, in
// order, once all of them have fired (Twisted's DeferredList); by default
// it never fails. opts can make it fire earlier: see ListOptions. Once it
// has fired, later results are ignored. Cancelling it cancels every one of
// ds. With no Deferreds it fires at once with an empty slice. ds must not
// contain nil.
func List[T any](ds []*Deferred[T], opts ListOptions) *Deferred[[]Outcome[T]] {
	ds = mustDeferreds("List", ds)
	if len(ds) == 0 {
		return Succeed([]Outcome[T]{})
	}
	s := &listState[T]{opts: opts, res: make([]Outcome[T], len(ds)), left: len(ds)}
	s.out.canceller = cancelAll[T, []Outcome[T]](ds)
	for i, d := range ds {
		watch(d, &s.out, !opts.ConsumeErrors, func(v T, err error) { s.set(i, v, err) })
	}
	return &s.out
}

type listState[T any] struct {
	out  Deferred[[]Outcome[T]]
	opts ListOptions

	mu   sync.Mutex // protects the fields below
	res  []Outcome[T]
	left int
	done bool
}

func (s *listState[T]) set(i int, v T, err error) {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return
	}
	switch {
	case err == nil && s.opts.FireOnFirstResult:
		s.done = true
		n := len(s.res)
		s.mu.Unlock()
		res := make([]Outcome[T], n)
		res[i] = Outcome[T]{OK: true, Value: v}
		s.out.Callback(res)
		return
	case err != nil && s.opts.FireOnFirstError:
		s.done = true
		s.mu.Unlock()
		s.out.Errback(&FirstError{Index: i, Err: err})
		return
	case err == nil:
		s.res[i] = Outcome[T]{OK: true, Value: v}
	default:
		s.res[i] = Outcome[T]{Err: err}
	}
	s.left--
	if s.left > 0 {
		s.mu.Unlock()
		return
	}
	s.done = true
	s.mu.Unlock()
	s.out.Callback(s.res)
}

// First returns a Deferred that fires with the first result, success or
// error, of any of ds. The others are not cancelled when one fires;
// cancelling the returned Deferred cancels all of them. With no Deferreds
// it fails at once. ds must not contain nil. Race is the Twisted
// primitive that cancels the losers.
func First[T any](ds ...*Deferred[T]) *Deferred[T] {
	ds = mustDeferreds("First", ds)
	if len(ds) == 0 {
		return Fail[T](errNoDeferreds)
	}
	out := New(cancelAll[T, T](ds))
	set := func(v T, err error) { out.Resolve(v, err) }
	for _, d := range ds {
		watch(d, out, false, set)
	}
	return out
}

// Indexed is the result of Race: the index of the Deferred that won, in
// the arguments, and its value.
type Indexed[T any] struct {
	Index int
	Value T
}

// FailureGroup is the error of Race when every one of its Deferreds
// failed: their errors, in the order of the arguments. errors.Is and
// errors.As look at each of them.
type FailureGroup struct {
	Errs []error
}

// Error lists the errors.
func (e *FailureGroup) Error() string {
	s := fmt.Sprintf("txredis/deferred: all %d Deferreds failed", len(e.Errs))
	for i, err := range e.Errs {
		s += fmt.Sprintf("; %d: %v", i, err)
	}
	return s
}

// Unwrap returns Errs.
func (e *FailureGroup) Unwrap() []error { return e.Errs }

// Race returns a Deferred that fires with the index and value of the
// first of ds to succeed, and cancels all the others at that moment
// (Twisted's race). It fails with a *FailureGroup only when all of ds
// fail. A result that arrives after the winner (from a Deferred whose
// canceller fired it with a value, say) is dropped. Cancelling the
// returned Deferred cancels every one of ds, so it fails with a
// *FailureGroup that matches ErrCancelled. With no Deferreds it fails at
// once. ds must not contain nil.
func Race[T any](ds ...*Deferred[T]) *Deferred[Indexed[T]] {
	ds = mustDeferreds("Race", ds)
	if len(ds) == 0 {
		return Fail[Indexed[T]](errNoDeferreds)
	}
	s := &raceState[T]{ds: ds, errs: make([]error, len(ds))}
	s.out.canceller = cancelAll[T, Indexed[T]](ds)
	for i, d := range ds {
		watch(d, &s.out, false, func(v T, err error) { s.set(i, v, err) })
	}
	return &s.out
}

type raceState[T any] struct {
	out Deferred[Indexed[T]]
	ds  []*Deferred[T]

	mu     sync.Mutex // protects the fields below
	won    bool
	failed int
	errs   []error
}

func (s *raceState[T]) set(i int, v T, err error) {
	s.mu.Lock()
	if s.won {
		s.mu.Unlock()
		return
	}
	if err != nil {
		s.errs[i] = err
		s.failed++
		all := s.failed == len(s.ds)
		s.mu.Unlock()
		if all {
			s.out.Errback(&FailureGroup{Errs: s.errs})
		}
		return
	}
	s.won = true
	s.mu.Unlock()
	for j, d := range s.ds {
		if j != i {
			d.Cancel()
		}
	}
	s.out.Callback(Indexed[T]{Index: i, Value: v})
}
