package main

import (
	"context"
	"errors"
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
		return &goRedisClusterDriver{c: goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs})}, nil
	case "rueidis":
		c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: addrs, DisableCache: true})
		if err != nil {
			return nil, err
		}
		return &rueidisDriver{c: c}, nil
	}
	return nil, fmt.Errorf("no cluster client %q (txredis, goredis, rueidis)", client)
}

// goRedisClusterDriver is goRedisDriver over a ClusterClient.
type goRedisClusterDriver struct{ c *goredis.ClusterClient }

func (d *goRedisClusterDriver) set(key, value string) error {
	return d.c.Set(context.Background(), key, value, 0).Err()
}

func (d *goRedisClusterDriver) get(key string) error {
	err := d.c.Get(context.Background(), key).Err()
	if errors.Is(err, goredis.Nil) {
		return nil
	}
	return err
}

func (d *goRedisClusterDriver) setBatch(keys []string, value string) error {
	_, err := d.c.Pipelined(context.Background(), func(p goredis.Pipeliner) error {
		for _, k := range keys {
			p.Set(context.Background(), k, value, 0)
		}
		return nil
	})
	return err
}

func (d *goRedisClusterDriver) fire(keys []string, value string) error {
	for len(keys) > 0 {
		n := min(len(keys), fireChunk)
		if err := d.setBatch(keys[:n], value); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

func (d *goRedisClusterDriver) close() { d.c.Close() }
