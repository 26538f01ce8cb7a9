package conn_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
)

// The quiet mode of conn/quiet.go seen from other handles, against a
// real redis-server: pools, transactions, pipelines, context views.

// A pool whose connections go quiet, used at once by a goroutine that
// waits on each command (which parks a connection), transactions,
// pipelines, views with a context that ends, callbacks and commands
// nobody observes: every Deferred fires once, with its own reply.
func TestQuietReviewPoolMixedUse(t *testing.T) {
	srv := testserver.Start(t)
	for _, addr := range []string{srv.Addr(), "unix://" + srv.Socket()} {
		p := testutil.Must(t, pool.Connect(pool.Options{
			Options:  conn.Options{Addr: addr, ReplyTimeout: 2 * time.Second},
			PoolSize: 2,
		}))
		bg := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		check := func(what string, err error) bool {
			if err != nil {
				errs <- fmt.Errorf("%s: %s: %w", addr, what, err)
				return false
			}
			return true
		}
		const n = 200
		wg.Add(5)
		go func() { // lone waits: parks a connection
			defer wg.Done()
			for i := range n {
				// (On a pool, a command nobody waits for may go to another
				// connection than the next: each is waited for.)
				k, v := "lone", strconv.Itoa(i)
				if _, err := p.Set(k, v).Wait(bg); !check("lone", err) {
					return
				}
				have, err := p.Get(k).Wait(bg)
				if err == nil && have != v {
					err = fmt.Errorf("GET = %q, want %q", have, v)
				}
				if !check("lone", err) {
					return
				}
			}
		}()
		go func() { // transactions
			defer wg.Done()
			for i := range n / 4 {
				tx, err := p.Multi().Wait(bg)
				if !check("MULTI", err) {
					return
				}
				tx.Incr("txn")
				tx.Incr("txn")
				vs, err := tx.Commit().Wait(bg)
				if err == nil && (len(vs) != 2 || vs[1].Int-vs[0].Int != 1 || vs[1].Int != int64(2*i+2)) {
					err = fmt.Errorf("EXEC %d = %v", i, vs)
				}
				if !check("EXEC", err) {
					return
				}
			}
		}()
		go func() { // pipelines
			defer wg.Done()
			for i := range n / 2 {
				pl := p.Pipeline()
				a := pl.Incr("pipe")
				b := pl.Incr("pipe")
				if _, err := pl.Execute().Wait(bg); !check("pipeline", err) {
					return
				}
				va, _ := a.Wait(bg)
				vb, err := b.Wait(bg)
				if err == nil && (vb != va+1 || vb != int64(2*i+2)) {
					err = fmt.Errorf("pipeline %d: %d, %d", i, va, vb)
				}
				if !check("pipeline", err) {
					return
				}
			}
		}()
		go func() { // a view with a context that ends
			defer wg.Done()
			for i := range n {
				ctx, cancel := context.WithTimeout(bg, 5*time.Second)
				v, err := p.WithContext(ctx).Incr("ctx").Wait(ctx)
				cancel()
				if err == nil && v != int64(i+1) {
					err = fmt.Errorf("INCR = %d, want %d", v, i+1)
				}
				if !check("context view", err) {
					return
				}
			}
		}()
		go func() { // callbacks and Done
			defer wg.Done()
			for i := range n {
				d := p.Incr("cb")
				var v int64
				var err error
				if i%2 == 0 {
					ch := make(chan struct{})
					d.Observe(func(x int64, e error) { v, err = x, e; close(ch) })
					<-ch
				} else {
					<-d.Done()
					v, err, _ = d.Result()
				}
				if err == nil && v != int64(i+1) {
					err = fmt.Errorf("INCR = %d, want %d", v, i+1)
				}
				if !check("callback", err) {
					return
				}
			}
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if _, err := p.FlushAll(conn.Sync).Wait(bg); err != nil {
			t.Fatal(err)
		}
		testutil.Must(t, p.Disconnect())
	}
}
