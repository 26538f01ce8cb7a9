package deferred_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/txredis/txredis/deferred"
)

func ExampleDeferred_Then() {
	d := deferred.New[int](nil)
	d.Then(func(v int) (int, error) {
		return v * 2, nil
	}).Then(func(v int) (int, error) {
		return 0, fmt.Errorf("%d is too big", v)
	}).Then(func(v int) (int, error) {
		fmt.Println("skipped: the chain carries an error")
		return v, nil
	}).Catch(func(err error) (int, error) {
		fmt.Println("caught:", err)
		return -1, nil
	}).Observe(func(v int, err error) {
		fmt.Println("result:", v, err)
	})

	d.Callback(21) // the steps run now, on this goroutine
	// Output:
	// caught: 42 is too big
	// result: -1 <nil>
}

func ExampleThen() {
	d := deferred.Succeed("42")
	n := deferred.Then(d, strconv.Atoi)
	fmt.Println(n.Result())
	// Output: 42 <nil> true
}

func ExampleChain() {
	// lookup stands for a command whose reply arrives later.
	replies := map[string]*deferred.Deferred[string]{}
	lookup := func(key string) *deferred.Deferred[string] {
		d := deferred.New[string](nil)
		replies[key] = d
		return d
	}

	name := lookup("user:1:name")
	greeting := deferred.Chain(name, func(n string) *deferred.Deferred[string] {
		return lookup("greeting:" + n) // the chain pauses until this fires
	}).Then(func(g string) (string, error) {
		return g + "!", nil
	})

	replies["user:1:name"].Callback("ada")
	fmt.Println(greeting.Fired())
	replies["greeting:ada"].Callback("hello, ada")
	fmt.Println(greeting.Result())
	// Output:
	// false
	// hello, ada! <nil> true
}

func ExampleAll() {
	a, b := deferred.New[int](nil), deferred.New[int](nil)
	all := deferred.All(a, b, deferred.Succeed(3))
	b.Callback(2)
	a.Callback(1)
	fmt.Println(all.Result())

	failed := deferred.All(deferred.Succeed(1), deferred.Fail[int](errors.New("no such key")))
	_, err, _ := failed.Result()
	var fe *deferred.FirstError
	if errors.As(err, &fe) {
		fmt.Println("index", fe.Index, "failed:", fe.Err)
	}
	// Output:
	// [1 2 3] <nil> true
	// index 1 failed: no such key
}

func ExampleDeferred_Wait() {
	d := deferred.New[string](nil)
	go func() {
		time.Sleep(10 * time.Millisecond) // the reply arrives
		d.Callback("PONG")
	}()
	fmt.Println(d.Wait(context.Background()))

	// A Wait that gives up leaves the Deferred alone.
	slow := deferred.New[string](nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, err := slow.Wait(ctx)
	fmt.Println(err, slow.Fired())
	// Output:
	// PONG <nil>
	// context deadline exceeded false
}

func ExampleDeferred_Cancel() {
	get := deferred.New(func(*deferred.Deferred[string]) {
		fmt.Println("command cancelled")
	})
	n := deferred.Then(get, func(s string) (int, error) { return len(s), nil })

	n.Cancel() // reaches the command through the chain
	_, err, _ := n.Result()
	fmt.Println(errors.Is(err, deferred.ErrCancelled))

	// The reply, when it comes, is dropped.
	fmt.Println(get.Callback("late reply"))
	// Output:
	// command cancelled
	// true
	// txredis/deferred: already called
}

func ExampleTimeout() {
	never := deferred.New(func(*deferred.Deferred[string]) {
		fmt.Println("cancelled")
	})
	v, err := deferred.Timeout(never, 10*time.Millisecond).Wait(context.Background())
	fmt.Printf("%q %v %v\n", v, err, errors.Is(err, deferred.ErrTimeout))
	// Output:
	// cancelled
	// "" txredis/deferred: timed out true
}
