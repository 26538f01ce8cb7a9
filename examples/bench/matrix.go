package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// row is one line of the comparison.
type row struct {
	name    string
	mode    string
	c, d    int
	clients []string // the default clients of the row
}

var (
	peers       = []string{"goredis", "goredis-pool", "goredis-auto", "rueidis", "rueidis-best", "redigo"}
	withPool    = append([]string{"txredis", "txredis-pool"}, peers...)
	withAuto    = append([]string{"txredis", "txredis-auto", "txredis-batch"}, peers...)
	plain       = append([]string{"txredis"}, peers...)
	withCeiling = append([]string{"txredis", "txredis-batch"}, append(slices.Clone(peers), "redis-benchmark")...)
)

var allRows = []row{
	{"getset-1", "getset", 1, 16, plain},
	{"getset-8", "getset", 8, 16, plain},
	{"getset-64", "getset", 64, 16, withPool},
	{"getset-512", "getset", 512, 16, withPool},
	{"getset-2048", "getset", 2048, 16, plain},
	{"getset-64-1k", "getset", 64, 1024, plain},
	{"getset-64-64k", "getset", 64, 65536, plain},
	{"pipeline-8", "pipeline", 8, 16, withAuto},
	{"fire", "fire", 1, 16, withCeiling},
	{"latency", "latency", 256, 16, plain},
}

func rowNames() []string {
	var names []string
	for _, r := range allRows {
		names = append(names, r.name)
	}
	return names
}

type matrixConfig struct {
	rows, clients    []string
	rounds           int
	duration, warmup time.Duration
	markdown         bool
	addr             string
	fireN            int
}

func runMatrix(m matrixConfig) error {
	if m.addr == "" {
		addr, stop, err := startServer()
		if err != nil {
			return err
		}
		defer stop()
		m.addr = addr
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Printf("# server %s, %d rounds of %v after %v warm-up, clients interleaved and rotated each round; medians\n",
		m.addr, m.rounds, m.duration, m.warmup)
	t := newTable(m.markdown)
	for _, r := range allRows {
		if len(m.rows) > 0 && !slices.Contains(m.rows, r.name) {
			continue
		}
		clients := r.clients
		if len(m.clients) > 0 {
			clients = slices.DeleteFunc(slices.Clone(clients), func(c string) bool { return !slices.Contains(m.clients, c) })
		}
		runs := map[string][]result{}
		for round := 0; round < m.rounds; round++ {
			for i := range clients {
				cl := clients[(i+round)%len(clients)]
				res, err := m.runClient(self, r, cl)
				if err != nil {
					fmt.Fprintf(os.Stderr, "bench: %s %s round %d: %v\n", r.name, cl, round, err)
					continue
				}
				runs[cl] = append(runs[cl], res)
			}
		}
		t.addRow(r, clients, runs)
	}
	t.print()
	return nil
}

// runClient runs one measurement in a fresh process.
func (m matrixConfig) runClient(self string, r row, client string) (result, error) {
	if client == "redis-benchmark" {
		return redisBenchmark(m.addr, m.fireN, r.d)
	}
	args := []string{"-client", client, "-addr", m.addr, "-mode", r.mode, "-c", strconv.Itoa(r.c), "-d", strconv.Itoa(r.d),
		"-duration", m.duration.String(), "-warmup", m.warmup.String(), "-n", strconv.Itoa(m.fireN)}
	out, err := exec.Command(self, args...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return result{}, fmt.Errorf("%v: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return result{}, err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var res result
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		return result{}, fmt.Errorf("bad output %q: %v", out, err)
	}
	return res, nil
}

var rbRate = regexp.MustCompile(`SET: ([0-9.]+) requests per second`)

// redisBenchmark runs redis-benchmark -P 100 SET (50 connections, its
// default) with the same key space and value size: the server's own
// pipelined ceiling.
func redisBenchmark(addr string, n, d int) (result, error) {
	host, port, _ := net.SplitHostPort(addr)
	out, err := exec.Command("redis-benchmark", "-h", host, "-p", port, "-t", "set", "-n", strconv.Itoa(n),
		"-P", "100", "-d", strconv.Itoa(d), "-r", "10000", "-q").CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("redis-benchmark: %v: %s", err, out)
	}
	m := rbRate.FindAllSubmatch(out, -1)
	if len(m) == 0 {
		return result{}, fmt.Errorf("redis-benchmark printed %q", out)
	}
	rate, _ := strconv.ParseFloat(string(m[len(m)-1][1]), 64)
	return result{config: config{Client: "redis-benchmark"}, OpsPerSec: rate}, nil
}

// startServer starts a redis-server from PATH on a free loopback port,
// without persistence, and returns its address and a function that stops
// it.
func startServer() (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "bench-redis")
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--logfile", filepath.Join(dir, "redis.log"))
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("starting redis-server: %w", err)
	}
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for i := 0; i < 100; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr, stop, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("redis-server did not start on %s", addr)
}
