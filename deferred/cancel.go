package deferred

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
