package main

import (
	"fmt"
	"slices"
	"strings"
)

// table collects the medians of each row and prints them.
type table struct {
	markdown bool
	lines    [][]string
	summary  []string
}

func newTable(markdown bool) *table { return &table{markdown: markdown} }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// med returns the median of f over runs.
func med(runs []result, f func(result) float64) float64 {
	xs := make([]float64, len(runs))
	for i, r := range runs {
		xs[i] = f(r)
	}
	return median(xs)
}

func (t *table) addRow(r row, clients []string, runs map[string][]result) {
	ops := map[string]float64{}
	for _, cl := range clients {
		rs := runs[cl]
		if len(rs) == 0 {
			continue
		}
		o := med(rs, func(x result) float64 { return x.OpsPerSec })
		ops[cl] = o
		lo := slices.MinFunc(rs, func(a, b result) int { return cmpf(a.OpsPerSec, b.OpsPerSec) }).OpsPerSec
		hi := slices.MaxFunc(rs, func(a, b result) int { return cmpf(a.OpsPerSec, b.OpsPerSec) }).OpsPerSec
		line := []string{r.name, cl, fmt.Sprintf("%.0f", o), fmt.Sprintf("%.0f–%.0f", lo, hi)}
		if cl == "redis-benchmark" {
			line = append(line, "", "", "", "", "", "", "")
		} else {
			line = append(line,
				fmt.Sprintf("%.3f", med(rs, func(x result) float64 { return x.WritesPerOp })),
				fmt.Sprintf("%.3f", med(rs, func(x result) float64 { return x.ReadsPerOp })),
				fmt.Sprintf("%.2f", med(rs, func(x result) float64 { return x.AllocsPerOp })),
				fmt.Sprintf("%.0f", med(rs, func(x result) float64 { return x.BytesPerOp })),
				fmt.Sprintf("%.2f", med(rs, func(x result) float64 { return x.CPUPerOp })),
				latency(rs, func(x result) float64 { return x.P50 }),
				latency(rs, func(x result) float64 { return x.P99 }))
		}
		t.lines = append(t.lines, line)
	}
	best, bestName := 0.0, ""
	for _, cl := range clients {
		if slices.Contains(peers, cl) && ops[cl] > best {
			best, bestName = ops[cl], cl
		}
	}
	ratio := func(a, b string, av, bv float64) {
		if av > 0 && bv > 0 {
			t.summary = append(t.summary, fmt.Sprintf("%-14s %s / %s = %.2fx", r.name, a, b, av/bv))
		}
	}
	if r.mode == "latency" {
		for _, cl := range clients {
			if rs := runs[cl]; len(rs) > 0 {
				t.summary = append(t.summary, fmt.Sprintf("%-14s %s p50 %s µs, p99 %s µs", r.name, cl,
					latency(rs, func(x result) float64 { return x.P50 }), latency(rs, func(x result) float64 { return x.P99 })))
			}
		}
		return
	}
	ratio("txredis", "best peer ("+bestName+")", ops["txredis"], best)
	if _, ok := ops["txredis-pool"]; ok {
		ratio("txredis-pool", "txredis", ops["txredis-pool"], ops["txredis"])
	}
	if _, ok := ops["txredis-auto"]; ok {
		ratio("txredis-auto", "best peer ("+bestName+")", ops["txredis-auto"], best)
	}
	if _, ok := ops["txredis-batch"]; ok {
		ratio("txredis-batch", "best peer ("+bestName+")", ops["txredis-batch"], best)
	}
	if _, ok := ops["redis-benchmark"]; ok {
		ratio("txredis", "redis-benchmark -P 100", ops["txredis"], ops["redis-benchmark"])
		if _, ok := ops["txredis-batch"]; ok {
			ratio("txredis-batch", "redis-benchmark -P 100", ops["txredis-batch"], ops["redis-benchmark"])
		}
	}
}

func latency(rs []result, f func(result) float64) string {
	v := med(rs, f)
	if v == 0 {
		return ""
	}
	return fmt.Sprintf("%.0f", v)
}

func cmpf(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

var header = []string{"row", "client", "ops/s", "range", "writes/op", "reads/op", "allocs/op", "B/op", "cpu µs/op", "p50 µs", "p99 µs"}

func (t *table) print() {
	if t.markdown {
		fmt.Println("| " + strings.Join(header, " | ") + " |")
		fmt.Println("|" + strings.Repeat("---|", len(header)))
		for _, l := range t.lines {
			fmt.Println("| " + strings.Join(l, " | ") + " |")
		}
	} else {
		width := make([]int, len(header))
		for i, h := range header {
			width[i] = len([]rune(h))
		}
		for _, l := range t.lines {
			for i, c := range l {
				width[i] = max(width[i], len([]rune(c)))
			}
		}
		pr := func(cells []string) {
			var b strings.Builder
			for i, c := range cells {
				b.WriteString(c)
				b.WriteString(strings.Repeat(" ", width[i]-len([]rune(c))+2))
			}
			fmt.Println(strings.TrimRight(b.String(), " "))
		}
		pr(header)
		for _, l := range t.lines {
			pr(l)
		}
	}
	fmt.Println()
	for _, s := range t.summary {
		fmt.Println(s)
	}
}
