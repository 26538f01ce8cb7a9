package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// driver is one client under test.
type driver interface {
	set(key, value string) error
	get(key string) error
	// pipeline sends len(keys) SETs as one pipeline and waits for all.
	pipeline(keys []string, value string) error
	// stream issues n SETs of key(i) from one caller, keeping at most
	// window of them unanswered, and waits for all.
	stream(key func(i int) string, value string, n, window int) error
	close()
}

const batchSize = 100

func clientNames() []string {
	return []string{"txredis", "txredis-pool", "txredis-auto", "txredis-batch", "goredis", "goredis-pool", "goredis-auto", "rueidis", "rueidis-best", "redigo"}
}

func open(cfg config) (driver, error) {
	if cfg.Cluster {
		return openCluster(cfg)
	}
	if strings.HasPrefix(cfg.Client, "txredis") {
		return openTxredis(cfg)
	}
	return openPeer(cfg)
}

// keySpace keeps the data set under 64 MiB whatever the value size.
func keySpace(d int) int {
	return min(10000, max(batchSize*2, (64<<20)/max(d, 1)))
}

// runOne makes one measurement: a warm-up of the same workload, then the
// timed part.
func runOne(cfg config) (result, error) {
	res := result{config: cfg}
	drv, err := open(cfg)
	if err != nil {
		return res, err
	}
	defer drv.close()
	keys := make([]string, keySpace(cfg.D))
	for i := range keys {
		keys[i] = "bench:" + strconv.Itoa(i)
	}
	value := strings.Repeat("x", cfg.D)
	for i := 0; i < len(keys); i += batchSize {
		if err := drv.pipeline(keys[i:min(len(keys), i+batchSize)], value); err != nil {
			return res, fmt.Errorf("priming the keys: %w", err)
		}
	}

	var work func(d time.Duration) (int64, error)
	switch cfg.Mode {
	case "getset":
		work = func(d time.Duration) (int64, error) {
			return closedLoop(cfg.C, d, func(g, i int) (int, error) {
				k := keys[(g*7919+i)%len(keys)]
				if i%2 == 0 {
					return 1, drv.set(k, value)
				}
				return 1, drv.get(k)
			})
		}
	case "pipeline":
		work = func(d time.Duration) (int64, error) {
			return closedLoop(cfg.C, d, func(g, i int) (int, error) {
				off := ((g*31 + i) * batchSize) % (len(keys) - batchSize)
				return batchSize, drv.pipeline(keys[off:off+batchSize], value)
			})
		}
	case "fire":
		key := func(i int) string { return keys[i%len(keys)] }
		if err := drv.stream(key, value, max(cfg.N/10, cfg.Window), cfg.Window); err != nil {
			return res, fmt.Errorf("warm-up: %w", err)
		}
		before := takeSnapshot()
		profileStart()
		err := drv.stream(key, value, cfg.N, cfg.Window)
		profileStop()
		res.fill(before, takeSnapshot(), int64(cfg.N))
		return res, err
	case "latency":
		if _, err := openLoop(drv, keys, value, cfg, cfg.Warmup); err != nil {
			return res, fmt.Errorf("warm-up: %w", err)
		}
		before := takeSnapshot()
		profileStart()
		lat, err := openLoop(drv, keys, value, cfg, cfg.Duration)
		profileStop()
		res.fill(before, takeSnapshot(), int64(len(lat)))
		if len(lat) > 0 {
			slices.Sort(lat)
			us := func(q float64) float64 {
				return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))]) / float64(time.Microsecond)
			}
			res.P50, res.P99, res.Max = us(0.50), us(0.99), us(1)
		}
		return res, err
	default:
		return res, fmt.Errorf("unknown mode %q", cfg.Mode)
	}
	if _, err := work(cfg.Warmup); err != nil {
		return res, fmt.Errorf("warm-up: %w", err)
	}
	before := takeSnapshot()
	profileStart()
	ops, err := work(cfg.Duration)
	profileStop()
	res.fill(before, takeSnapshot(), ops)
	return res, err
}

// closedLoop runs op(g, i) for i = 0, 1, ... on c goroutines until d has
// passed, and returns how many operations completed (op reports how many
// one call did). The commands in flight at the deadline are waited for and
// counted: the timed region includes that drain.
func closedLoop(c int, d time.Duration, op func(g, i int) (int, error)) (int64, error) {
	var stop atomic.Bool
	var total atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, c)
	for g := 0; g < c; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int64
			for i := 0; !stop.Load(); i++ {
				k, err := op(g, i)
				if err != nil {
					errs <- err
					break
				}
				n += int64(k)
			}
			total.Add(n)
		}()
	}
	t := time.AfterFunc(d, func() { stop.Store(true) })
	wg.Wait()
	t.Stop()
	close(errs)
	return total.Load(), <-errs
}

// openLoop offers cfg.Rate requests per second for d to cfg.C workers and
// returns each request's latency, measured from the moment it was due, so
// that time spent queued behind a slow client counts.
func openLoop(drv driver, keys []string, value string, cfg config, d time.Duration) ([]time.Duration, error) {
	due := make(chan time.Time, 1<<16)
	lats := make([][]time.Duration, cfg.C)
	errs := make(chan error, cfg.C)
	var wg sync.WaitGroup
	for w := 0; w < cfg.C; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			i := w
			for t := range due {
				k := keys[i%len(keys)]
				var err error
				if i%2 == 0 {
					err = drv.set(k, value)
				} else {
					err = drv.get(k)
				}
				lats[w] = append(lats[w], time.Since(t))
				if err != nil {
					errs <- err
					for range due {
					}
					return
				}
				i += cfg.C
			}
		}()
	}
	interval := time.Second / time.Duration(max(1, cfg.Rate))
	start := time.Now()
	end := start.Add(d)
	for next := start; next.Before(end); {
		now := time.Now()
		for ; !next.After(now) && next.Before(end); next = next.Add(interval) {
			due <- next
		}
		if wait := time.Until(next); wait > 0 {
			time.Sleep(wait)
		}
	}
	close(due)
	wg.Wait()
	close(errs)
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	return all, <-errs
}
