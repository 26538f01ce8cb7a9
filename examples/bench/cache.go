package main

// The client-side caching comparison: txredis's cached views beside
// rueidis's DoCache, on the same keys of the same server.
//
//	go run . -mode cache-hit  -client txredis|txredis-pool|rueidis -c C -n N
//	go run . -mode cache-miss -client ... -c C -n N
//	go run . -mode cache-get  -client ... -c C -n N
//
//   - cache-hit: -cache-keys hot keys are read until every read is a hit,
//     then c goroutines share n cached GETs of them, in turn.
//   - cache-miss: n distinct keys are written, then c goroutines share n
//     cached GETs, each of a key read once: every read misses (and is
//     then stored).
//   - cache-get: the same keys and reads as cache-miss, uncached: the
//     baseline of the miss path.
//
// The last line printed is "<client> <mode> c=<C> n=<N>: <ops> ops/s,
// <allocs> allocs/op" (allocations of the whole process per read).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

var (
	cacheKeys       = flag.Int("cache-keys", 1000, "cache-hit: the number of hot keys")
	cacheTTL        = flag.Duration("cache-ttl", time.Hour, "cache modes: the client-side time to live")
	rueidisTracking = flag.String("rueidis-tracking", "optin", "cache modes: rueidis's CLIENT TRACKING mode, optin (its default) or bcast")
)

// cacheDriver is one client with a client-side cache.
type cacheDriver interface {
	// cachedGet reads key through the client-side cache and reports
	// whether the read was answered from memory.
	cachedGet(key string) (hit bool, err error)
	// get reads key without the cache.
	get(key string) error
	setBatch(keys []string, value string) error
	close()
}

// cacheMain runs one cache mode and returns the exit code.
func cacheMain(client, addr string, c, n, d int, mode string, poolSize int) int {
	drv, err := openCache(client, addr, poolSize)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	defer drv.close()
	value := strings.Repeat("x", d)
	var keys []string
	switch mode {
	case "cache-hit":
		keys = makeKeys("hot:", *cacheKeys)
	case "cache-miss", "cache-get":
		// Unique to the run, so that nothing is cached or tracked yet.
		keys = makeKeys("miss:"+strconv.FormatInt(time.Now().UnixNano(), 36)+":", n)
	default:
		fmt.Fprintln(os.Stderr, "bench: unknown mode", mode)
		return 1
	}
	for i := 0; i < len(keys); i += batchSize {
		if err := drv.setBatch(keys[i:min(i+batchSize, len(keys))], value); err != nil {
			fmt.Fprintln(os.Stderr, "bench: preload:", err)
			return 1
		}
	}
	if mode == "cache-hit" {
		if err := warmCache(drv, keys); err != nil {
			fmt.Fprintln(os.Stderr, "bench: warm-up:", err)
			return 1
		}
	}
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	start := time.Now()
	done, err := parallel(c, n, func(g, count int) error {
		for i := 0; i < count; i++ {
			k := keys[(g*count+i)%len(keys)]
			if mode == "cache-get" {
				if err := drv.get(k); err != nil {
					return err
				}
				continue
			}
			hit, err := drv.cachedGet(k)
			if err != nil {
				return err
			}
			if mode == "cache-hit" && !hit {
				return fmt.Errorf("%s: a read of %s missed the cache", client, k)
			}
		}
		return nil
	})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&ms1)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	allocs := float64(ms1.Mallocs-ms0.Mallocs) / float64(done)
	fmt.Printf("%s %s c=%d n=%d: %.0f ops/s, %.2f allocs/op\n", client, mode, c, done, float64(done)/elapsed.Seconds(), allocs)
	return 0
}

func makeKeys(prefix string, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = prefix + strconv.Itoa(i)
	}
	return keys
}

// warmCache reads every key until its read is answered from memory.
func warmCache(drv cacheDriver, keys []string) error {
	deadline := time.Now().Add(10 * time.Second)
	for _, k := range keys {
		for {
			hit, err := drv.cachedGet(k)
			if err != nil {
				return err
			}
			if hit {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s is never answered from memory", k)
			}
		}
	}
	return nil
}

func openCache(client, addr string, poolSize int) (cacheDriver, error) {
	ctx := context.Background()
	switch client {
	case "txredis":
		c, err := conn.Connect(conn.Options{Addr: addr, Protocol: 3}).Wait(ctx)
		if err != nil {
			return nil, err
		}
		return &txCacheDriver{v: c.Cached(*cacheTTL), stop: func() { _, _ = c.Disconnect().Wait(ctx) }}, nil
	case "txredis-pool":
		p, err := pool.Connect(pool.Options{Options: conn.Options{Addr: addr, Protocol: 3}, PoolSize: poolSize}).Wait(ctx)
		if err != nil {
			return nil, err
		}
		return &txCacheDriver{v: p.Cached(*cacheTTL), stop: func() { _, _ = p.Disconnect().Wait(ctx) }}, nil
	case "rueidis":
		o := rueidis.ClientOption{InitAddress: []string{addr}}
		switch *rueidisTracking {
		case "optin":
		case "bcast":
			o.ClientTrackingOptions = []string{"BCAST"}
		default:
			return nil, fmt.Errorf("unknown -rueidis-tracking %q", *rueidisTracking)
		}
		c, err := rueidis.NewClient(o)
		if err != nil {
			return nil, err
		}
		return &rueidisCacheDriver{c: c}, nil
	}
	return nil, fmt.Errorf("no cache mode for client %q", client)
}

// txCacheDriver reads through a txredis cached view: a hit is a Deferred
// that fired before Get returned.
type txCacheDriver struct {
	v    *conn.Cached
	stop func()
}

func (d *txCacheDriver) cachedGet(key string) (bool, error) {
	r := d.v.Get(key)
	_, err, hit := r.Result()
	if !hit {
		_, err = r.Wait(context.Background())
	}
	if errors.Is(err, proto.ErrNil) {
		err = nil
	}
	return hit, err
}

func (d *txCacheDriver) get(key string) error {
	_, err := d.v.Commands.Get(key).Wait(context.Background())
	if errors.Is(err, proto.ErrNil) {
		return nil
	}
	return err
}

func (d *txCacheDriver) setBatch(keys []string, value string) error {
	return (&txredisDriver{h: d.v.Commands}).setBatch(keys, value)
}

func (d *txCacheDriver) close() { d.stop() }

// rueidisCacheDriver reads with rueidis's DoCache, as its README shows.
type rueidisCacheDriver struct{ c rueidis.Client }

func (d *rueidisCacheDriver) cachedGet(key string) (bool, error) {
	r := d.c.DoCache(context.Background(), d.c.B().Get().Key(key).Cache(), *cacheTTL)
	err := r.Error()
	if rueidis.IsRedisNil(err) {
		err = nil
	}
	return r.IsCacheHit(), err
}

func (d *rueidisCacheDriver) get(key string) error {
	return (&rueidisDriver{c: d.c}).get(key)
}

func (d *rueidisCacheDriver) setBatch(keys []string, value string) error {
	return (&rueidisDriver{c: d.c}).setBatch(keys, value)
}

func (d *rueidisCacheDriver) close() { d.c.Close() }
