package pubsub

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/txredis/txredis/conn"
)

// buffer is the bounded queue between a connection's reader goroutine
// (put) and one delivery goroutine (the receiver of ch).
type buffer[T any] struct {
	ch     chan T
	policy Overflow
	wait   time.Duration
	stop   <-chan struct{} // closed by Disconnect: a blocked put gives up
	logger *slog.Logger    // where a panicking consumer is reported, if set

	// timer is used by put only. put runs on the connection's reader
	// goroutine; readers of successive sockets never overlap.
	timer *time.Timer

	received  atomic.Uint64
	delivered atomic.Uint64
	dropped   atomic.Uint64
	panics    atomic.Uint64
}

func newBuffer[T any](o Options, stop <-chan struct{}) *buffer[T] {
	return &buffer[T]{ch: make(chan T, o.BufferSize), policy: o.Overflow, wait: o.BlockTimeout, stop: stop, logger: o.Logger}
}

// put queues v according to the overflow policy. It never waits longer
// than the block timeout, and not at all once stop is closed.
func (b *buffer[T]) put(v T) {
	b.received.Add(1)
	select {
	case b.ch <- v:
		return
	default:
	}
	if b.policy == Drop {
		b.dropped.Add(1)
		return
	}
	if b.timer == nil {
		b.timer = time.NewTimer(b.wait)
	} else {
		b.timer.Reset(b.wait)
	}
	select {
	case b.ch <- v:
	case <-b.timer.C:
		b.dropped.Add(1)
	case <-b.stop:
		b.dropped.Add(1)
	}
	b.timer.Stop()
}

// run hands every queued value to deliver, in order, until stop is
// closed; deliver reports whether the value reached the consumer.
func (b *buffer[T]) run(deliver func(T) bool) {
	for {
		select {
		case <-b.stop:
			return
		case v := <-b.ch:
			if b.deliverOne(deliver, v) {
				b.delivered.Add(1)
			}
		}
	}
}

// deliverOne calls deliver(v). A consumer that panics does not take the
// program down from the delivery goroutine: the value counts as not
// delivered, the panic is counted (Stats.Panics) and logged to
// Options.Logger when set, and delivery goes on with the next value.
func (b *buffer[T]) deliverOne(deliver func(T) bool, v T) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			ok = false
			b.panics.Add(1)
			if b.logger != nil {
				b.logger.Log(context.Background(), slog.LevelError, "txredis/pubsub: message handler panicked",
					"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
		}
	}()
	return deliver(v)
}

// stats returns the buffer's counters.
func (b *buffer[T]) stats() conn.Stats {
	return conn.Stats{
		Received:  b.received.Load(),
		Delivered: b.delivered.Load(),
		Dropped:   b.dropped.Load(),
		Panics:    b.panics.Load(),
		Buffered:  len(b.ch),
	}
}
