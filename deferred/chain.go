package deferred

import "runtime/debug"

// Each step is a node that holds the Deferred it feeds, so that adding a
// step costs one allocation. The node is the listener of the Deferred it
// follows; the Deferred it feeds points back there for Cancel.

func mustStep(ok bool, name string) {
	if !ok {
		panic("txredis/deferred: " + name + " with a nil function")
	}
}

// Then returns a Deferred that fires with f's result when d succeeds. If d
// fails, f is not called and the error passes through. An error from f
// fails the returned Deferred; the steps after it see that error.
func (d *Deferred[T]) Then(f func(T) (T, error)) *Deferred[T] {
	return Then(d, f)
}

// Then is the type-changing form of the Then method: the returned Deferred
// fires with f's result when d succeeds, and fails with d's error
// otherwise.
func Then[T, U any](d *Deferred[T], f func(T) (U, error)) *Deferred[U] {
	mustStep(f != nil, "Then")
	n := &thenNode[T, U]{f: f}
	n.out.upstream = d
	drive(d.listen(n))
	return &n.out
}

type thenNode[T, U any] struct {
	out Deferred[U]
	f   func(T) (U, error)
}

func (n *thenNode[T, U]) call(v T, err error) task {
	if err != nil {
		var zero U
		return n.out.call(zero, err)
	}
	u, err := protect1(n.f, v)
	return n.out.call(u, err)
}

func protect1[A, R any](f func(A) (R, error), a A) (r R, err error) {
	defer recoverTo(&err)
	return f(a)
}

// Catch returns a Deferred that fires with d's value when d succeeds, and
// with f's result when d fails: if f returns a nil error, the chain has
// recovered and the steps after it see f's value.
func (d *Deferred[T]) Catch(f func(error) (T, error)) *Deferred[T] {
	mustStep(f != nil, "Catch")
	n := &catchNode[T]{f: f}
	n.out.upstream = d
	drive(d.listen(n))
	return &n.out
}

type catchNode[T any] struct {
	out Deferred[T]
	f   func(error) (T, error)
}

func (n *catchNode[T]) call(v T, err error) task {
	if err == nil {
		return n.out.call(v, nil)
	}
	v, err = protect1(n.f, err)
	return n.out.call(v, err)
}

// Both returns a Deferred that fires with f's result, f being called with
// d's result whether d succeeds or fails (Twisted's addBoth).
func (d *Deferred[T]) Both(f func(T, error) (T, error)) *Deferred[T] {
	mustStep(f != nil, "Both")
	n := &bothNode[T]{f: f}
	n.out.upstream = d
	drive(d.listen(n))
	return &n.out
}

type bothNode[T any] struct {
	out Deferred[T]
	f   func(T, error) (T, error)
}

func (n *bothNode[T]) call(v T, err error) task {
	v, err = protect2(n.f, v, err)
	return n.out.call(v, err)
}

func protect2[A, R any](f func(A, error) (R, error), a A, e error) (r R, err error) {
	defer recoverTo(&err)
	return f(a, e)
}

// Finally returns a Deferred that fires with d's result after calling f,
// whether d succeeds or fails. If f panics, the returned Deferred fails
// with a *PanicError instead.
func (d *Deferred[T]) Finally(f func()) *Deferred[T] {
	mustStep(f != nil, "Finally")
	n := &finallyNode[T]{f: f}
	n.out.upstream = d
	drive(d.listen(n))
	return &n.out
}

type finallyNode[T any] struct {
	out Deferred[T]
	f   func()
}

func (n *finallyNode[T]) call(v T, err error) task {
	if perr := protectFinally(n.f); perr != nil {
		var zero T
		return n.out.call(zero, perr)
	}
	return n.out.call(v, err)
}

func protectFinally(f func()) (err error) {
	defer recoverTo(&err)
	f()
	return nil
}

// Observe calls f with d's result when d fires, or at once if it has. It
// is the cheapest way to listen: no Deferred is made. As there is no chain
// to carry it, a panic in f is recovered and given, as a *PanicError, to
// the error handler (SetErrorHandler), which logs it by default.
func (d *Deferred[T]) Observe(f func(T, error)) {
	mustStep(f != nil, "Observe")
	drive(d.listen(observer[T](f)))
}

type observer[T any] func(T, error)

func (f observer[T]) call(v T, err error) task {
	defer reportPanic()
	f(v, err)
	return nil
}

// reportPanic gives a recovered panic to the error handler. It must be
// deferred directly.
func reportPanic() {
	if r := recover(); r != nil {
		report(&PanicError{Value: r, Stack: debug.Stack()})
	}
}

// watch is Observe for the combinators (All, List, First, Race, Timeout):
// a panic in f fails out, the Deferred the combinator returns, with a
// *PanicError. With passive set, f does not count as receiving d's
// errors (see SetDebugging).
func watch[T, U any](d *Deferred[T], out *Deferred[U], passive bool, f func(T, error)) {
	w := &watcher[T, U]{f: f, out: out}
	if passive {
		drive(d.listen(passiveWatcher[T, U]{w}))
		return
	}
	drive(d.listen(w))
}

type watcher[T, U any] struct {
	f   func(T, error)
	out *Deferred[U]
}

func (w *watcher[T, U]) call(v T, err error) task {
	if perr := protectWatch(w.f, v, err); perr != nil {
		w.out.Errback(perr)
	}
	return nil
}

func protectWatch[T any](f func(T, error), v T, e error) (err error) {
	defer recoverTo(&err)
	f(v, e)
	return nil
}

type passiveWatcher[T, U any] struct{ *watcher[T, U] }

func (passiveWatcher[T, U]) passive() {}

// Chain returns a Deferred that, when d succeeds, waits for the Deferred
// f returns and fires with its result: the chain pauses until then. If d
// fails, f is not called and the error passes through. If f returns nil,
// the returned Deferred fails.
func Chain[T, U any](d *Deferred[T], f func(T) *Deferred[U]) *Deferred[U] {
	mustStep(f != nil, "Chain")
	n := &chainNode[T, U]{f: f}
	n.out.upstream = d
	drive(d.listen(n))
	return &n.out
}

type chainNode[T, U any] struct {
	out Deferred[U]
	f   func(T) *Deferred[U]
}

func (n *chainNode[T, U]) call(v T, err error) task {
	if err != nil {
		var zero U
		return n.out.call(zero, err)
	}
	inner, err := protectChain(n.f, v)
	return n.out.splice(inner, err)
}

func protectChain[T, U any](f func(T) *Deferred[U], v T) (d *Deferred[U], err error) {
	defer recoverTo(&err)
	return f(v), nil
}

// ChainBoth is Chain for a step that sees every result: f is called with
// d's result whether d succeeds or fails, and the returned Deferred fires
// with the result of the Deferred f returns.
func ChainBoth[T, U any](d *Deferred[T], f func(T, error) *Deferred[U]) *Deferred[U] {
	mustStep(f != nil, "ChainBoth")
	n := &chainBothNode[T, U]{f: f}
	n.out.upstream = d
	drive(d.listen(n))
	return &n.out
}

type chainBothNode[T, U any] struct {
	out Deferred[U]
	f   func(T, error) *Deferred[U]
}

func (n *chainBothNode[T, U]) call(v T, err error) task {
	inner, err := protectChainBoth(n.f, v, err)
	return n.out.splice(inner, err)
}

func protectChainBoth[T, U any](f func(T, error) *Deferred[U], v T, e error) (d *Deferred[U], err error) {
	defer recoverTo(&err)
	return f(v, e), nil
}

// splice makes d wait for inner (or fail with err) and returns the
// follow-up if inner has already fired.
func (d *Deferred[T]) splice(inner *Deferred[T], err error) task {
	if err == nil && inner == nil {
		err = errNilDeferred
	}
	if err == nil && inner == d {
		err = errSelfSplice
	}
	if err != nil {
		var zero T
		return d.call(zero, err)
	}
	d.mu.Lock()
	if d.fired {
		d.mu.Unlock()
		return nil
	}
	d.upstream = inner
	d.mu.Unlock()
	return inner.listen(d)
}
