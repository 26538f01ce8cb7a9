package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	redigo "github.com/gomodule/redigo/redis"
	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

// The peers' configurations. Each peer runs at its defaults and at its
// best documented settings:
//   - goredis: go-redis v9 defaults (a pool of 10 connections per CPU).
//   - goredis-pool: PoolSize and MinIdleConns raised to the concurrency,
//     so no caller ever waits for a connection.
//   - goredis-auto: go-redis's autopipeliner (client.AutoPipeline(), the
//     blocking face with its default options) for single commands, which
//     batches concurrent callers onto one connection; the deferred face
//     (AsyncAutoPipeline) with a window of futures for fire, as its
//     documentation recommends for throughput.
//   - rueidis: rueidis defaults (auto-pipelining over 4 connections).
//   - rueidis-best: MaxFlushDelay 20µs, as its documentation suggests
//     for throughput under load (it is skipped for sequential use).
//   - redigo: a pool sized to the concurrency.
//
// Fire, for peers without a non-blocking single command, is a stream of
// pipelines of peerBatch SETs from window/peerBatch goroutines, so that
// batches overlap instead of waiting for each other.
const peerBatch = 1000

func openPeer(cfg config) (driver, error) {
	addr := cfg.Addrs[0]
	switch cfg.Client {
	case "goredis":
		return &goRedisDriver{c: goredis.NewClient(&goredis.Options{Addr: addr})}, nil
	case "goredis-pool":
		size := max(cfg.C+8, 10*runtime.GOMAXPROCS(0))
		return &goRedisDriver{c: goredis.NewClient(&goredis.Options{Addr: addr, PoolSize: size, MinIdleConns: min(size, cfg.C)})}, nil
	case "goredis-auto":
		c := goredis.NewClient(&goredis.Options{Addr: addr, PoolSize: max(cfg.C+8, 10*runtime.GOMAXPROCS(0))})
		ap, err := c.AutoPipeline()
		if err != nil {
			return nil, err
		}
		aap, err := c.AsyncAutoPipeline()
		if err != nil {
			return nil, err
		}
		return &goRedisDriver{c: c, ap: ap, async: aap}, nil
	case "rueidis", "rueidis-best":
		opt := rueidis.ClientOption{InitAddress: []string{addr}, DisableCache: true}
		if cfg.Client == "rueidis-best" {
			opt.MaxFlushDelay = 20 * time.Microsecond
		}
		c, err := rueidis.NewClient(opt)
		if err != nil {
			return nil, err
		}
		return &rueidisDriver{c: c}, nil
	case "redigo":
		return &redigoDriver{p: &redigo.Pool{
			MaxIdle:     max(cfg.C, peerStreams(cfg.Window)),
			IdleTimeout: time.Minute,
			Dial:        func() (redigo.Conn, error) { return redigo.Dial("tcp", addr) },
		}}, nil
	}
	return nil, fmt.Errorf("unknown client %q", cfg.Client)
}

// goRedisDriver drives a go-redis Client or ClusterClient, through its
// autopipeliner when ap is set.
type goRedisDriver struct {
	c     goredis.UniversalClient
	ap    *goredis.AutoPipeliner // blocking face, or nil
	async *goredis.AutoPipeliner // deferred face, or nil
}

func (d *goRedisDriver) cmd() goredis.Cmdable {
	if d.ap != nil {
		return d.ap
	}
	return d.c
}

func (d *goRedisDriver) set(key, value string) error {
	return d.cmd().Set(bg, key, value, 0).Err()
}

func (d *goRedisDriver) get(key string) error {
	err := d.cmd().Get(bg, key).Err()
	if err == goredis.Nil {
		return nil
	}
	return err
}

func (d *goRedisDriver) pipeline(keys []string, value string) error {
	_, err := d.c.Pipelined(bg, func(p goredis.Pipeliner) error {
		for _, k := range keys {
			p.Set(bg, k, value, 0)
		}
		return nil
	})
	return err
}

func (d *goRedisDriver) stream(key func(int) string, value string, n, window int) error {
	if d.async == nil {
		return streamBatches(d.pipeline, key, value, n, window)
	}
	ring := make([]*goredis.StatusCmd, window)
	for i := 0; i < n; i++ {
		slot := &ring[i%window]
		if *slot != nil {
			if err := (*slot).Err(); err != nil {
				return err
			}
		}
		*slot = d.async.Set(bg, key(i), value, 0)
	}
	for _, x := range ring {
		if x != nil {
			if err := x.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *goRedisDriver) close() {
	if d.ap != nil {
		d.ap.Close()
	}
	if d.async != nil {
		d.async.Close()
	}
	d.c.Close()
}

type rueidisDriver struct{ c rueidis.Client }

func (d *rueidisDriver) set(key, value string) error {
	return d.c.Do(bg, d.c.B().Set().Key(key).Value(value).Build()).Error()
}

func (d *rueidisDriver) get(key string) error {
	err := d.c.Do(bg, d.c.B().Get().Key(key).Build()).Error()
	if rueidis.IsRedisNil(err) {
		return nil
	}
	return err
}

func (d *rueidisDriver) pipeline(keys []string, value string) error {
	cmds := make(rueidis.Commands, len(keys))
	for i, k := range keys {
		cmds[i] = d.c.B().Set().Key(k).Value(value).Build()
	}
	for _, r := range d.c.DoMulti(bg, cmds...) {
		if err := r.Error(); err != nil {
			return err
		}
	}
	return nil
}

func (d *rueidisDriver) stream(key func(int) string, value string, n, window int) error {
	return streamBatches(d.pipeline, key, value, n, window)
}

func (d *rueidisDriver) close() { d.c.Close() }

type redigoDriver struct{ p *redigo.Pool }

func (d *redigoDriver) set(key, value string) error {
	c := d.p.Get()
	defer c.Close()
	_, err := c.Do("SET", key, value)
	return err
}

func (d *redigoDriver) get(key string) error {
	c := d.p.Get()
	defer c.Close()
	_, err := c.Do("GET", key)
	if err == redigo.ErrNil {
		return nil
	}
	return err
}

func (d *redigoDriver) pipeline(keys []string, value string) error {
	c := d.p.Get()
	defer c.Close()
	for _, k := range keys {
		if err := c.Send("SET", k, value); err != nil {
			return err
		}
	}
	if err := c.Flush(); err != nil {
		return err
	}
	for range keys {
		if _, err := c.Receive(); err != nil {
			return err
		}
	}
	return nil
}

func (d *redigoDriver) stream(key func(int) string, value string, n, window int) error {
	return streamBatches(d.pipeline, key, value, n, window)
}

func (d *redigoDriver) close() { d.p.Close() }

// peerStreams is how many pipelines of peerBatch a stream keeps in flight
// to have window requests unanswered.
func peerStreams(window int) int { return max(1, window/peerBatch) }

// streamBatches is a peer's fastest equivalent of fire: n SETs as
// pipelines of peerBatch, peerStreams(window) of them in flight at once.
func streamBatches(pipeline func(keys []string, value string) error, key func(int) string, value string, n, window int) error {
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	for w := 0; w < peerStreams(window); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys := make([]string, 0, peerBatch)
			for {
				mu.Lock()
				start := next
				end := min(n, start+peerBatch)
				next = end
				stop := firstErr != nil
				mu.Unlock()
				if start >= n || stop {
					return
				}
				keys = keys[:0]
				for i := start; i < end; i++ {
					keys = append(keys, key(i))
				}
				if err := pipeline(keys, value); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}
