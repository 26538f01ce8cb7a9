// Command bench compares txredis with go-redis v9, rueidis and redigo
// against the same redis-server, each peer at its default and at its best
// documented configuration.
//
// Run the whole comparison (it starts its own redis-server on a free
// loopback port unless -addr is given):
//
//	go run . -matrix                      # or: make bench-compare from the repository root
//	go run . -matrix -rows getset-64,fire -rounds 3 -duration 1s
//
// Run one measurement (this is what -matrix runs, one process per client
// and round, so that no client inherits another's heap or goroutines):
//
//	go run . -client txredis -addr 127.0.0.1:6379 -mode getset -c 64
//
// Modes:
//   - getset: c goroutines, each issues a SET or a GET (alternating) and
//     waits for it before the next; closed loop, for -duration.
//   - pipeline: c goroutines, each sends an explicit pipeline of 100 SETs
//     and waits for it (txredis-auto: 100 plain SETs without waiting, then
//     waits for them; txredis-batch: 100 SETs through Conn.SendBatch with
//     one resolver, no Deferred per command, see batch.go).
//   - fire: one goroutine streams -n SETs, keeping at most -window
//     unanswered (txredis: plain SETs; peers and txredis-batch: their
//     fastest streaming form, batches of 1000, see peers.go).
//   - latency: open loop; a scheduler offers -rate requests per second to
//     -c worker goroutines and each latency is measured from the moment the
//     request was due, so a stalled client cannot hide its queueing delay.
//
// Each run prints one line of JSON with ops/s, write and read syscalls per
// operation (from /proc/self/io), allocations and bytes per operation
// (runtime.MemStats) and client CPU per operation (getrusage); -matrix
// prints a table of medians and ratios.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"time"
)

// config is one measurement.
type config struct {
	Client   string        `json:"client"`
	Mode     string        `json:"mode"`
	C        int           `json:"c"`
	D        int           `json:"d"`
	N        int           `json:"n,omitempty"`
	Rate     int           `json:"rate,omitempty"`
	Window   int           `json:"window,omitempty"`
	Duration time.Duration `json:"-"`
	Warmup   time.Duration `json:"-"`
	Pool     int           `json:"-"`
	Addrs    []string      `json:"-"`
	Cluster  bool          `json:"-"`
}

func main() {
	var cfg config
	flag.StringVar(&cfg.Client, "client", "txredis", "client configuration: "+strings.Join(clientNames(), ", "))
	addr := flag.String("addr", "", "redis-server address (host:port, or a comma-separated list with -cluster); -matrix starts a server when empty")
	flag.IntVar(&cfg.C, "c", 64, "concurrent goroutines (latency: worker goroutines)")
	flag.IntVar(&cfg.D, "d", 16, "value size in bytes")
	flag.IntVar(&cfg.N, "n", 1000000, "requests in fire mode")
	flag.IntVar(&cfg.Rate, "rate", 10000, "offered requests per second in latency mode")
	flag.IntVar(&cfg.Window, "window", 10000, "unanswered requests at most in fire mode")
	flag.StringVar(&cfg.Mode, "mode", "getset", "getset, pipeline, fire or latency; cache-hit, cache-miss, cache-get or cache-missget (cache.go)")
	flag.DurationVar(&cfg.Duration, "duration", 2*time.Second, "timed part of a getset, pipeline or latency run")
	flag.DurationVar(&cfg.Warmup, "warmup", 500*time.Millisecond, "untimed run of the same workload before timing")
	flag.IntVar(&cfg.Pool, "pool", 10, "connections for txredis-pool")
	flag.BoolVar(&cfg.Cluster, "cluster", false, "-addr is a comma-separated list of Redis Cluster nodes")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed part to this file")
	memprofile := flag.String("memprofile", "", "write an allocation profile of the run to this file when it ends")

	matrix := flag.Bool("matrix", false, "run the whole comparison and print a table")
	rows := flag.String("rows", "", "with -matrix: comma-separated rows (default all): "+strings.Join(rowNames(), ", "))
	clients := flag.String("clients", "", "with -matrix: comma-separated clients (default all)")
	rounds := flag.Int("rounds", 5, "with -matrix: rounds; clients are interleaved and rotated each round, medians reported")
	markdown := flag.Bool("markdown", false, "with -matrix: print the table as markdown")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer f.Close()
		profileStart = func() { _ = pprof.StartCPUProfile(f) }
		profileStop = pprof.StopCPUProfile
	}
	if strings.HasPrefix(cfg.Mode, "cache-") { // the client-side caching modes: cache.go
		code := cacheMain(cfg.Client, *addr, cfg.C, cfg.N, cfg.D, cfg.Mode, cfg.Pool)
		if code == 0 && *memprofile != "" {
			if err := writeHeapProfile(*memprofile); err != nil {
				fmt.Fprintln(os.Stderr, "bench:", err)
				code = 1
			}
		}
		profileStop()
		os.Exit(code)
	}

	if *matrix {
		m := matrixConfig{rounds: *rounds, duration: cfg.Duration, warmup: cfg.Warmup, markdown: *markdown, addr: *addr, fireN: cfg.N}
		if *rows != "" {
			m.rows = strings.Split(*rows, ",")
		}
		if *clients != "" {
			m.clients = strings.Split(*clients, ",")
		}
		if err := runMatrix(m); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}

	if *addr == "" {
		*addr = "127.0.0.1:6379"
	}
	cfg.Addrs = strings.Split(*addr, ",")
	res, err := runOne(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if *memprofile != "" {
		if err := writeHeapProfile(*memprofile); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}

// writeHeapProfile writes the allocations made so far (pprof's allocs
// profile: read it with -sample_index=alloc_space or alloc_objects).
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("allocs").WriteTo(f, 0)
}

// profileStart and profileStop bracket the timed part of a run.
var profileStart, profileStop = func() {}, func() {}
