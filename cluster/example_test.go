package cluster_test

import (
	"context"
	"fmt"
	"time"

	"github.com/txredis/txredis/cluster"
)

// Example connects to a cluster, writes keys that land on different
// nodes, reads them back in one MGET, and runs a transaction on the node
// of one slot. It needs a running cluster, so it has no output to check.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := cluster.Connect([]string{"127.0.0.1:7000", "127.0.0.1:7001"}, cluster.Options{}).Wait(ctx)
	if err != nil {
		fmt.Println("no cluster:", err)
		return
	}
	defer c.Disconnect()

	c.Set("user:1", "ann")
	c.Set("user:2", "bob")
	v, err := c.Do("MGET", "user:1", "user:2").Wait(ctx) // split per slot, in key order
	fmt.Println(v, err)

	// A transaction runs on the node of its slot: share it with a hash tag.
	tx, err := c.Node("{acct:1}").Multi("{acct:1}.balance").Wait(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	tx.Incr("{acct:1}.balance")
	tx.Set("{acct:1}.updated", "now")
	replies, err := tx.Commit().Wait(ctx)
	fmt.Println(replies, err)
}
