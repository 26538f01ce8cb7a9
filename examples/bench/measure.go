package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// result is what one run reports.
type result struct {
	config
	Ops       int64   `json:"ops"`
	Seconds   float64 `json:"seconds"`
	OpsPerSec float64 `json:"ops_per_sec"`
	// WritesPerOp and ReadsPerOp are the process's write and read system
	// calls (write, writev, sendmsg...; read, recvmsg...) per operation.
	WritesPerOp float64 `json:"writes_per_op"`
	ReadsPerOp  float64 `json:"reads_per_op"`
	// AllocsPerOp and BytesPerOp are heap allocations per operation.
	AllocsPerOp float64 `json:"allocs_per_op"`
	BytesPerOp  float64 `json:"bytes_per_op"`
	// CPUPerOp is the process's user+system CPU time per operation, in
	// microseconds.
	CPUPerOp float64 `json:"cpu_us_per_op"`
	// Latency percentiles in microseconds (latency mode).
	P50 float64 `json:"p50_us,omitempty"`
	P99 float64 `json:"p99_us,omitempty"`
	Max float64 `json:"max_us,omitempty"`
}

// snapshot is the process's counters at one moment.
type snapshot struct {
	at             time.Time
	syscw, syscr   int64
	mallocs, bytes uint64
	cpu            time.Duration
}

func takeSnapshot() snapshot {
	var s snapshot
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.mallocs, s.bytes = ms.Mallocs, ms.TotalAlloc
	s.syscr, s.syscw = procIO()
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	s.at = time.Now()
	return s
}

// procIO reads the read and write system call counts of this process from
// /proc/self/io (Linux); both are 0 elsewhere.
func procIO() (syscr, syscw int64) {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "syscr":
			syscr = n
		case "syscw":
			syscw = n
		}
	}
	return syscr, syscw
}

// fill sets r's rates from the counters taken before and after ops
// operations.
func (r *result) fill(before, after snapshot, ops int64) {
	r.Ops = ops
	r.Seconds = after.at.Sub(before.at).Seconds()
	if ops == 0 || r.Seconds == 0 {
		return
	}
	n := float64(ops)
	r.OpsPerSec = n / r.Seconds
	r.WritesPerOp = float64(after.syscw-before.syscw) / n
	r.ReadsPerOp = float64(after.syscr-before.syscr) / n
	r.AllocsPerOp = float64(after.mallocs-before.mallocs) / n
	r.BytesPerOp = float64(after.bytes-before.bytes) / n
	r.CPUPerOp = float64(after.cpu-before.cpu) / float64(time.Microsecond) / n
}
