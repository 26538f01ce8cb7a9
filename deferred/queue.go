package deferred

import (
	"errors"
	"sync"
)

// ErrQueueOverflow is returned by Queue.Put when the queue holds its
// maximum of items. Test for it with errors.Is.
var ErrQueueOverflow = errors.New("txredis/deferred: queue full")

// ErrQueueUnderflow is the error of the Deferred Queue.Get returns when
// the maximum of Gets are already waiting. Test for it with errors.Is.
var ErrQueueUnderflow = errors.New("txredis/deferred: too many Gets waiting")

// Queue is a queue for callback code (Twisted's DeferredQueue): Get
// returns a Deferred that fires with the next item, at once if one is
// queued, and otherwise when one is Put. Items go to the waiting Gets in
// the order they asked. The zero value is a Queue with no limits, ready
// to use. It is safe for concurrent use; it must not be copied after
// first use.
type Queue[T any] struct {
	mu      sync.Mutex // protects the fields below
	items   []T
	waiting []*Deferred[T]
	// maxItems and maxWaiting are the limits plus one; 0 is no limit,
	// so that the zero value has none.
	maxItems, maxWaiting int
}

// NewQueue returns a Queue that holds at most size items and lets at most
// backlog Gets wait. A negative size or backlog means no limit.
func NewQueue[T any](size, backlog int) *Queue[T] {
	return &Queue[T]{maxItems: max(size, -1) + 1, maxWaiting: max(backlog, -1) + 1}
}

// Put adds v to the queue, or hands it to the oldest waiting Get, whose
// Deferred fires on the calling goroutine before Put returns. It returns
// ErrQueueOverflow, and drops v, when the queue is full.
func (q *Queue[T]) Put(v T) error {
	q.mu.Lock()
	for len(q.waiting) > 0 {
		d := q.waiting[0]
		q.waiting[0] = nil
		q.waiting = q.waiting[1:]
		q.mu.Unlock()
		if d.Callback(v) == nil {
			return nil
		}
		q.mu.Lock() // cancelled meanwhile: the next one
	}
	defer q.mu.Unlock()
	if q.maxItems != 0 && len(q.items) >= q.maxItems-1 {
		return ErrQueueOverflow
	}
	q.items = append(q.items, v)
	return nil
}

// Get returns a Deferred that fires with the oldest item: at once if the
// queue holds one, otherwise when one is Put. It fails at once with
// ErrQueueUnderflow when the maximum of Gets are waiting. Cancelling it
// before it fires gives up its place (it fails with ErrCancelled), and
// no item is lost.
func (q *Queue[T]) Get() *Deferred[T] {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) > 0 {
		v := q.items[0]
		var zero T
		q.items[0] = zero
		q.items = q.items[1:]
		return Succeed(v)
	}
	if q.maxWaiting != 0 && len(q.waiting) >= q.maxWaiting-1 {
		return Fail[T](ErrQueueUnderflow)
	}
	d := New(q.cancelGet)
	q.waiting = append(q.waiting, d)
	return d
}

func (q *Queue[T]) cancelGet(d *Deferred[T]) {
	q.mu.Lock()
	q.waiting = removeWaiter(q.waiting, d)
	q.mu.Unlock()
}

// Len returns the number of items queued.
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}
