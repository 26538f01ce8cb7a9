package shard_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/shard"
)

// The sharding example of txredisapi's README, over two embedded servers.
func Example() {
	a, _ := miniredis.Run()
	defer a.Close()
	b, _ := miniredis.Run()
	defer b.Close()
	ctx := context.Background()

	rc, err := shard.Connect([]string{a.Addr(), b.Addr()}, conn.Options{}).Wait(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _, _ = rc.Disconnect().Wait(ctx) }()

	var keys []string
	for x := 0; x < 100; x++ {
		key := fmt.Sprintf("foo%02d", x)
		rc.Set(key, fmt.Sprintf("bar%02d", x))
		keys = append(keys, key)
	}
	// yey! mget is supported!
	values, err := rc.MGet(keys...).Wait(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(values), values[0].V, values[99].V)

	// Keys sharing a tag share a node, so multi-key commands on them run.
	rc.SAdd("tags{42}:a", "x", "y")
	rc.SAdd("tags{42}:b", "y", "z")
	union, _ := rc.SUnion("tags{42}:a", "tags{42}:b").Wait(ctx)
	fmt.Println(len(union), rc.Shard("tags{42}:a") == rc.Shard("tags{42}:b"))

	// Commands that need every node fail; ForEachDo runs them on each.
	_, err = rc.Do("FLUSHDB").Wait(ctx)
	fmt.Println(errors.Is(err, shard.ErrNotSharded))
	replies, _ := rc.ForEachDo("FLUSHDB").Wait(ctx)
	fmt.Println(len(replies))
	// Output:
	// 100 bar00 bar99
	// 3 true
	// true
	// 2
}

// Placement can be computed without connections, for the addresses a
// txredisapi program used. The default is the order of Python 2, which
// txredisapi was written for; UnsignedCRC is Python 3's.
func ExampleNewHashRing() {
	nodes := []string{"127.0.0.1:6379", "127.0.0.1:6380", "127.0.0.1:6381"}
	py2, _ := shard.NewHashRing(nodes)
	py3, _ := shard.NewHashRing(nodes, shard.UnsignedCRC())
	for _, key := range []string{"foo00", "foo01", "user{42}:name", "order3748"} {
		fmt.Println(key, py2.Node(key), py3.Node(key))
	}
	// Output:
	// foo00 127.0.0.1:6381 127.0.0.1:6381
	// foo01 127.0.0.1:6379 127.0.0.1:6379
	// user{42}:name 127.0.0.1:6381 127.0.0.1:6381
	// order3748 127.0.0.1:6379 127.0.0.1:6381
}

// Ring.ScanSeq visits every node of the ring in turn.
func ExampleRing_ScanSeq() {
	a, _ := miniredis.Run()
	defer a.Close()
	b, _ := miniredis.Run()
	defer b.Close()
	ctx := context.Background()
	rc, err := shard.Connect([]string{a.Addr(), b.Addr()}, conn.Options{}).Wait(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _, _ = rc.Disconnect().Wait(ctx) }()
	for x := 0; x < 20; x++ {
		rc.Set(fmt.Sprintf("foo%02d", x), "bar")
	}
	n := 0
	for _, err := range rc.ScanSeq(ctx, conn.ScanArgs{Match: "foo*"}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		n++
	}
	fmt.Println(n, "keys on", len(rc.Nodes()), "nodes;", len(a.Keys()) > 0 && len(b.Keys()) > 0)
	// Output: 20 keys on 2 nodes; true
}
