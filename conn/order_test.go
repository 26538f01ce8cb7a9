package conn_test

import (
	"strconv"
	"sync"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
)

// The order guarantee of one connection: commands are written and
// answered in the order they were sent, awaited or not. A GET sent right
// after an unawaited SET of the same key reads that SET's value, every
// time; the replies fire in send order; and several goroutines sharing
// the connection each keep their own order.
func TestOneConnOrder(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr()})
	const n = 5000
	gets := make([]*deferred.Deferred[string], n)
	var fired []int // appended on the reader goroutine, read after the last reply
	for i := 0; i < n; i++ {
		c.Set("order:one", strconv.Itoa(i))
		// Waiting on the end of the chain sees what its step did.
		gets[i] = c.Get("order:one").Then(func(v string) (string, error) {
			fired = append(fired, i)
			return v, nil
		})
	}
	for i, d := range gets {
		if v := testutil.Must(t, d); v != strconv.Itoa(i) {
			t.Fatalf("GET %d read %q: the unawaited SET before it had not run", i, v)
		}
	}
	for i, f := range fired {
		if f != i {
			t.Fatalf("reply %d fired in position %d", f, i)
		}
	}

	var wg sync.WaitGroup
	stale := make([]int, 4)
	for g := range stale {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := "order:g" + strconv.Itoa(g)
			ds := make([]*deferred.Deferred[string], n/4)
			for i := range ds {
				c.Set(key, strconv.Itoa(i))
				ds[i] = c.Get(key)
			}
			for i, d := range ds {
				if v, err := testutil.Wait(t, d); err != nil || v != strconv.Itoa(i) {
					stale[g]++
				}
			}
		}()
	}
	wg.Wait()
	for g, s := range stale {
		if s != 0 {
			t.Errorf("goroutine %d: %d GETs did not read the SET sent just before", g, s)
		}
	}
}
