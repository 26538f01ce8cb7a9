package conn_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// exampleConn connects to a fresh embedded server for an example.
func exampleConn() (*conn.Conn, func()) {
	mr, err := miniredis.Run()
	if err != nil {
		panic(err)
	}
	c, err := conn.Connect(conn.Options{Addr: mr.Addr()}).Wait(context.Background())
	if err != nil {
		panic(err)
	}
	return c, func() {
		_, _ = c.Disconnect().Wait(context.Background())
		mr.Close()
	}
}

func ExampleCommands_SetWithArgs() {
	c, done := exampleConn()
	defer done()
	ctx := context.Background()

	set, _ := c.SetWithArgs("session", "alice", conn.SetArgs{NX: true, EX: time.Hour}).Wait(ctx)
	again, _ := c.SetWithArgs("session", "bob", conn.SetArgs{NX: true, EX: time.Hour}).Wait(ctx)
	ttl, _ := c.TTL("session").Wait(ctx)
	fmt.Println(set, again, ttl)
	// Output: true false 1h0m0s
}

func ExampleCommands_MGet() {
	c, done := exampleConn()
	defer done()
	ctx := context.Background()

	c.MSet("a", "1", "b", "2")
	vals, _ := c.MGet("a", "missing", "b").Wait(ctx)
	for _, v := range vals {
		if !v.Valid {
			fmt.Println("(nil)")
			continue
		}
		fmt.Println(v.V)
	}
	_, err := c.Get("missing").Wait(ctx)
	fmt.Println(errors.Is(err, proto.ErrNil))
	// Output:
	// 1
	// (nil)
	// 2
	// true
}

func ExampleCommands_ZRangeWithScores() {
	c, done := exampleConn()
	defer done()

	c.ZAdd("scores", conn.ZMember{Member: "alice", Score: 42}, conn.ZMember{Member: "bob", Score: 7.5})
	top, _ := c.ZRangeWithScores("scores", 0, -1).Wait(context.Background())
	for _, m := range top {
		fmt.Println(m.Member, m.Score)
	}
	// Output:
	// bob 7.5
	// alice 42
}

func ExampleCommands_HGetAll() {
	c, done := exampleConn()
	defer done()

	c.HSet("user:1", "name", "alice", "lang", "go")
	// Callbacks run when the reply arrives; Wait bridges to blocking code.
	d := c.HGetAll("user:1").Then(func(m map[string]string) (map[string]string, error) {
		fmt.Println(m["name"], m["lang"])
		return m, nil
	})
	_, _ = d.Wait(context.Background())
	// Output: alice go
}

func ExampleCommands_ScanAll() {
	c, done := exampleConn()
	defer done()

	c.MSet("user:1", "a", "user:2", "b", "other", "c")
	keys, _ := c.ScanAll(conn.ScanArgs{Match: "user:*", Count: 1}).Wait(context.Background())
	sort.Strings(keys)
	fmt.Println(keys)
	// Output: [user:1 user:2]
}

func ExampleNewScript() {
	c, done := exampleConn()
	defer done()
	ctx := context.Background()

	// The script is sent with EVAL the first time, then by its SHA1.
	incr := conn.NewScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
	for i := 0; i < 2; i++ {
		v, err := incr.Run(c, []string{"counter"}, "5").Wait(ctx)
		fmt.Println(v.Int, err)
	}
	// Output:
	// 5 <nil>
	// 10 <nil>
}

// txredisapi's hincr, hdecr, zincr and zdecr are HIncrBy and ZIncrBy by
// one.
func ExampleCommands_HIncrBy() {
	c, done := exampleConn()
	defer done()
	ctx := context.Background()

	c.HIncrBy("h", "visits", 1)                    // hincr
	c.HIncrBy("h", "visits", 1)                    // hincr
	n, _ := c.HIncrBy("h", "visits", -1).Wait(ctx) // hdecr
	c.ZIncrBy("z", 1, "ada")                       // zincr
	s, _ := c.ZIncrBy("z", -1, "ada").Wait(ctx)    // zdecr
	fmt.Println(n, s)
	// Output: 1 0
}
