package pool_test

import (
	"context"
	"fmt"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/pool"
)

// A pool has the command set of a single connection; a blocking command
// gets a connection of its own and does not hold up the others.
func ExampleConnect() {
	srv, err := miniredis.Run()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.Background()

	p, err := pool.Connect(pool.Options{Options: conn.Options{Addr: srv.Addr()}, PoolSize: 4}).Wait(ctx)
	if err != nil {
		panic(err)
	}
	defer func() { _, _ = p.Disconnect().Wait(ctx) }()
	fmt.Println("open:", p.Stats().Open)

	job := p.Do("BRPOP", "jobs", "5")
	_, _ = p.Set("greeting", "hello").Wait(ctx)
	greeting, _ := p.Get("greeting").Wait(ctx)
	fmt.Println(greeting)

	_, _ = p.Do("LPUSH", "jobs", "resize:42").Wait(ctx)
	v, _ := job.Wait(ctx)
	popped, _ := v.AsStrings()
	fmt.Println(popped)
	// Output:
	// open: 4
	// hello
	// [jobs resize:42]
}

// A lazy pool is usable at once: commands wait for the first dial.
func ExampleNew() {
	srv, err := miniredis.Run()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.Background()

	p := pool.New(pool.Options{Options: conn.Options{Addr: srv.Addr()}, PoolSize: 2})
	defer func() { _, _ = p.Disconnect().Wait(ctx) }()
	n, err := p.Incr("visits").Wait(ctx)
	fmt.Println(n, err)
	// Output:
	// 1 <nil>
}

// Lease lends one connection for exclusive use (a sequence of commands
// nothing else is interleaved with); ordinary commands keep flowing on
// the others. Transactions go through Multi, which leases for itself.
func ExamplePool_Lease() {
	srv, err := miniredis.Run()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.Background()

	p, err := pool.Connect(pool.Options{Options: conn.Options{Addr: srv.Addr()}, PoolSize: 2}).Wait(ctx)
	if err != nil {
		panic(err)
	}
	defer func() { _, _ = p.Disconnect().Wait(ctx) }()

	l, err := p.Lease(ctx).Wait(ctx)
	if err != nil {
		panic(err)
	}
	leased := conn.NewCommands(l) // the command set, on the leased connection
	first := leased.Incr("a")
	second := leased.Incr("a")
	beside, _ := p.Ping().Wait(ctx) // not on the leased connection
	n1, _ := first.Wait(ctx)
	n2, _ := second.Wait(ctx)
	l.Release()
	fmt.Println(beside, n1, n2)
	// Output:
	// PONG 1 2
}
