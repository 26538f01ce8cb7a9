package lazy_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/lazy"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/pubsub"
	"github.com/txredis/txredis/shard"
)

// Each lazy constructor returns a working handle at once; the first
// command waits for the first dial.
func TestLazyConstructors(t *testing.T) {
	m1, m2 := testserver.Mini(t), testserver.Mini(t)
	addrs := []string{m1.Addr(), m2.Addr()}
	before := runtime.NumGoroutine()

	c := lazy.Connection(conn.Options{Addr: m1.Addr()})
	testutil.Must(t, c.Set("conn", "1"))
	if v, _ := m1.Get("conn"); v != "1" {
		t.Errorf("lazy.Connection wrote %q", v)
	}
	testutil.Must(t, c.Disconnect())

	p := lazy.ConnectionPool(pool.Options{Options: conn.Options{Addr: m2.Addr()}, PoolSize: 3})
	testutil.Must(t, p.Set("pool", "2"))
	if v, _ := m2.Get("pool"); v != "2" {
		t.Errorf("lazy.ConnectionPool wrote %q", v)
	}
	testutil.Must(t, p.Disconnect())

	for name, r := range map[string]*shard.Ring{
		"ShardedConnection":     lazy.ShardedConnection(addrs, conn.Options{}),
		"ShardedConnectionPool": lazy.ShardedConnectionPool(addrs, pool.Options{PoolSize: 2}),
	} {
		for i := 0; i < 20; i++ {
			k := fmt.Sprintf("%s:%d", name, i)
			testutil.Must(t, r.Set(k, k))
			owner := m1
			if r.Shard(k) == m2.Addr() {
				owner = m2
			}
			if v, _ := owner.Get(k); v != k {
				t.Errorf("%s: key %q not on %s", name, k, r.Shard(k))
			}
		}
		testutil.Must(t, r.Disconnect())
	}
	testutil.CheckGoroutines(t, before)
}

func TestLazyShardedOptionsAndBadAddrs(t *testing.T) {
	r := lazy.ShardedConnection([]string{"127.0.0.1:1", "127.0.0.1:2"}, conn.Options{NoReconnect: true}, shard.UnsignedCRC())
	h, _ := shard.NewHashRing(r.Nodes(), shard.UnsignedCRC())
	for _, k := range []string{"order3748", "a", "b{1}"} {
		if r.Shard(k) != h.Node(k) {
			t.Errorf("ring options not applied: %q on %s, want %s", k, r.Shard(k), h.Node(k))
		}
	}
	testutil.Must(t, r.Disconnect())
	bad := lazy.ShardedConnectionPool([]string{"localhost"}, pool.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := bad.Get("k").Wait(ctx); !errors.Is(err, shard.ErrBadAddrs) {
		t.Errorf("bad address list: %v, want ErrBadAddrs", err)
	}
}

// A lazy sharded connection is usable before anything is connected.
func ExampleShardedConnection() {
	a, _ := miniredis.Run()
	defer a.Close()
	b, _ := miniredis.Run()
	defer b.Close()
	ctx := context.Background()

	rc := lazy.ShardedConnection([]string{a.Addr(), b.Addr()}, conn.Options{})
	defer func() { _, _ = rc.Disconnect().Wait(ctx) }()
	rc.Set("foo", "bar")
	v, err := rc.Get("foo").Wait(ctx)
	fmt.Println(v, err)
	// Output:
	// bar <nil>
}

// lazy.Subscriber returns at once; a subscription asked for before the
// dial completes is confirmed once it does, and messages arrive.
func TestLazySubscriber(t *testing.T) {
	m := testserver.Mini(t)
	got := make(chan string, 1)
	s := lazy.Subscriber(pubsub.Options{Options: conn.Options{Addr: m.Addr()}},
		pubsub.HandlerFunc(func(_, channel, message string) { got <- channel + "=" + message }))
	confirmed := testutil.Must(t, s.Subscribe("news"))
	if len(confirmed) != 1 || confirmed[0].Channel != "news" {
		t.Fatalf("confirmations %+v", confirmed)
	}
	m.Publish("news", "hello")
	select {
	case have := <-got:
		if have != "news=hello" {
			t.Fatalf("message %q", have)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
	}
	testutil.Must(t, s.Disconnect())
}

// Each lazy constructor accepts a URL wherever it takes an address.
func TestLazyURL(t *testing.T) {
	m1, m2 := testserver.Mini(t), testserver.Mini(t)
	m1.RequireAuth("lazy-pw")
	m2.RequireAuth("lazy-pw")
	u1, u2 := "redis://:lazy-pw@"+m1.Addr()+"/1", "redis://:lazy-pw@"+m2.Addr()+"/1"
	c := lazy.Connection(conn.Options{Addr: u1})
	p := lazy.ConnectionPool(pool.Options{Options: conn.Options{Addr: u2}, PoolSize: 2})
	r := lazy.ShardedConnection([]string{u1, u2}, conn.Options{})
	rp := lazy.ShardedConnectionPool([]string{u1, u2}, pool.Options{PoolSize: 2})
	testutil.Must(t, c.Set("lazy:conn", "1"))
	testutil.Must(t, p.Set("lazy:pool", "2"))
	testutil.Must(t, r.Set("lazy:ring", "3"))
	testutil.Must(t, rp.Set("lazy:ringpool", "4"))
	for _, tc := range []struct {
		m    *miniredis.Miniredis
		k, v string
	}{{m1, "lazy:conn", "1"}, {m2, "lazy:pool", "2"}} {
		if v, err := tc.m.DB(1).Get(tc.k); err != nil || v != tc.v {
			t.Errorf("%s in database 1: %q, %v", tc.k, v, err)
		}
	}
	for _, h := range []*shard.Ring{r, rp} {
		if v := testutil.Must(t, h.Get("lazy:ring")); v != "3" {
			t.Errorf("ring GET %q", v)
		}
	}
	for _, d := range []interface {
		Disconnect() *deferred.Deferred[struct{}]
	}{c, p, r, rp} {
		testutil.Must(t, d.Disconnect())
	}
}
