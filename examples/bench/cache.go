package main

// The client-side caching comparison: txredis's cached views beside
// rueidis's DoCache, on the same keys of the same server.
//
//	go run . -mode cache-hit  -client txredis|txredis-pool|txredis-bcast|txredis-optin|rueidis|rueidis-bcast -c C -n N
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
//   - cache-missget: cache-get and cache-miss in one process, in ten
//     alternating rounds on fresh keys each (the uncached reads on a
//     connection without tracking), so that a machine whose load drifts
//     treats both alike; it prints both rates and their ratio.
//
// txredis caches on a RESP3 connection in the default tracking mode
// (txredis-bcast: BCAST, txredis-optin: OPTIN) or on a pool of -pool
// connections; rueidis uses its defaults (OPTIN, 128 MiB per connection;
// rueidis-bcast: BCAST).
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
	"sync"
	"syscall"
	"time"

	"github.com/redis/rueidis"
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

var (
	cacheKeys = flag.Int("cache-keys", 1000, "cache-hit: the number of hot keys")
	cacheTTL  = flag.Duration("cache-ttl", time.Hour, "cache modes: the client-side time to live")
	cacheCPU  = flag.Bool("cache-cpu", false, "cache modes: also print the client's and the server's CPU time per read")
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
	case "cache-missget":
		return missGet(drv, client, c, n, value)
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
	var cpu cpuMeter
	if *cacheCPU {
		cpu.start(addr)
	}
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	start := time.Now()
	profileStart()
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
	profileStop()
	runtime.ReadMemStats(&ms1)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	if *cacheCPU {
		cpu.report(done)
	}
	allocs := float64(ms1.Mallocs-ms0.Mallocs) / float64(done)
	fmt.Printf("%s %s c=%d n=%d: %.0f ops/s, %.2f allocs/op\n", client, mode, c, done, float64(done)/elapsed.Seconds(), allocs)
	return 0
}

// missGet runs cache-missget: ten rounds, each n/10 uncached reads then
// n/10 cached misses, every read of a key written for it and read once.
func missGet(drv cacheDriver, client string, c, n int, value string) int {
	const rounds = 10
	var tGet, tMiss time.Duration
	var nGet, nMiss int
	for r := 0; r < rounds; r++ {
		tag := strconv.FormatInt(time.Now().UnixNano(), 36)
		for _, phase := range []string{"get", "miss"} {
			keys := makeKeys("missget:"+tag+":"+phase+":", n/rounds)
			for i := 0; i < len(keys); i += batchSize {
				if err := drv.setBatch(keys[i:min(i+batchSize, len(keys))], value); err != nil {
					fmt.Fprintln(os.Stderr, "bench: preload:", err)
					return 1
				}
			}
			start := time.Now()
			done, err := parallel(c, len(keys), func(g, count int) error {
				for i := 0; i < count; i++ {
					k := keys[g*count+i]
					if phase == "get" {
						if err := drv.get(k); err != nil {
							return err
						}
					} else if _, err := drv.cachedGet(k); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
				return 1
			}
			if phase == "get" {
				tGet += time.Since(start)
				nGet += done
			} else {
				tMiss += time.Since(start)
				nMiss += done
			}
		}
	}
	get, miss := float64(nGet)/tGet.Seconds(), float64(nMiss)/tMiss.Seconds()
	fmt.Printf("%s cache-missget c=%d n=%d: get %.0f ops/s, miss %.0f ops/s, miss/get %.2f\n", client, c, nGet+nMiss, get, miss, miss/get)
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
	o := conn.Options{Addr: addr, Protocol: 3}
	switch client {
	case "txredis", "txredis-bcast", "txredis-optin":
		if client == "txredis-bcast" {
			o.Cache.Mode = conn.TrackBroadcast
		}
		if client == "txredis-optin" {
			o.Cache.Mode = conn.TrackOptIn
		}
		c, err := conn.Connect(o).Wait(ctx)
		if err != nil {
			return nil, err
		}
		plain, err := conn.Connect(o).Wait(ctx)
		if err != nil {
			c.Disconnect()
			return nil, err
		}
		return &txCacheDriver{v: c.Cached(*cacheTTL), plain: plain.Commands, stop: func() {
			_, _ = c.Disconnect().Wait(ctx)
			_, _ = plain.Disconnect().Wait(ctx)
		}}, nil
	case "txredis-pool":
		p, err := pool.Connect(pool.Options{Options: o, PoolSize: poolSize}).Wait(ctx)
		if err != nil {
			return nil, err
		}
		plain, err := pool.Connect(pool.Options{Options: o, PoolSize: poolSize}).Wait(ctx)
		if err != nil {
			p.Disconnect()
			return nil, err
		}
		return &txCacheDriver{v: p.Cached(*cacheTTL), plain: plain.Commands, stop: func() {
			_, _ = p.Disconnect().Wait(ctx)
			_, _ = plain.Disconnect().Wait(ctx)
		}}, nil
	case "rueidis", "rueidis-bcast":
		// Its documented defaults: client-side caching on, OPTIN tracking,
		// 128 MiB per connection; or BCAST, its other documented mode.
		ro := rueidis.ClientOption{InitAddress: []string{addr}}
		if client == "rueidis-bcast" {
			ro.ClientTrackingOptions = []string{"BCAST"}
		}
		c, err := rueidis.NewClient(ro)
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
	v     *conn.Cached
	plain conn.Commands // a handle without tracking, for uncached reads
	stop  func()
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
	_, err := d.plain.Get(key).Wait(context.Background())
	if errors.Is(err, proto.ErrNil) {
		return nil
	}
	return err
}

func (d *txCacheDriver) setBatch(keys []string, value string) error {
	return (&txredisDriver{h: d.v.Commands}).pipeline(keys, value)
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
	return (&rueidisDriver{c: d.c}).pipeline(keys, value)
}

func (d *rueidisCacheDriver) close() { d.c.Close() }

// cpuMeter measures the CPU time the client process and the server spend
// over a run: on a machine shared with other work, CPU per read varies
// less than reads per second.
type cpuMeter struct {
	info                 *conn.Conn
	client0, server0     time.Duration
	clientCPU, serverCPU func() time.Duration
}

func (m *cpuMeter) start(addr string) {
	c, err := conn.Connect(conn.Options{Addr: addr}).Wait(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: cpu:", err)
		return
	}
	m.info = c
	m.clientCPU = func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
	}
	m.serverCPU = func() time.Duration {
		info, err := c.Info("cpu").Wait(context.Background())
		if err != nil {
			return 0
		}
		var total time.Duration
		for _, k := range []string{"used_cpu_user", "used_cpu_sys"} {
			if f, err := strconv.ParseFloat(info["cpu"][k], 64); err == nil {
				total += time.Duration(f * float64(time.Second))
			}
		}
		return total
	}
	m.client0, m.server0 = m.clientCPU(), m.serverCPU()
}

func (m *cpuMeter) report(reads int) {
	if m.info == nil {
		return
	}
	client, server := m.clientCPU()-m.client0, m.serverCPU()-m.server0
	fmt.Printf("cpu per read: client %v, server %v\n", client/time.Duration(reads), server/time.Duration(reads))
	_, _ = m.info.Disconnect().Wait(context.Background())
}

// parallel runs f on c goroutines, each given n/c iterations, and returns
// the iterations run and the first error.
func parallel(c, n int, f func(g, count int) error) (int, error) {
	var wg sync.WaitGroup
	errs := make(chan error, c)
	per := n / c
	for g := 0; g < c; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			if err := f(g, per); err != nil {
				errs <- err
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	return per * c, <-errs
}
