package redistest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/redistest"
)

// greeting is code under test. It takes the command set every handle
// embeds (conn.Commands), so a test can hand it any handle.
func greeting(ctx context.Context, rc conn.Commands, user string) (string, error) {
	name, err := rc.Get("user:" + user + ":name").Wait(ctx)
	switch {
	case errors.Is(err, proto.ErrNil):
		return "hello, stranger", nil
	case err != nil:
		return "", err
	}
	return "hello, " + name, nil
}

// An embedded server per test: the test writes data directly, the code
// under test reads it through a real connection. In a test, pass t:
// the server and its clients are closed when the test ends.
func ExampleNewServer() {
	srv := redistest.NewServer(nil) // in a test: redistest.NewServer(t)
	defer srv.Close()
	srv.Set("user:1:name", "Ann")

	ctx := context.Background()
	rc := srv.Conn()
	fmt.Println(greeting(ctx, rc.Commands, "1"))
	fmt.Println(greeting(ctx, rc.Commands, "2"))
	// Output:
	// hello, Ann <nil>
	// hello, stranger <nil>
}

// A scripted server: the test says which commands it expects and what
// they get; Check reports what went otherwise.
func ExampleFake() {
	f := redistest.NewFake(nil) // in a test: redistest.NewFake(t)
	defer f.Close()
	f.On("GET", "user:1:name").Reply(proto.BulkValue("Ann"))
	f.On("GET", redistest.Any).Reply(proto.NullValue())
	f.On("GET", "user:3:name").Error("WRONGTYPE Operation against a key holding the wrong kind of value")

	ctx := context.Background()
	rc := f.Conn()
	fmt.Println(greeting(ctx, rc.Commands, "1"))
	fmt.Println(greeting(ctx, rc.Commands, "2"))
	fmt.Println(f.Check())
	// Output:
	// hello, Ann <nil>
	// hello, stranger <nil>
	// redistest: expected command ["GET" "user:3:name"] was never sent
}

// Drop and Refuse make the server go away, to test how the code under
// test copes with connection errors.
func ExampleFake_Drop() {
	f := redistest.NewFake(nil)
	defer f.Close()
	f.On("GET", redistest.Any).Reply(proto.BulkValue("Ann"))
	ctx := context.Background()
	rc := f.Conn()
	fmt.Println(greeting(ctx, rc.Commands, "1"))

	f.Refuse(true)
	f.Drop()
	_, err := greeting(ctx, rc.Commands, "1")
	fmt.Println(errors.Is(err, conn.ErrConnection))
	// Output:
	// hello, Ann <nil>
	// true
}

// The Sender answers from the script with no connection at all, on the
// caller's goroutine: callbacks have run when the command returns.
func ExampleFake_Sender() {
	f := redistest.NewFake(nil)
	defer f.Close()
	f.On("INCR", "visits").Reply(proto.IntValue(1), proto.IntValue(2))

	rc := conn.NewCommands(f.Sender())
	rc.Incr("visits").Then(func(n int64) (int64, error) {
		fmt.Println("first visit:", n)
		return n, nil
	})
	n, _ := rc.Incr("visits").Wait(context.Background())
	fmt.Println("then:", n, f.Received())
	// Output:
	// first visit: 1
	// then: 2 [[INCR visits] [INCR visits]]
}
