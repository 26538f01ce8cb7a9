package main

import (
	"context"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/pool"
)

// openTxredisPool runs the benchmark through a pool of size connections.
func openTxredisPool(addr string, size int) (driver, error) {
	ctx := context.Background()
	p, err := pool.Connect(pool.Options{Options: conn.Options{Addr: addr}, PoolSize: size}).Wait(ctx)
	if err != nil {
		return nil, err
	}
	return &txredisDriver{h: p, stop: func() { _, _ = p.Disconnect().Wait(ctx) }}, nil
}
