package txn_test

import (
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
)

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
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr()}))
	p := testutil.Must(t, pool.Connect(pool.Options{Options: conn.Options{Addr: srv.Addr()}, PoolSize: 3}))
	c3 := testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr(), Protocol: 3}))
	other := testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr()}))
	t.Cleanup(func() {
		testutil.Wait(t, c.Disconnect())
		testutil.Wait(t, c3.Disconnect())
		testutil.Wait(t, p.Disconnect())
		testutil.Wait(t, other.Disconnect())
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
			testutil.Must(t, h.other.Do("FLUSHALL"))
			f(t, h)
			testutil.Eventually(t, func() error {
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
