package txn_test

import (
	"context"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/pool"
)

// wait waits for d with a test deadline, failing the test if it hangs.
func wait[T any](t testing.TB, d *deferred.Deferred[T]) (T, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := d.Wait(ctx)
	if ctx.Err() != nil {
		t.Fatalf("Deferred did not fire within 10s")
	}
	return v, err
}

// must waits for d and fails the test on error.
func must[T any](t testing.TB, d *deferred.Deferred[T]) T {
	t.Helper()
	v, err := wait(t, d)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	return v
}

// eventually retries f until it returns nil, for at most 5 seconds.
func eventually(t testing.TB, f func() error) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within 5s: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// handle is one kind of handle the transaction tests run on.
type handle struct {
	name  string
	rc    conn.Commands
	c     *conn.Conn // set for a single connection
	p     *pool.Pool // set for a pool
	other *conn.Conn // another client, for concurrent writes and CLIENT KILL
}

// leased reports whether a transaction still holds a connection.
func (h handle) leased() bool {
	if h.c != nil {
		return h.c.Leased()
	}
	return h.p.Stats().Leased > 0
}

// handles returns a single connection, a pool and a RESP3 connection to srv.
func handles(t *testing.T, srv *testserver.Server) []handle {
	t.Helper()
	c := must(t, conn.Connect(conn.Options{Addr: srv.Addr()}))
	p := must(t, pool.Connect(pool.Options{Options: conn.Options{Addr: srv.Addr()}, PoolSize: 3}))
	c3 := must(t, conn.Connect(conn.Options{Addr: srv.Addr(), Protocol: 3}))
	other := must(t, conn.Connect(conn.Options{Addr: srv.Addr()}))
	t.Cleanup(func() {
		wait(t, c.Disconnect())
		wait(t, c3.Disconnect())
		wait(t, p.Disconnect())
		wait(t, other.Disconnect())
	})
	return []handle{
		{name: "conn", rc: c.Commands, c: c, other: other},
		{name: "pool", rc: p.Commands, p: p, other: other},
		{name: "conn-resp3", rc: c3.Commands, c: c3, other: other},
	}
}

// each runs f for every kind of handle, on a flushed database.
func each(t *testing.T, f func(t *testing.T, h handle)) {
	srv := testserver.Start(t)
	for _, h := range handles(t, srv) {
		t.Run(h.name, func(t *testing.T) {
			must(t, h.other.Do("FLUSHALL"))
			f(t, h)
			eventually(t, func() error {
				if h.leased() {
					return errLeased
				}
				return nil
			})
		})
	}
}

type testError string

func (e testError) Error() string { return string(e) }

const errLeased = testError("a transaction still holds a connection")
