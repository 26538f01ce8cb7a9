package conn_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// Connect fires once the connection is up (txredisapi's Connection);
// Wait bridges to blocking code, as inlineCallbacks' yield does.
func ExampleConnect() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	ctx := context.Background()

	rc, err := conn.Connect(conn.Options{Addr: mr.Addr()}).Wait(ctx)
	if err != nil {
		fmt.Println("connect:", err)
		return
	}
	rc.Set("foo", "bar")
	v, _ := rc.Get("foo").Wait(ctx)
	fmt.Println("foo:", v)

	_, err = rc.Get("missing").Wait(ctx)
	fmt.Println("missing is nil:", errors.Is(err, proto.ErrNil))
	rc.Disconnect().Wait(ctx)
	// Output:
	// foo: bar
	// missing is nil: true
}

// New returns the connection at once (txredisapi's lazyConnection):
// commands sent before the dial completes wait for it.
func ExampleNew() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	ctx := context.Background()

	rc := conn.New(conn.Options{Addr: mr.Addr()})
	n, err := rc.Incr("visits").Wait(ctx)
	fmt.Println(n, err)
	rc.Disconnect().Wait(ctx)
	// Output: 1 <nil>
}

// Callbacks run on the connection's reader goroutine, in reply order;
// they must not block, but they may send more commands.
func ExampleConn_callbacks() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	ctx := context.Background()
	rc, _ := conn.Connect(conn.Options{Addr: mr.Addr()}).Wait(ctx)
	defer rc.Disconnect()

	rc.Set("greeting", "hello")
	shout := deferred.Chain(rc.Get("greeting"), func(v string) *deferred.Deferred[int64] {
		return rc.Append("log", strings.ToUpper(v)+";")
	})
	n, _ := shout.Wait(ctx)
	logged, _ := rc.Get("log").Wait(ctx)
	fmt.Println(n, logged)
	// Output: 6 HELLO;
}

// Cancel fails a pending command at once; its reply is still read and
// dropped, so the next command gets its own reply.
func ExampleConn_cancel() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	ctx := context.Background()
	rc, _ := conn.Connect(conn.Options{Addr: mr.Addr()}).Wait(ctx)
	defer rc.Disconnect()

	rc.Set("k", "v")
	d := rc.Do("BLPOP", "empty", "0.1") // the server answers after 100ms
	d.Cancel()
	_, err := d.Wait(ctx)
	fmt.Println(errors.Is(err, deferred.ErrCancelled))
	v, _ := rc.Get("k").Wait(ctx)
	fmt.Println(v)
	// Output:
	// true
	// v
}

// A request handler binds its context to the commands it sends: when the
// request's deadline passes, they are cancelled, and the connection goes
// on serving other commands.
func ExampleCommands_WithContext() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	rc, _ := conn.Connect(conn.Options{Addr: mr.Addr()}).Wait(context.Background())
	defer rc.Disconnect()

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req := rc.WithContext(ctx)
	req.Set("greeting", "hello")
	v, err := req.Get("greeting").Wait(ctx)
	fmt.Println(v, err)

	cancel() // the request is over: what it sends now fails at once
	_, err = req.Get("greeting").Wait(context.Background())
	fmt.Println(errors.Is(err, context.Canceled), errors.Is(err, deferred.ErrCancelled))
	// Output:
	// hello <nil>
	// true true
}

// logHook prints every command as it ends.
type logHook struct{}

func (logHook) Start(ctx context.Context, op *conn.Op) context.Context { return ctx }

func (logHook) End(ctx context.Context, op *conn.Op) {
	if op.Kind == conn.OpCommand {
		fmt.Printf("%s batched=%v err=%v\n", op.Name, op.Batched, op.Err)
	}
}

// A hook sees every command, inside pipelines and transactions too.
func ExampleHook() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	ctx := context.Background()
	rc, _ := conn.Connect(conn.Options{Addr: mr.Addr(), Hooks: []conn.Hook{logHook{}}}).Wait(ctx)
	defer rc.Disconnect()

	rc.Set("n", "1").Wait(ctx)
	tx, _ := rc.Multi().Wait(ctx)
	tx.Incr("n")
	tx.Commit().Wait(ctx)
	// Output:
	// SET batched=false err=<nil>
	// MULTI batched=true err=<nil>
	// EXEC batched=true err=<nil>
	// INCR batched=true err=<nil>
}

// Quit closes the connection as Disconnect does, after QUIT is answered
// (txredisapi's quit).
func ExampleConn_Quit() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	ctx := context.Background()
	rc, _ := conn.Connect(conn.Options{Addr: mr.Addr()}).Wait(ctx)

	pending := rc.Set("k", "v") // sent before QUIT: answered
	fmt.Println(rc.Quit().Wait(ctx))
	fmt.Println(pending.Wait(ctx))
	_, err := rc.Get("k").Wait(ctx)
	fmt.Println(errors.Is(err, conn.ErrClosed), rc.State())
	// Output:
	// OK <nil>
	// OK <nil>
	// true closed
}

// Cached reads through the connection's memory: against Redis 6 or later
// a read of a key already read fires before Get returns, and the server's
// invalidations keep it fresh. miniredis does not implement CLIENT
// TRACKING, so here every read goes to the server and Err says why.
func ExampleConn_Cached() {
	mr, _ := miniredis.Run()
	defer mr.Close()
	ctx := context.Background()
	rc, _ := conn.Connect(conn.Options{Addr: mr.Addr(), Protocol: 3}).Wait(ctx)
	rc.Set("greeting", "hello")

	v := rc.Cached(time.Minute)
	s, _ := v.Get("greeting").Wait(ctx)
	fmt.Println(s)
	rc.Set("greeting", "hi") // through the handle: the server invalidates the cache
	v.Sync().Wait(ctx)       // a round trip: the invalidation has been applied
	s, _ = v.Get("greeting").Wait(ctx)
	fmt.Println(s)
	fmt.Println("cached:", v.Err() == nil)
	rc.Disconnect().Wait(ctx)
	// Output:
	// hello
	// hi
	// cached: false
}
