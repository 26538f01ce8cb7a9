package pool_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

func fakeOpts(srv *fakeserver.Server, size int) pool.Options {
	return pool.Options{Options: conn.Options{Addr: "fake:6379", Dialer: srv.Dialer}, PoolSize: size}
}

// A lazy pool takes commands before any connection is up; they wait for
// the first dial and then get their own replies.
func TestLazyPoolQueuesBeforeConnect(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := fakeserver.New(func(p *fakeserver.Peer) { p.Serve(fakeserver.Echo) })
	defer srv.Close()
	gate := make(chan struct{})
	o := fakeOpts(srv, 3)
	o.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return srv.Dialer(ctx, network, addr)
	}
	p := pool.New(o)
	ds := make([]*deferred.Deferred[proto.Value], 20)
	for i := range ds {
		ds[i] = p.Do("ECHO", strconv.Itoa(i))
	}
	for i, d := range ds {
		if d.Fired() {
			t.Fatalf("command %d fired before any dial completed", i)
		}
	}
	if s := p.Stats(); s.Open != 0 || s.Pending != 20 {
		t.Fatalf("before the dial: %+v", s)
	}
	if p.Ready().Fired() {
		t.Fatal("Ready fired before the dial")
	}
	close(gate)
	for i, d := range ds {
		if have := testutil.Must(t, d); have.Str != strconv.Itoa(i) {
			t.Fatalf("command %d: %v", i, have)
		}
	}
	if have := testutil.Must(t, p.Ready()); have != p {
		t.Fatal("Ready fired with another pool")
	}
	testutil.Must(t, p.Disconnect())
	srv.Close()
	testutil.CheckGoroutines(t, before)
}

// When every connection is down, commands fail at once with a
// ConnectionError, and those commands kick the redials: the pool is back
// as soon as the server is, even with a long backoff.
func TestAllDownFailsFastAndRecovers(t *testing.T) {
	srv := fakeserver.New(func(p *fakeserver.Peer) { p.Serve(fakeserver.Echo) })
	defer srv.Close()
	o := fakeOpts(srv, 3)
	o.Backoff = func(int) time.Duration { return time.Minute }
	p := connectPool(t, o)

	srv.Refuse(true)
	srv.CloseAll()
	testutil.Eventually(t, func() error {
		if s := p.Stats(); s.Open != 0 {
			return fmt.Errorf("open: %d", s.Open)
		}
		return nil
	})
	for i := 0; i < 10; i++ {
		start := time.Now()
		_, err := testutil.Wait(t, p.Ping())
		if !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("PING with every connection down: %v", err)
		}
		if took := time.Since(start); took > 100*time.Millisecond {
			t.Fatalf("PING took %v to fail", took)
		}
	}
	srv.Refuse(false)
	testutil.Eventually(t, func() error {
		_, err := testutil.Wait(t, p.Ping())
		return err
	})
	testutil.Eventually(t, func() error {
		p.Ping()
		if s := p.Stats(); s.Open != 3 {
			return fmt.Errorf("open: %d", s.Open)
		}
		return nil
	})
}

// Connect fails with the first failed dial and leaves nothing running,
// even when other connections of the pool came up.
func TestConnectFailsWhenOneDialFails(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := fakeserver.New(func(p *fakeserver.Peer) { p.Serve(fakeserver.Echo) })
	defer srv.Close()
	var n atomic.Int32
	boom := errors.New("dial refused")
	o := fakeOpts(srv, 4)
	o.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if n.Add(1) == 3 {
			return nil, boom
		}
		return srv.Dialer(ctx, network, addr)
	}
	_, err := testutil.Wait(t, pool.Connect(o))
	var cerr *conn.ConnectionError
	if !errors.As(err, &cerr) || !errors.Is(err, boom) {
		t.Fatalf("Connect with a failing dial: %v", err)
	}
	srv.Close()
	testutil.CheckGoroutines(t, before)
}

// A blocking command whose connection is lost fails with a
// ConnectionError and gives its lease back; the connection is redialled.
func TestBlockingCommandLostReleasesLease(t *testing.T) {
	srv := fakeserver.New(func(p *fakeserver.Peer) {
		for {
			args, err := p.ReadCommand()
			if err != nil {
				return
			}
			if args[0] == "BLPOP" {
				continue // never answered: the connection is closed under it
			}
			if p.Reply(fakeserver.Echo(args)) != nil {
				return
			}
		}
	})
	defer srv.Close()
	p := connectPool(t, fakeOpts(srv, 2))
	d := p.Do("BLPOP", "q", "0")
	testutil.Eventually(t, func() error {
		if s := p.Stats(); s.Blocking != 1 {
			return fmt.Errorf("stats %+v", s)
		}
		return nil
	})
	if have := testutil.Must(t, p.Ping()); have != "PONG" {
		t.Fatalf("PING beside BLPOP: %q", have)
	}
	srv.CloseAll()
	if _, err := testutil.Wait(t, d); !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("BLPOP on a lost connection: %v", err)
	}
	testutil.Eventually(t, func() error {
		if s := p.Stats(); s.Leased != 0 {
			return fmt.Errorf("stats %+v", s)
		}
		if v, err := testutil.Wait(t, p.Do("ECHO", "back")); err != nil || v.Str != "back" {
			return fmt.Errorf("ECHO after redial: %v %v", v, err)
		}
		return nil
	})
}
