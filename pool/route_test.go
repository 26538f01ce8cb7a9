package pool_test

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// whoServer answers every command with the number of the connection it
// came on; until release is closed it holds its replies.
func whoServer(release <-chan struct{}) *fakeserver.Server {
	var conns atomic.Int64
	return fakeserver.New(func(p *fakeserver.Peer) {
		id := strconv.FormatInt(conns.Add(1), 10)
		<-release
		p.Serve(func([]string) proto.Value { return proto.BulkValue(id) })
	})
}

// Concurrent callers' commands go to one connection while it keeps up,
// so that they are written in large batches rather than spread thin over
// every connection of the pool.
func TestPoolKeepsConcurrentCommandsTogether(t *testing.T) {
	release := make(chan struct{})
	close(release)
	srv := whoServer(release)
	defer srv.Close()
	p := testutil.Must(t, pool.Connect(fakeOpts(srv, 4)))
	defer p.Disconnect()
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				v, err := testutil.Wait(t, p.Do("WHO"))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[v.Str]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 1 {
		t.Fatalf("16 callers with one command each in flight were spread over %d connections: %v", len(seen), seen)
	}
}

// A connection that falls far behind (spillAt replies pending) passes
// new commands to the next one.
func TestPoolSpillsWhenAConnectionFallsBehind(t *testing.T) {
	release := make(chan struct{})
	srv := whoServer(release)
	defer srv.Close()
	p := testutil.Must(t, pool.Connect(fakeOpts(srv, 4)))
	defer p.Disconnect()
	const n = 300
	ds := make([]*deferred.Deferred[proto.Value], n)
	for i := range ds {
		ds[i] = p.Do("WHO")
	}
	close(release)
	count := map[string]int{}
	for _, d := range ds {
		count[testutil.Must(t, d).Str]++
	}
	if len(count) != 2 {
		t.Fatalf("300 unanswered commands went to %d connections (%v), want the first to fill and one more to take the rest", len(count), count)
	}
	for id, k := range count {
		if k != 256 && k != n-256 {
			t.Fatalf("connection %s got %d commands: %v", id, k, count)
		}
	}
}
