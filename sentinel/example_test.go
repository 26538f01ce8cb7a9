package sentinel_test

import (
	"context"
	"fmt"
	"time"

	"github.com/txredis/txredis/sentinel"
)

// Example connects to the master the sentinels monitor as "mymaster",
// writes to it and reads from a replica. It needs running sentinels, so it
// has no output to check.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sentinels := []string{"127.0.0.1:26379", "127.0.0.1:26380", "127.0.0.1:26381"}
	c, err := sentinel.Connect(sentinels, "mymaster", sentinel.Options{MinOtherSentinels: 1}).Wait(ctx)
	if err != nil {
		fmt.Println("no master:", err)
		return
	}
	defer c.Disconnect()

	c.Set("greeting", "hello")                      // always on the current master
	v, err := c.Replica().Get("greeting").Wait(ctx) // may lag behind the master
	fmt.Println(v, err, c.MasterAddr())
}

// ExampleNew returns the client at once; the first command waits for the
// sentinels to name the master (at most ConnectTimeout). It needs
// running sentinels, so it has no output to check.
func ExampleNew() {
	c := sentinel.New([]string{"127.0.0.1:26379", "127.0.0.1:26380"}, "mymaster", sentinel.Options{})
	defer c.Disconnect()
	c.Set("greeting", "hello").Observe(func(_ string, err error) {
		fmt.Println("stored on", c.MasterAddr(), err)
	})
}

// ExampleDiscoverMaster asks the sentinels for the addresses alone, as
// txredisapi's discover_master and discover_slaves do. It needs running
// sentinels, so it has no output to check.
func ExampleDiscoverMaster() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	sentinels := []string{"127.0.0.1:26379", "127.0.0.1:26380", "127.0.0.1:26381"}
	master, err := sentinel.DiscoverMaster(sentinels, "mymaster", sentinel.Options{}).Wait(ctx)
	replicas, _ := sentinel.DiscoverReplicas(sentinels, "mymaster", sentinel.Options{}).Wait(ctx)
	fmt.Println(master, replicas, err)
}
