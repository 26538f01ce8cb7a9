package deferred

import (
	"context"
	"runtime"
	"testing"
	"unsafe"
)

func TestSize(t *testing.T) {
	// A Deferred is allocated per command: keep an eye on its size.
	var d Deferred[string]
	if have := unsafe.Sizeof(d); have > 128 {
		t.Errorf("Deferred[string] is %d bytes, want at most 128", have)
	}
}

// BenchmarkCallback fires a Deferred that has no steps and no waiters.
func BenchmarkCallback(b *testing.B) {
	b.ReportAllocs()
	var d Deferred[int]
	for i := 0; i < b.N; i++ {
		d = Deferred[int]{} // reuse: no steps, no waiters, nothing holds it
		d.Callback(i)
	}
}

// BenchmarkThenFire makes a Deferred, adds one step and fires it.
func BenchmarkThenFire(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d := New[int](nil)
		d.Then(inc)
		d.Callback(i)
	}
}

func observeNothing(int, error) {}

// BenchmarkObserve makes a Deferred, observes it and fires it.
func BenchmarkObserve(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d := New[int](nil)
		d.Observe(observeNothing)
		d.Callback(i)
	}
}

// BenchmarkWaitFiredLater waits, with context.Background, on a Deferred
// that another goroutine fires once the waiter is blocked.
func BenchmarkWaitFiredLater(b *testing.B) {
	b.ReportAllocs()
	var d Deferred[int]
	next := make(chan *Deferred[int])
	fired := make(chan struct{})
	go func() {
		for d := range next {
			for !d.hasWaiter() {
				runtime.Gosched()
			}
			d.Callback(1)
			fired <- struct{}{}
		}
	}()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d = Deferred[int]{} // reuse: the previous round is over
		next <- &d
		if v, _ := d.Wait(ctx); v != 1 {
			b.Fatal("wrong value")
		}
		<-fired
	}
	b.StopTimer()
	close(next)
}

func (d *Deferred[T]) hasWaiter() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.waiting
}

// BenchmarkChain100 builds a chain of 100 steps, half of them Chain
// splices of fired Deferreds, and fires it.
func BenchmarkChain100(b *testing.B) {
	b.ReportAllocs()
	splice := func(v int) *Deferred[int] { return Succeed(v) }
	for i := 0; i < b.N; i++ {
		root := New[int](nil)
		d := root
		for range 50 {
			d = Chain(d.Then(inc), splice)
		}
		root.Callback(0)
		if v, _, _ := d.Result(); v != 50 {
			b.Fatal("wrong value", v)
		}
	}
}
