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
