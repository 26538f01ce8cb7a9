package lazy_test

import (
	"context"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/hooktest"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/lazy"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/pubsub"
)

// handle is what the lazy constructors return, as the test uses it.
type handle interface {
	WithContext(context.Context) conn.Commands
	Disconnect() *deferred.Deferred[struct{}]
}

// The lazy constructors hand the hooks on: the dial and a command sent
// at once (waiting for that dial) are seen, under the caller's context.
func TestHooksSeeTheCommandsOfLazyHandles(t *testing.T) {
	m1, m2 := testserver.Mini(t), testserver.Mini(t)
	addrs := []string{m1.Addr(), m2.Addr()}
	rec := hooktest.New()
	co := conn.Options{Addr: m1.Addr(), Hooks: []conn.Hook{rec}}
	ctx := context.WithValue(context.Background(), hooktest.Key{}, "req")
	for _, tc := range []struct {
		name string
		make func() handle
	}{
		{"Connection", func() handle { return lazy.Connection(co) }},
		{"ConnectionPool", func() handle { return lazy.ConnectionPool(pool.Options{Options: co, PoolSize: 2}) }},
		{"ShardedConnection", func() handle { return lazy.ShardedConnection(addrs, co) }},
		{"ShardedConnectionPool", func() handle { return lazy.ShardedConnectionPool(addrs, pool.Options{Options: co, PoolSize: 2}) }},
	} {
		rec.Reset()
		h := tc.make()
		testutil.Must(t, h.WithContext(ctx).Set("k", tc.name))
		testutil.Must(t, h.Disconnect())
		sets := rec.Find(conn.OpCommand, "SET")
		if len(sets) != 1 || sets[0].Value != "req" || sets[0].Err != nil {
			t.Errorf("%s: SET seen as %s", tc.name, hooktest.Dump(rec.Events()))
		}
		if len(rec.Find(conn.OpDial, "")) == 0 {
			t.Errorf("%s: no dial seen: %s", tc.name, hooktest.Dump(rec.Events()))
		}
	}

	rec.Reset()
	s := lazy.Subscriber(pubsub.Options{Options: co}, nil)
	testutil.Must(t, s.Subscribe("news"))
	testutil.Must(t, s.Disconnect())
	if len(rec.Find(conn.OpCommand, "SUBSCRIBE")) != 1 || len(rec.Find(conn.OpDial, "")) != 1 {
		t.Fatalf("Subscriber: %s", hooktest.Dump(rec.Events()))
	}
}
