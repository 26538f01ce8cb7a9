//go:build gc && (amd64 || arm64)

package conn_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// Never Wait in a callback: callbacks run on the connection's reader
// goroutine, and blocking it would stop every later reply, the awaited
// one included. Such a Wait fails at once with ErrWaitOnDispatcher (and
// is reported to the error handler). Return a Deferred instead (Chain),
// or Wait in a goroutine of your own.
func ExampleConn_waitInCallback() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	ctx := context.Background()
	rc, _ := conn.Connect(conn.Options{Addr: mr.Addr()}).Wait(ctx)
	defer rc.Disconnect()
	prev := deferred.SetErrorHandler(func(err error) { fmt.Println("reported:", errors.Is(err, deferred.ErrWaitOnDispatcher)) })
	defer func() { deferred.SetErrorHandler(prev) }()

	rc.Set("name", "ada")
	// Wrong: Wait inside a callback (the BLPOP holds its reply 100ms, so
	// the callback is in place and runs on the reader goroutine).
	wrong := deferred.Then(rc.Do("BLPOP", "empty", "0.1"), func(proto.Value) (string, error) {
		return rc.Get("name").Wait(ctx)
	})
	_, err := wrong.Wait(ctx)
	fmt.Println(errors.Is(err, deferred.ErrWaitOnDispatcher))

	// Right: the callback returns the Deferred; the chain waits for it.
	right := deferred.Chain(rc.Do("BLPOP", "empty", "0.1"), func(proto.Value) *deferred.Deferred[string] {
		return rc.Get("name")
	})
	fmt.Println(right.Wait(ctx))
	// Output:
	// reported: true
	// true
	// ada <nil>
}
