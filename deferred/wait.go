package deferred

import "context"

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
// cancelled nor changed.
//
// Wait must not be called from a step of d.
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
		if err != nil {
			d.markReadLocked()
		}
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
		return d.waited()
	}
	done := d.doneLocked()
	d.mu.Unlock()
	select {
	case <-done:
		return d.waited()
	case <-ctxDone:
		var zero T
		return zero, ctx.Err()
	}
}

// waited returns the result of d, which has fired, to Wait.
func (d *Deferred[T]) waited() (T, error) {
	if d.err != nil {
		d.mu.Lock()
		d.markReadLocked()
		d.mu.Unlock()
	}
	return d.value, d.err
}
