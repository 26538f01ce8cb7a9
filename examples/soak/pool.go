package main

import (
	"context"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/pool"
)

// openPool connects a pool of 4 connections with the connection options.
func openPool(opts conn.Options) (handle, error) {
	p, err := pool.Connect(pool.Options{Options: opts, PoolSize: 4}).Wait(context.Background())
	if err != nil {
		return handle{}, err
	}
	return handle{name: "pool", sender: p, disconnect: p.Disconnect}, nil
}
