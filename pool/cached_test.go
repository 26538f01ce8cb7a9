package pool_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// A pool's cached view spreads the keys over its connections, each key
// cached by one of them, and reads of a key whose connection is leased
// for a transaction go uncached through another.
func TestCachedPoolSpreadsKeysAndSkipsLeased(t *testing.T) {
	srv := testserver.Start(t)
	p := connectPool(t, pool.Options{Options: conn.Options{Addr: srv.Addr(), Protocol: 3}, PoolSize: 2})
	v := p.Cached(time.Minute)
	const n = 40
	for i := range n {
		testutil.Must(t, p.Set(fmt.Sprint("pk", i), fmt.Sprint("v", i)))
	}
	read := func() (hits int) {
		for i := range n {
			d := v.Get(fmt.Sprint("pk", i))
			if _, _, ok := d.Result(); ok {
				hits++
			}
			if have := testutil.Must(t, d); have != fmt.Sprint("v", i) {
				t.Fatalf("pk%d: %q", i, have)
			}
		}
		return hits
	}
	testutil.Eventually(t, func() error {
		if h := read(); h != n {
			return fmt.Errorf("%d hits of %d", h, n)
		}
		return nil
	})
	conns := p.CacheConns(nil)
	for _, c := range conns {
		if s := conn.NewCached(c, time.Minute).Stats(); s.Entries == 0 || s.Entries == n {
			t.Fatalf("one connection holds %d of %d entries: the keys are not spread", s.Entries, n)
		}
	}
	// Lease one connection for a transaction: its keys' misses go through
	// the other connection, uncached.
	tx := testutil.Must(t, p.Multi())
	testutil.Must(t, p.Del(fmt.Sprint("pk", 0), fmt.Sprint("pk", 1), fmt.Sprint("pk", 2), fmt.Sprint("pk", 3)))
	testutil.Must(t, v.Sync().Catch(func(err error) (struct{}, error) { return struct{}{}, nil }))
	for i := range 4 {
		if _, err := testutil.Wait(t, v.Get(fmt.Sprint("pk", i))); !errors.Is(err, proto.ErrNil) {
			t.Fatalf("pk%d after DEL, one connection leased: %v, want proto.ErrNil", i, err)
		}
	}
	testutil.Must(t, tx.Discard())
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := v.Sync().Wait(ctx); err != nil {
		t.Fatalf("Sync after the transaction: %v", err)
	}
}
