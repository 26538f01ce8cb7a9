package txn_test

import (
	"context"
	"fmt"
	"strconv"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/txn"
)

// A transaction: the commands are queued by the server, and each typed
// Deferred fires at Commit with its own result.
func Example_multi() {
	srv, err := miniredis.Run()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.Background()

	rc, err := conn.Connect(conn.Options{Addr: srv.Addr()}).Wait(ctx)
	if err != nil {
		panic(err)
	}
	defer rc.Disconnect()

	tx, err := rc.Multi().Wait(ctx)
	if err != nil {
		panic(err)
	}
	tx.Set("a1", "1")
	n := tx.Incr("a1")
	a1 := tx.Get("a1")

	replies, err := tx.Commit().Wait(ctx)
	fmt.Println("commit:", replies, err)
	fmt.Println(n.Result())
	fmt.Println(a1.Result())
	// Output:
	// commit: [OK (integer) 2 "2"] <nil>
	// 2 <nil> true
	// 2 <nil> true
}

// Optimistic locking: read under WATCH, write in MULTI, retry when
// another client changed the key in between.
func ExampleWatch() {
	srv, err := miniredis.Run()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.Background()

	rc, err := conn.Connect(conn.Options{Addr: srv.Addr()}).Wait(ctx)
	if err != nil {
		panic(err)
	}
	defer rc.Disconnect()
	rc.Set("balance", "100")

	err = txn.Watch(ctx, rc, []string{"balance"}, func(tx *txn.Tx) error {
		s, err := tx.Get("balance").Wait(ctx)
		if err != nil {
			return err
		}
		balance, _ := strconv.Atoi(s)
		tx.Multi()
		tx.Set("balance", strconv.Itoa(balance*2))
		return nil
	})
	fmt.Println(err)
	fmt.Println(rc.Get("balance").Wait(ctx))
	// Output:
	// <nil>
	// 200 <nil>
}

// An explicit pipeline: nothing is sent until Execute, which sends all
// commands in one write.
func Example_pipeline() {
	srv, err := miniredis.Run()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.Background()

	rc, err := conn.Connect(conn.Options{Addr: srv.Addr()}).Wait(ctx)
	if err != nil {
		panic(err)
	}
	defer rc.Disconnect()

	p := rc.Pipeline()
	p.Set("k", "v")
	get := p.Get("k")
	n := p.Incr("counter")
	fmt.Println("before Execute:", get.Fired())

	replies, err := p.Execute().Wait(ctx)
	fmt.Println("execute:", replies, err)
	fmt.Println(get.Result())
	fmt.Println(n.Result())
	// Output:
	// before Execute: false
	// execute: [OK "v" (integer) 1] <nil>
	// v <nil> true
	// 1 <nil> true
}
