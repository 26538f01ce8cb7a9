package main

import (
	"context"
	"time"

	redigo "github.com/gomodule/redigo/redis"
	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

// goRedisDriver drives a go-redis Client or ClusterClient.
type goRedisDriver struct{ c goredis.UniversalClient }

func openGoRedis(addr string) driver {
	return &goRedisDriver{c: goredis.NewClient(&goredis.Options{Addr: addr})}
}

func (d *goRedisDriver) set(key, value string) error {
	return d.c.Set(context.Background(), key, value, 0).Err()
}

func (d *goRedisDriver) get(key string) error {
	err := d.c.Get(context.Background(), key).Err()
	if err == goredis.Nil {
		return nil
	}
	return err
}

func (d *goRedisDriver) setBatch(keys []string, value string) error {
	_, err := d.c.Pipelined(context.Background(), func(p goredis.Pipeliner) error {
		for _, k := range keys {
			p.Set(context.Background(), k, value, 0)
		}
		return nil
	})
	return err
}

func (d *goRedisDriver) fire(keys []string, value string) error {
	return inBatches(d.setBatch, keys, value)
}

func (d *goRedisDriver) close() { d.c.Close() }

type rueidisDriver struct{ c rueidis.Client }

func openRueidis(addr string) (driver, error) {
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, DisableCache: true})
	if err != nil {
		return nil, err
	}
	return &rueidisDriver{c: c}, nil
}

func (d *rueidisDriver) set(key, value string) error {
	return d.c.Do(context.Background(), d.c.B().Set().Key(key).Value(value).Build()).Error()
}

func (d *rueidisDriver) get(key string) error {
	err := d.c.Do(context.Background(), d.c.B().Get().Key(key).Build()).Error()
	if rueidis.IsRedisNil(err) {
		return nil
	}
	return err
}

func (d *rueidisDriver) setBatch(keys []string, value string) error {
	cmds := make(rueidis.Commands, len(keys))
	for i, k := range keys {
		cmds[i] = d.c.B().Set().Key(k).Value(value).Build()
	}
	for _, r := range d.c.DoMulti(context.Background(), cmds...) {
		if err := r.Error(); err != nil {
			return err
		}
	}
	return nil
}

func (d *rueidisDriver) fire(keys []string, value string) error {
	return inBatches(d.setBatch, keys, value)
}

func (d *rueidisDriver) close() { d.c.Close() }

type redigoDriver struct{ p *redigo.Pool }

func openRedigo(addr string, c int) driver {
	return &redigoDriver{p: &redigo.Pool{
		MaxIdle:     c,
		IdleTimeout: time.Minute,
		Dial:        func() (redigo.Conn, error) { return redigo.Dial("tcp", addr) },
	}}
}

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

func (d *redigoDriver) setBatch(keys []string, value string) error {
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

func (d *redigoDriver) fire(keys []string, value string) error {
	return inBatches(d.setBatch, keys, value)
}

func (d *redigoDriver) close() { d.p.Close() }

// inBatches is a peer's fastest equivalent of fire: pipelines of
// fireChunk SETs, one after the other.
func inBatches(setBatch func(keys []string, value string) error, keys []string, value string) error {
	for len(keys) > 0 {
		n := min(len(keys), fireChunk)
		if err := setBatch(keys[:n], value); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}
