package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/examples/soak/load"
	"github.com/txredis/txredis/internal/embedded"
	"github.com/txredis/txredis/internal/testserver"
)

func main() {
	addr := flag.String("addr", "", "server address: host:port, a socket path or a URL such as redis://host:6379/15 "+
		"(empty starts a redis-server from PATH and kills it periodically). The soak writes keys "+keyPrefix+
		"<pid>:... in that database (0 unless the URL says) and leaves them there")
	duration := flag.Duration("duration", 5*time.Minute, "how long to run")
	killEvery := flag.Duration("kill-every", 20*time.Second, "SIGKILL the own server this often (0 never); ignored with -addr")
	down := flag.Duration("down", 300*time.Millisecond, "how long a killed server stays down")
	workers := flag.Int("workers", 8, "sending goroutines")
	replyTimeout := flag.Duration("reply-timeout", time.Second, "conn.Options.ReplyTimeout")
	usePool := flag.Bool("pool", true, "also drive a connection pool (when the pool package is available)")
	reportEvery := flag.Duration("report-every", 10*time.Second, "progress line interval")
	flag.Parse()
	os.Exit(run(*addr, *duration, *killEvery, *down, *workers, *replyTimeout, *usePool, *reportEvery))
}

// keyPrefix begins every key the soak writes.
const keyPrefix = embedded.KeyPrefix + "soak:"

func run(addr string, duration, killEvery, down time.Duration, workers int, replyTimeout time.Duration, usePool bool, reportEvery time.Duration) int {
	// The signal watcher is a goroutine of the runtime that never ends:
	// start it before counting.
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt)
	defer signal.Stop(interrupt)
	g0, heap0 := snapshot()
	var srv *testserver.Owned
	if addr == "" {
		var err error
		srv, err = testserver.StartOwned()
		if err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			return 2
		}
		defer srv.Stop()
		addr = srv.Addr()
		fmt.Printf("started redis-server on %s (pid %d)\n", addr, srv.Pid())
	} else {
		killEvery = 0
		fmt.Println(embedded.Where(addr, keyPrefix))
	}

	opts := conn.Options{
		Addr:           addr,
		ReplyTimeout:   replyTimeout,
		ConnectTimeout: 2 * time.Second,
		Backoff:        conn.ExponentialBackoff(20*time.Millisecond, 500*time.Millisecond),
	}
	c, err := conn.Connect(opts).Wait(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak: connect:", err)
		return 2
	}
	handles := []handle{{name: "conn", sender: c, disconnect: c.Disconnect}}
	if usePool {
		h, err := openPool(opts)
		switch {
		case err != nil:
			fmt.Fprintln(os.Stderr, "soak: pool:", err)
			c.Disconnect()
			return 2
		case h.sender != nil:
			handles = append(handles, h)
		}
	}
	targets := make([]load.Target, len(handles))
	names := ""
	for i, h := range handles {
		targets[i] = load.Target{Name: h.name, S: h.sender}
		names += " " + h.name
	}
	fmt.Printf("running %v with %d workers over:%s; kill every %v\n", duration, workers, names, killEvery)

	r := load.Start(load.Config{
		Workers: workers,
		Prefix:  keyPrefix + strconv.Itoa(os.Getpid()) + ":" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":",
		MaxWait: 10*replyTimeout + 10*time.Second,
	}, targets...)

	end := time.NewTimer(duration)
	defer end.Stop()
	report := time.NewTicker(reportEvery)
	defer report.Stop()
	var kill <-chan time.Time
	if killEvery > 0 && srv != nil {
		kt := time.NewTicker(killEvery)
		defer kt.Stop()
		kill = kt.C
	}
	start := time.Now()
	kills := 0
loop:
	for {
		select {
		case <-end.C:
			break loop
		case <-interrupt:
			fmt.Println("interrupted")
			break loop
		case <-report.C:
			s := r.Snapshot()
			fmt.Printf("%6s  sent %d ok %d conn-err %d other %d wrong %d max %v p99 %v\n",
				time.Since(start).Round(time.Second), s.Sent, s.Succeeded, s.ConnErrors, s.OtherErrors, s.Wrong, s.MaxLatency.Round(time.Millisecond), s.P99)
		case <-kill:
			kills++
			fmt.Printf("%6s  SIGKILL redis-server (kill %d)\n", time.Since(start).Round(time.Second), kills)
			srv.Kill()
			time.Sleep(down)
			if err := srv.Restart(); err != nil {
				fmt.Fprintln(os.Stderr, "soak: restart:", err)
				r.Stop()
				return 2
			}
		}
	}
	r.Stop()
	for _, h := range handles {
		if _, err := h.disconnect().Wait(context.Background()); err != nil {
			fmt.Fprintf(os.Stderr, "soak: disconnect %s: %v\n", h.name, err)
		}
	}
	st := r.Stats()
	if srv != nil {
		srv.Stop()
	}
	// Let the runtime retire the goroutines that just ended.
	var g1 int
	var heap1 uint64
	for i := 0; i < 100; i++ {
		if g1, heap1 = snapshot(); g1 <= g0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}

	fmt.Printf("\nran %v, %d server kills\n", time.Since(start).Round(time.Millisecond), kills)
	fmt.Print(st)
	fmt.Printf("goroutines    %d at start, %d at end\n", g0, g1)
	fmt.Printf("heap          %d KiB at start, %d KiB at end\n", heap0>>10, heap1>>10)
	switch {
	case !st.OK():
		fmt.Println("FAIL: lost, wrong or doubly resolved commands")
		return 1
	case g1 > g0:
		buf := make([]byte, 1<<16)
		fmt.Printf("FAIL: goroutines leaked\n%s\n", buf[:runtime.Stack(buf, true)])
		return 1
	case st.Succeeded == 0:
		fmt.Println("FAIL: nothing succeeded")
		return 1
	}
	fmt.Println("PASS")
	return 0
}

// handle is one client handle driven by the workload.
type handle struct {
	name       string
	sender     conn.Sender
	disconnect func() *deferred.Deferred[struct{}]
}

// snapshot returns the goroutine count and the heap in use after a GC.
func snapshot() (int, uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}
