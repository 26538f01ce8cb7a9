package pool_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/hooktest"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
)

func TestHooksSeeEveryCommandOfAPool(t *testing.T) {
	m := testserver.Mini(t)
	rec := hooktest.New()
	o := opts(m.Addr(), 2)
	o.Hooks = []conn.Hook{rec}
	o.MaxExclusive = 1
	o.LeaseTimeout = 50 * time.Millisecond
	p := connectPool(t, o)
	if dials := len(rec.Find(conn.OpDial, "")); dials != 2 {
		t.Fatalf("dials seen: %d, want one per pooled connection", dials)
	}
	rec.Reset()
	ctx := context.WithValue(context.Background(), hooktest.Key{}, "req")
	rc := p.WithContext(ctx)
	for i := 0; i < 10; i++ {
		testutil.Must(t, rc.Set(fmt.Sprint("k", i), "v"))
	}
	if sets := rec.Find(conn.OpCommand, "SET"); len(sets) != 10 || sets[9].Addr != m.Addr() || sets[9].Value != "req" {
		t.Fatalf("SETs seen: %s", hooktest.Dump(rec.Events()))
	}

	// A blocking command waits for a lease: the wait is an OpLease, then
	// the command runs on the leased connection.
	rec.Reset()
	m.Lpush("q", "job")
	testutil.Must(t, rc.BLPop(time.Second, "q"))
	evs := rec.Events()
	leases := rec.Find(conn.OpLease, "")
	if len(leases) != 1 || leases[0].Err != nil || leases[0].Value != "req" || leases[0].Addr != m.Addr() {
		t.Fatalf("lease for BLPOP: %s", hooktest.Dump(evs))
	}
	if len(rec.Find(conn.OpCommand, "BLPOP")) != 1 {
		t.Fatalf("BLPOP not seen: %s", hooktest.Dump(evs))
	}

	// A transaction leases too; with MaxExclusive leases held, the next
	// lease waits and fails with ErrExhausted, which the hook sees.
	rec.Reset()
	tx := testutil.Must(t, p.Multi())
	tx.Incr("n")
	if _, err := testutil.Wait(t, p.Multi()); !errors.Is(err, pool.ErrExhausted) {
		t.Fatalf("second Multi: %v", err)
	}
	testutil.Must(t, tx.Commit())
	leases = rec.Find(conn.OpLease, "")
	if len(leases) != 2 || leases[0].Err != nil || !errors.Is(leases[1].Err, pool.ErrExhausted) || leases[1].Duration < 40*time.Millisecond {
		t.Fatalf("leases: %s", hooktest.Dump(rec.Events()))
	}
	if len(rec.Find(conn.OpTransaction, "MULTI INCR")) != 1 || len(rec.Find(conn.OpCommand, "INCR")) != 1 {
		t.Fatalf("transaction on the pool: %s", hooktest.Dump(rec.Events()))
	}

	// A pipeline on the pool is reported with the pool's address.
	rec.Reset()
	pl := p.Pipeline()
	pl.Get("k1")
	pl.Get("k2")
	testutil.Must(t, pl.Execute())
	if ps := rec.Find(conn.OpPipeline, "PIPELINE GET"); len(ps) != 1 || ps[0].Addr != m.Addr() || ps[0].Size != 2 {
		t.Fatalf("pipeline: %s", hooktest.Dump(rec.Events()))
	}
	if rec.Open() != 0 {
		t.Fatalf("%d operations never ended", rec.Open())
	}
}

func TestPoolStatsCountReconnects(t *testing.T) {
	srv := testserver.Start(t)
	o := opts(srv.Addr(), 2)
	o.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
	p := connectPool(t, o)
	if s := p.Stats(); s.Conns != 2 || s.Open != 2 || s.PoolSize != 2 || s.Dials != 2 || s.Reconnects != 0 {
		t.Fatalf("after connecting: %+v", s)
	}
	testutil.Must(t, p.Do("CLIENT", "KILL", "TYPE", "normal"))
	testutil.Eventually(t, func() error {
		if s := p.Stats(); s.Open != 2 || s.Reconnects < 1 {
			return fmt.Errorf("after CLIENT KILL: %+v", s)
		}
		return nil
	})
}
