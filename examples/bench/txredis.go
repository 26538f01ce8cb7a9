package main

import (
	"context"
	"errors"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// commander is what a txredis handle offers the benchmark.
type commander interface {
	Set(key, value string) *deferred.Deferred[string]
	Get(key string) *deferred.Deferred[string]
}

type txredisDriver struct {
	h    commander
	stop func()
}

func openTxredis(addr string, poolSize int) (driver, error) {
	ctx := context.Background()
	if poolSize > 0 {
		return openTxredisPool(addr, poolSize)
	}
	c, err := conn.Connect(conn.Options{Addr: addr}).Wait(ctx)
	if err != nil {
		return nil, err
	}
	return &txredisDriver{h: c, stop: func() { _, _ = c.Disconnect().Wait(ctx) }}, nil
}

func (d *txredisDriver) set(key, value string) error {
	_, err := d.h.Set(key, value).Wait(context.Background())
	return err
}

func (d *txredisDriver) get(key string) error {
	_, err := d.h.Get(key).Wait(context.Background())
	if errors.Is(err, proto.ErrNil) {
		return nil
	}
	return err
}

func (d *txredisDriver) setBatch(keys []string, value string) error {
	var ds [batchSize]*deferred.Deferred[string]
	for i, k := range keys {
		ds[i] = d.h.Set(k, value)
	}
	for _, x := range ds[:len(keys)] {
		if _, err := x.Wait(context.Background()); err != nil {
			return err
		}
	}
	return nil
}

func (d *txredisDriver) fire(keys []string, value string) error {
	ds := make([]*deferred.Deferred[string], len(keys))
	for i, k := range keys {
		ds[i] = d.h.Set(k, value)
	}
	for _, x := range ds {
		if _, err := x.Wait(context.Background()); err != nil {
			return err
		}
	}
	return nil
}

func (d *txredisDriver) close() { d.stop() }
