package pool_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
)

// A pool given a URL connects every connection, pooled and extra, with
// the URL's password and database; its Addr does not show the password.
func TestURL(t *testing.T) {
	srv := testserver.Start(t, "--requirepass", "p00l-pw")
	url := "redis://:p00l-pw@127.0.0.1:" + strconv.Itoa(srv.Port()) + "/2"
	p := connectPool(t, pool.Options{Options: conn.Options{Addr: url}, PoolSize: 1})
	if p.Addr() != srv.Addr() || p.Options().DB != 2 {
		t.Errorf("Addr() = %q, DB %d; want %q, 2", p.Addr(), p.Options().DB, srv.Addr())
	}
	testutil.Must(t, p.Set("pool:url", "pooled"))
	// With one pooled connection, a transaction needs an extra one.
	tx := testutil.Must(t, p.Multi())
	tx.Set("pool:url:tx", "extra")
	testutil.Must(t, tx.Commit())
	check := testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr(), Password: "p00l-pw", DB: 2}))
	defer check.Disconnect()
	if v := testutil.Must(t, check.MGet("pool:url", "pool:url:tx")); !v[0].Valid || v[0].V != "pooled" || !v[1].Valid || v[1].V != "extra" {
		t.Errorf("database 2 holds %v", v)
	}
}

// A URL the pool cannot use fails Connect, and every command and lease
// of a lazy pool, with ErrBadURL; nothing shows the password.
func TestBadURL(t *testing.T) {
	url := "redis://:p00l-pw@127.0.0.1:1/2?nope=1"
	_, err := testutil.Wait(t, pool.Connect(pool.Options{Options: conn.Options{Addr: url}, PoolSize: 2}))
	if !errors.Is(err, conn.ErrBadURL) || strings.Contains(err.Error(), "p00l") {
		t.Fatalf("Connect: %v, want ErrBadURL without the password", err)
	}
	p := pool.New(pool.Options{Options: conn.Options{Addr: url}, PoolSize: 2})
	defer p.Disconnect()
	if strings.Contains(p.Addr(), "p00l") {
		t.Errorf("Addr() = %q", p.Addr())
	}
	if _, err := testutil.Wait(t, p.Get("k")); !errors.Is(err, conn.ErrBadURL) {
		t.Errorf("GET: %v, want ErrBadURL", err)
	}
	if _, err := testutil.Wait(t, p.Multi()); !errors.Is(err, conn.ErrBadURL) || strings.Contains(err.Error(), "p00l") {
		t.Errorf("Multi: %v, want ErrBadURL without the password", err)
	}
}
