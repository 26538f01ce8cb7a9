package pool_test

import (
	"errors"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
)

// A command that changes its connection's state would change it under
// other callers' commands on a shared connection (a GET answered with
// "QUEUED" after a raw MULTI): the pool refuses it before sending, and
// ordinary commands keep their own replies.
func TestSharedConnectionStateCommandsRefused(t *testing.T) {
	m := testserver.Mini(t)
	p := connectPool(t, pool.Options{Options: conn.Options{Addr: m.Addr()}, PoolSize: 1})
	testutil.Must(t, p.Set("k", "v"))
	for _, args := range [][]any{
		{"MULTI"}, {"EXEC"}, {"WATCH", "k"}, {"SELECT", 2}, {"AUTH", "x"},
		{"CLIENT", "REPLY", "OFF"}, {"client", "reply", "skip"}, {"RESET"},
	} {
		if _, err := testutil.Wait(t, p.Do(args...)); !errors.Is(err, conn.ErrBadArgs) {
			t.Fatalf("Do%v: have %v, want ErrBadArgs", args, err)
		}
		if have := testutil.Must(t, p.Get("k")); have != "v" {
			t.Fatalf("after Do%v: GET answered %q", args, have)
		}
	}
	// The transaction API still works.
	tx := testutil.Must(t, p.Multi("k"))
	tx.Set("k", "w")
	testutil.Must(t, tx.Commit())
	if have := testutil.Must(t, p.Get("k")); have != "w" {
		t.Fatalf("after a transaction: %q", have)
	}
}
