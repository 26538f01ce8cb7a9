package deferred

// Lazy is told when a Deferred marked with SetLazy is first observed.
// It is for handle writers whose work for a Deferred can wait until
// somebody looks at it, and can then be done on the goroutine that
// looks: a connection that reads a quiet socket on the goroutine that
// waits for the reply, instead of handing the reply over from a reader
// goroutine (rueidis and go-redis read on the caller's goroutine too).
//
// Exactly one of the functions is called, once, outside the Deferred's
// lock, and only if the Deferred has not fired before it is observed. A
// Lazy is shared by the Deferreds of one handle and must not change once
// it is in use.
type Lazy struct {
	// Drive is called by Wait (without a context that can end) on the
	// waiting goroutine before it blocks, with the Deferred (a
	// *Deferred[T]) as d. It may fire the Deferred there, or start
	// whatever fires it; either way the Deferred must then fire without
	// further help.
	Drive func(d any)
	// Kick is called when the Deferred is observed any other way: a step
	// is added, Done, Fired or Result is called, or Wait is given a
	// context that can end. Whatever fires the Deferred must start.
	Kick func()
}

// SetLazy marks d lazy: l is told when d is first observed (see Lazy).
// It does nothing once d has fired. A handle calls it before it returns
// d to its caller; if d is observed already (a Wait blocks on it, it has
// steps, or its Done channel was taken), as when a handle that sends
// later returned d first, nobody would tell l: SetLazy then calls
// l.Kick instead of marking d.
func (d *Deferred[T]) SetLazy(l *Lazy) {
	d.mu.Lock()
	if d.fired {
		d.mu.Unlock()
		return
	}
	if d.waiting || d.first != nil || (d.more != nil && d.more.done != nil) {
		d.mu.Unlock()
		l.Kick()
		return
	}
	d.lazy = l
	d.mu.Unlock()
}

// kickAndLock, called with d.mu held and d.lazy set, clears d.lazy and
// kicks it without the lock, then takes the lock again.
func (d *Deferred[T]) kickAndLock() {
	l := d.lazy
	d.lazy = nil
	if d.fired {
		return
	}
	d.mu.Unlock()
	l.Kick()
	d.mu.Lock()
}
