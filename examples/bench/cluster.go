package main

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
	"github.com/txredis/txredis/cluster"
)

// openCluster opens a Redis Cluster client: txredis's cluster.Cluster,
// go-redis's ClusterClient, or rueidis (which detects the cluster itself).
func openCluster(client string, addrs []string) (driver, error) {
	ctx := context.Background()
	switch client {
	case "txredis":
		c, err := cluster.Connect(addrs, cluster.Options{}).Wait(ctx)
		if err != nil {
			return nil, err
		}
		return &txredisDriver{h: c, stop: func() { _, _ = c.Disconnect().Wait(ctx) }}, nil
	case "goredis":
		return &goRedisDriver{c: goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs})}, nil
	case "rueidis":
		c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: addrs, DisableCache: true})
		if err != nil {
			return nil, err
		}
		return &rueidisDriver{c: c}, nil
	}
	return nil, fmt.Errorf("no cluster client %q (txredis, goredis, rueidis)", client)
}
