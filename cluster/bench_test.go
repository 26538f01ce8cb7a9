package cluster_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/internal/testutil"
)

// BenchmarkSlot measures hashing a key to its slot.
func BenchmarkSlot(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = cluster.Slot("user:1234567:profile")
	}
}

// BenchmarkClusterSet64 runs SETs over the three-master cluster from 64
// goroutines, each waiting for its reply before the next.
func BenchmarkClusterSet64(b *testing.B) {
	benchCluster(b, cluster.Options{})
}

// BenchmarkClusterSet64Pool is BenchmarkClusterSet64 with a pool of four
// connections per node.
func BenchmarkClusterSet64Pool(b *testing.B) {
	benchCluster(b, cluster.Options{PoolSize: 4})
}

func benchCluster(b *testing.B, opts cluster.Options) {
	tc := testcluster.Shared(b)
	c := testutil.Must(b, cluster.Connect(tc.Addrs()[:1], opts))
	defer c.Disconnect()
	var seq atomic.Int64
	b.SetParallelism(64 / max(1, testingProcs()))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			k := "bench:" + strconv.FormatInt(seq.Add(1)%100000, 10)
			if _, err := c.Set(k, "value").Wait(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
