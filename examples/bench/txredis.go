package main

import (
	"context"
	"errors"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// commander is what a txredis handle offers the benchmark.
type commander interface {
	Set(key, value string) *deferred.Deferred[string]
	Get(key string) *deferred.Deferred[string]
	Pipeline() *conn.Pipeline
}

// txredisDriver drives a Conn, a Pool or a Cluster. With auto set, a
// pipeline is 100 plain SETs sent without waiting (every connection
// pipelines by itself) instead of an explicit Pipeline.
type txredisDriver struct {
	h    commander
	auto bool
	stop func()
}

var bg = context.Background()

func openTxredis(cfg config) (driver, error) {
	opts := conn.Options{Addr: cfg.Addrs[0]}
	switch cfg.Client {
	case "txredis-pool":
		p, err := pool.Connect(pool.Options{Options: opts, PoolSize: cfg.Pool}).Wait(bg)
		if err != nil {
			return nil, err
		}
		return &txredisDriver{h: p, stop: func() { _, _ = p.Disconnect().Wait(bg) }}, nil
	}
	c, err := conn.Connect(opts).Wait(bg)
	if err != nil {
		return nil, err
	}
	if cfg.Client == "txredis-batch" {
		return &batchDriver{txredisDriver: txredisDriver{h: c, stop: func() { _, _ = c.Disconnect().Wait(bg) }}, c: c}, nil
	}
	return &txredisDriver{h: c, auto: cfg.Client == "txredis-auto", stop: func() { _, _ = c.Disconnect().Wait(bg) }}, nil
}

func (d *txredisDriver) set(key, value string) error {
	_, err := d.h.Set(key, value).Wait(bg)
	return err
}

func (d *txredisDriver) get(key string) error {
	_, err := d.h.Get(key).Wait(bg)
	if errors.Is(err, proto.ErrNil) {
		return nil
	}
	return err
}

func (d *txredisDriver) pipeline(keys []string, value string) error {
	if d.auto {
		var ds [batchSize]*deferred.Deferred[string]
		for i, k := range keys {
			ds[i] = d.h.Set(k, value)
		}
		for _, x := range ds[:len(keys)] {
			if _, err := x.Wait(bg); err != nil {
				return err
			}
		}
		return nil
	}
	p := d.h.Pipeline()
	for _, k := range keys {
		p.Set(k, value)
	}
	_, err := p.Execute().Wait(bg)
	return err
}

// stream issues n SETs without waiting, keeping at most window of them
// unanswered: the Deferreds sit in a ring and the oldest is waited for
// before its slot is reused.
func (d *txredisDriver) stream(key func(int) string, value string, n, window int) error {
	ring := make([]*deferred.Deferred[string], window)
	for i := 0; i < n; i++ {
		slot := &ring[i%window]
		if *slot != nil {
			if _, err := (*slot).Wait(bg); err != nil {
				return err
			}
		}
		*slot = d.h.Set(key(i), value)
	}
	for _, x := range ring {
		if x == nil {
			continue
		}
		if _, err := x.Wait(bg); err != nil {
			return err
		}
	}
	return nil
}

func (d *txredisDriver) close() { d.stop() }
