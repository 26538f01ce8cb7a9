// Command bench compares txredis with go-redis v9, rueidis and redigo
// against the same redis-server.
//
//	go run . -client txredis|goredis|rueidis|redigo -addr HOST:PORT \
//	    -c GOROUTINES -n REQUESTS -d VALUE_BYTES -mode getset|pipeline|fire
//	go run . -cluster -client txredis|goredis|rueidis -addr H1:P1,H2:P2,... -mode getset
//
// Modes:
//   - getset: each of c goroutines issues a SET or a GET (alternating) and
//     waits for it before the next.
//   - pipeline: each of c goroutines sends batches of 100 SETs and waits for
//     each batch.
//   - fire: one goroutine issues all n SETs without waiting, then waits for
//     all (for peers: their fastest equivalent, batches of 10,000).
//
// The last line printed is "<client> <mode> c=<C> n=<N>: <ops> ops/s".
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// driver is one client under test.
type driver interface {
	set(key, value string) error
	get(key string) error
	// setBatch sends len(keys) SETs as one pipeline and waits for all.
	setBatch(keys []string, value string) error
	// fire issues SET for every key without waiting, then waits for all.
	fire(keys []string, value string) error
	close()
}

const (
	batchSize = 100
	fireChunk = 10000
	keySpace  = 10000
)

func main() {
	client := flag.String("client", "txredis", "txredis, txredis-pool, goredis, rueidis or redigo")
	addr := flag.String("addr", "127.0.0.1:6379", "redis-server address")
	c := flag.Int("c", 64, "concurrent goroutines")
	n := flag.Int("n", 200000, "total requests")
	d := flag.Int("d", 16, "value size in bytes")
	mode := flag.String("mode", "getset", "getset, pipeline or fire")
	poolSize := flag.Int("pool", 4, "connections for txredis-pool")
	clustered := flag.Bool("cluster", false, "-addr is a comma-separated list of Redis Cluster nodes")
	flag.Parse()

	var drv driver
	var err error
	if *clustered {
		drv, err = openCluster(*client, strings.Split(*addr, ","))
	} else {
		drv, err = open(*client, *addr, *c, *poolSize)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	defer drv.close()

	keys := make([]string, keySpace)
	for i := range keys {
		keys[i] = "bench:" + strconv.Itoa(i)
	}
	value := strings.Repeat("x", *d)
	// Warm up connections and the server's keyspace.
	if err := drv.setBatch(keys[:batchSize], value); err != nil {
		fmt.Fprintln(os.Stderr, "bench: warm-up:", err)
		os.Exit(1)
	}

	start := time.Now()
	var done int
	switch *mode {
	case "getset":
		done, err = runGetSet(drv, keys, value, *c, *n)
	case "pipeline":
		done, err = runPipeline(drv, keys, value, *c, *n)
	case "fire":
		done, err = runFire(drv, keys, value, *n)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	elapsed := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Printf("%s %s c=%d n=%d: %.0f ops/s\n", *client, *mode, *c, done, float64(done)/elapsed.Seconds())
}

func open(client, addr string, c, poolSize int) (driver, error) {
	switch client {
	case "txredis":
		return openTxredis(addr, 0)
	case "txredis-pool":
		return openTxredis(addr, poolSize)
	case "goredis":
		return openGoRedis(addr), nil
	case "rueidis":
		return openRueidis(addr)
	case "redigo":
		return openRedigo(addr, c), nil
	}
	return nil, fmt.Errorf("unknown client %q", client)
}

// parallel runs f(g, count) on c goroutines sharing n operations.
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

func runGetSet(drv driver, keys []string, value string, c, n int) (int, error) {
	return parallel(c, n, func(g, count int) error {
		for i := 0; i < count; i++ {
			k := keys[(g*count+i)%keySpace]
			var err error
			if i%2 == 0 {
				err = drv.set(k, value)
			} else {
				err = drv.get(k)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func runPipeline(drv driver, keys []string, value string, c, n int) (int, error) {
	return parallel(c, n, func(g, count int) error {
		for i := 0; i+batchSize <= count; i += batchSize {
			off := (g*batchSize + i) % (keySpace - batchSize)
			if err := drv.setBatch(keys[off:off+batchSize], value); err != nil {
				return err
			}
		}
		return nil
	})
}

func runFire(drv driver, keys []string, value string, n int) (int, error) {
	all := make([]string, n)
	for i := range all {
		all[i] = keys[i%keySpace]
	}
	return n, drv.fire(all, value)
}
