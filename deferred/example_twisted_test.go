package deferred_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/txredis/txredis/deferred"
)

// Race fires with the first success and cancels the rest (Twisted's
// race).
func ExampleRace() {
	slow := deferred.New(func(*deferred.Deferred[string]) { fmt.Println("replica lookup cancelled") })
	fast := deferred.New[string](nil)
	r := deferred.Race(slow, fast)
	fast.Callback("from the cache")
	w, _, _ := r.Result()
	fmt.Println(w.Index, w.Value)
	// Output:
	// replica lookup cancelled
	// 1 from the cache
}

// A Semaphore bounds how many commands are in flight, as
// DeferredSemaphore does in Twisted code: Run acquires, calls the
// function, and releases when its Deferred fires.
func ExampleSemaphore() {
	sem := deferred.NewSemaphore(2)
	replies := make([]*deferred.Deferred[int], 4)
	results := make([]*deferred.Deferred[int], 4)
	for i := range results {
		results[i] = deferred.Run(sem, func() *deferred.Deferred[int] {
			fmt.Println("send", i)
			replies[i] = deferred.New[int](nil) // a command whose reply comes later
			return replies[i]
		})
	}
	fmt.Println("free tokens:", sem.Tokens())
	replies[0].Callback(0) // a reply frees a token: the next one is sent
	replies[1].Callback(10)
	all, _ := deferred.All(results[0], results[1]).Wait(context.Background())
	fmt.Println(all)
	// Output:
	// send 0
	// send 1
	// free tokens: 0
	// send 2
	// send 3
	// [0 10]
}

// Go is the inlineCallbacks bridge: blocking code in a goroutine, with
// a Deferred for its result; cancelling the Deferred cancels the
// goroutine's context.
func ExampleGo() {
	reply := deferred.New[int](nil) // a command's reply
	d := deferred.Go(context.Background(), func(ctx context.Context) (int, error) {
		n, err := reply.Wait(ctx) // inlineCallbacks' yield
		return n * 2, err
	})
	reply.Callback(21)
	fmt.Println(d.Wait(context.Background()))

	never := deferred.New[int](nil)
	stopped := make(chan error)
	d = deferred.Go(context.Background(), func(ctx context.Context) (int, error) {
		_, err := never.Wait(ctx)
		stopped <- err
		return 0, err
	})
	d.Cancel()
	fmt.Println(<-stopped)
	_, err := d.Wait(context.Background())
	fmt.Println(errors.Is(err, deferred.ErrCancelled))
	// Output:
	// 42 <nil>
	// context canceled
	// true
}

// TimeoutWith on a ManualClock (Twisted's task.Clock): a canceller that
// fires with a value decides the outcome of a timeout.
func ExampleTimeoutWith() {
	var clock deferred.ManualClock
	cached := deferred.New(func(d *deferred.Deferred[string]) { d.Callback("stale value") })
	d := deferred.TimeoutWith(cached, 2*time.Second, deferred.TimeoutOptions[string]{Clock: &clock})
	clock.Advance(time.Second)
	fmt.Println(d.Fired())
	clock.Advance(time.Second)
	fmt.Println(d.Result())

	none := deferred.New[string](nil)
	d = deferred.TimeoutWith(none, time.Second, deferred.TimeoutOptions[string]{Clock: &clock})
	clock.Advance(time.Second)
	_, err, _ := d.Result()
	fmt.Println(errors.Is(err, deferred.ErrTimeout))
	// Output:
	// false
	// stale value <nil> true
	// true
}

// A Queue hands items to waiting Gets in order (Twisted's
// DeferredQueue).
func ExampleQueue() {
	var q deferred.Queue[string]
	q.Get().Observe(func(job string, err error) { fmt.Println("worker 1:", job) })
	q.Get().Observe(func(job string, err error) { fmt.Println("worker 2:", job) })
	q.Put("resize")
	q.Put("upload")
	q.Put("mail")
	fmt.Println("queued:", q.Len())
	// Output:
	// worker 1: resize
	// worker 2: upload
	// queued: 1
}

// A step added by a step runs after the other steps, never inside the one
// that added it, as in Twisted.
func ExampleDeferred_Observe_order() {
	d := deferred.New[int](nil)
	d.Observe(func(int, error) {
		fmt.Println("step 1")
		d.Observe(func(int, error) { fmt.Println("step 3, added by step 1") })
	})
	d.Observe(func(int, error) { fmt.Println("step 2") })
	d.Callback(1)
	// Output:
	// step 1
	// step 2
	// step 3, added by step 1
}

func ExampleDeferred_Pause() {
	d := deferred.New[string](nil)
	d.Observe(func(v string, err error) { fmt.Println("step:", v) })
	d.Pause()
	d.Callback("reply")
	fmt.Println("fired, steps held:", d.Fired())
	d.Unpause()
	// Output:
	// fired, steps held: true
	// step: reply
}

func ExampleDeferred_String() {
	d := deferred.Succeed("orange")
	fmt.Println(fmt.Sprint(d)[:len("<Deferred[string] at")])
	fmt.Println(d.String()[len(d.String())-len(`current result: "orange">`):])
	// Output:
	// <Deferred[string] at
	// current result: "orange">
}
