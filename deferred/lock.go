package deferred

import "sync"

// Acquirer is a lock for callback code that never blocks: Acquire returns
// a Deferred that fires once the caller holds it, and Release gives it
// back. Lock and Semaphore implement it; Run uses it.
type Acquirer interface {
	Acquire() *Deferred[struct{}]
	Release()
}

// Lock is a mutual exclusion lock for callback code (Twisted's
// DeferredLock). Acquire never blocks: it returns a Deferred that fires
// when the lock is taken, at once if it is free, and otherwise when the
// holders before it have released it, in the order they asked. The zero
// value is an unlocked Lock. It is safe for concurrent use; it must not
// be copied after first use.
type Lock struct {
	mu      sync.Mutex // protects the fields below
	locked  bool
	waiting []*Deferred[struct{}]
}

// Acquire returns a Deferred that fires when the caller holds the lock,
// which it must then Release. Cancelling the Deferred before it fires
// gives up the place in the queue (it fails with ErrCancelled);
// cancelling it after it fired does nothing: the lock is held.
func (l *Lock) Acquire() *Deferred[struct{}] {
	l.mu.Lock()
	if !l.locked {
		l.locked = true
		l.mu.Unlock()
		return Succeed(struct{}{})
	}
	d := New(l.cancelAcquire)
	l.waiting = append(l.waiting, d)
	l.mu.Unlock()
	return d
}

func (l *Lock) cancelAcquire(d *Deferred[struct{}]) {
	l.mu.Lock()
	l.waiting = removeWaiter(l.waiting, d)
	l.mu.Unlock()
}

// Release gives the lock back. If an Acquire is waiting, the lock passes
// to the oldest one, whose Deferred fires on the calling goroutine before
// Release returns. Releasing a Lock that is not locked panics.
func (l *Lock) Release() {
	l.mu.Lock()
	if !l.locked {
		l.mu.Unlock()
		panic("txredis/deferred: Release of an unlocked Lock")
	}
	handOver(&l.mu, &l.waiting, func() { l.locked = false })
}

// Locked reports whether the lock is held.
func (l *Lock) Locked() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.locked
}

// handOver, called by a Release with mu held, fires the oldest waiter
// that has not been cancelled, and otherwise calls free. It unlocks mu.
func handOver(mu *sync.Mutex, waiting *[]*Deferred[struct{}], free func()) {
	for len(*waiting) > 0 {
		d := (*waiting)[0]
		(*waiting)[0] = nil
		*waiting = (*waiting)[1:]
		mu.Unlock()
		if d.Callback(struct{}{}) == nil {
			return
		}
		// Cancelled meanwhile: the next one.
		mu.Lock()
	}
	free()
	mu.Unlock()
}

func removeWaiter[T any](ds []*Deferred[T], d *Deferred[T]) []*Deferred[T] {
	for i, w := range ds {
		if w == d {
			return append(ds[:i], ds[i+1:]...)
		}
	}
	return ds
}

// Run acquires a, calls f once it is held, and releases a when the
// Deferred f returns has fired (Twisted's DeferredLock.run and
// DeferredSemaphore.run: bounded concurrency for commands). The returned
// Deferred fires with that Deferred's result. Cancelling it while a is
// awaited gives up the wait; once f has run, it cancels f's Deferred,
// and a is released when that fires. If f panics or returns nil, a is
// released and the Deferred fails.
func Run[T any](a Acquirer, f func() *Deferred[T]) *Deferred[T] {
	mustStep(f != nil, "Run")
	return Chain(a.Acquire(), func(struct{}) *Deferred[T] {
		inner, err := protectRun(f)
		if err == nil && inner == nil {
			err = errNilDeferred
		}
		if err != nil {
			a.Release()
			return Fail[T](err)
		}
		return inner.Finally(a.Release)
	})
}

func protectRun[T any](f func() *Deferred[T]) (d *Deferred[T], err error) {
	defer recoverTo(&err)
	return f(), nil
}
