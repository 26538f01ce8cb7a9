package main

import (
	"fmt"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
	"github.com/txredis/txredis/cluster"
)

// openCluster opens a Redis Cluster client: txredis's cluster.Cluster,
// go-redis's ClusterClient, or rueidis (which detects the cluster itself).
func openCluster(cfg config) (driver, error) {
	switch cfg.Client {
	case "txredis":
		c, err := cluster.Connect(cfg.Addrs, cluster.Options{}).Wait(bg)
		if err != nil {
			return nil, err
		}
		return &txredisDriver{h: c, stop: func() { _, _ = c.Disconnect().Wait(bg) }}, nil
	case "goredis":
		return &goRedisDriver{c: goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: cfg.Addrs})}, nil
	case "rueidis":
		c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: cfg.Addrs, DisableCache: true})
		if err != nil {
			return nil, err
		}
		return &rueidisDriver{c: c}, nil
	}
	return nil, fmt.Errorf("no cluster client %q (txredis, goredis, rueidis)", cfg.Client)
}
