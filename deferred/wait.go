package deferred

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/txredis/txredis/internal/dispatch"
	"github.com/txredis/txredis/internal/goroutine"
)

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
	if d.lazy != nil {
		d.kickAndLock()
	}
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
// Wait must not be called from a callback (a step) running on a
// connection's reader goroutine, or on any goroutine marked with
// MarkDispatcher: blocking there stops the delivery of every later reply,
// the awaited one included. There, for a Deferred that has not fired,
// Wait does not block: it returns ErrWaitOnDispatcher at once, and also
// gives it to the error handler (SetErrorHandler) so that it is seen. In
// a callback, return a Deferred instead (Chain), or wait in a goroutine
// of your own.
//
// Wait returns as soon as d has fired: steps added to d may still be
// running on the goroutine that fired it. To use what a step computed,
// wait on the Deferred the step returns (d.Then(f).Wait(ctx)), which fires
// after f has run. Waiting on d from a step that d's firing drives (a step
// of All(d, ...), say) returns at once, so such code cannot deadlock.
func (d *Deferred[T]) Wait(ctx context.Context) (T, error) {
	d.mu.Lock()
	if d.fired {
		return d.firedUnlock()
	}
	if (dispatchers.Load() != 0 || dispatch.Any()) && onDispatcher() {
		d.mu.Unlock()
		err := fmt.Errorf("%w (Wait on %v)", ErrWaitOnDispatcher, d)
		report(err)
		var zero T
		return zero, err
	}
	ctxDone := ctx.Done()
	if l := d.lazy; l != nil {
		// Drive may do the work that fires d on this goroutine, which
		// then need not block; it cannot honour ctx, so with one Wait
		// only tells that d is awaited.
		d.lazy = nil
		d.mu.Unlock()
		if ctxDone == nil {
			l.Drive(d)
		} else {
			l.Kick()
		}
		d.mu.Lock()
		if d.fired {
			return d.firedUnlock()
		}
	}
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

// firedUnlock returns the result of d, which has fired, to Wait, and
// releases d.mu.
func (d *Deferred[T]) firedUnlock() (T, error) {
	v, err := d.value, d.err
	if err != nil {
		d.markReadLocked()
	}
	d.mu.Unlock()
	return v, err
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

// ErrWaitOnDispatcher is the error Wait returns, instead of blocking, when
// it is called on a dispatcher goroutine (a connection's reader, running
// a callback) for a Deferred that has not fired. Test for it with
// errors.Is.
var ErrWaitOnDispatcher = errors.New("txredis/deferred: Wait in a callback on a dispatcher goroutine (a connection's reader) would block every later reply; use Chain, or Wait in a goroutine of your own")

// The goroutines marked by MarkDispatcher, by identity, with a count of
// marks, spread over shards so that a mark copies little: each shard is a
// map replaced as a whole under dispatchMu and read without a lock.
var (
	dispatchMu  sync.Mutex
	dispatchSet [64]atomic.Pointer[map[uintptr]int]
	dispatchers atomic.Int32 // how many goroutines are marked
)

func dispatchShard(id uintptr) *atomic.Pointer[map[uintptr]int] {
	return &dispatchSet[uint64(id)*0x9E3779B97F4A7C15>>58]
}

// MarkDispatcher marks the calling goroutine as a dispatcher until the
// returned function is called, which must happen before the goroutine
// ends: a goroutine that fires Deferreds for others, as a connection's
// reader does, and whose blocking would stop them all. On a dispatcher,
// Wait on a Deferred that has not fired returns ErrWaitOnDispatcher at
// once instead of blocking. Marks nest.
//
// The check costs a few nanoseconds in a Wait that is about to block,
// nothing elsewhere. Where the goroutine cannot be identified (an
// architecture other than amd64 and arm64), MarkDispatcher does nothing.
func MarkDispatcher() (unmark func()) {
	id := goroutine.Current()
	if id == 0 {
		return func() {}
	}
	updateDispatchers(id, 1)
	return func() { updateDispatchers(id, -1) }
}

func updateDispatchers(id uintptr, delta int) {
	dispatchMu.Lock()
	defer dispatchMu.Unlock()
	shard := dispatchShard(id)
	m := make(map[uintptr]int)
	if old := shard.Load(); old != nil {
		m = maps.Clone(*old)
	}
	before := len(m)
	if m[id] += delta; m[id] <= 0 {
		delete(m, id)
	}
	shard.Store(&m)
	dispatchers.Add(int32(len(m) - before))
}

// onDispatcher reports whether the calling goroutine is marked.
func onDispatcher() bool {
	id := goroutine.Current()
	if dispatch.Any() && dispatch.Marked(id) {
		return true
	}
	m := dispatchShard(id).Load()
	if m == nil {
		return false
	}
	_, ok := (*m)[id]
	return ok
}
