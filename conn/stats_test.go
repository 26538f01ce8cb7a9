package conn_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testutil"
)

func TestConnStatsCountDialsLossesAndReconnects(t *testing.T) {
	c, srv := fakeConn(t, echoServer, conn.Options{Backoff: func(int) time.Duration { return time.Millisecond }})
	if s := c.Stats(); s != (conn.Stats{Conns: 1, Open: 1, Dials: 1}) {
		t.Fatalf("after connecting: %+v", s)
	}
	srv.CloseAll()
	testutil.Eventually(t, func() error {
		if s := c.Stats(); s.Open != 1 || s.Reconnects != 1 || s.Failures != 1 || s.Dials != 2 {
			return fmt.Errorf("after a lost connection: %+v", s)
		}
		return nil
	})
	l := testutil.Must(t, c.Lease(t.Context()))
	if s := c.Stats(); s.Leased != 1 {
		t.Fatalf("leased: %+v", s)
	}
	l.Release()
	if s := c.Stats(); s.Leased != 0 {
		t.Fatalf("released: %+v", s)
	}
}

func TestStatsAdd(t *testing.T) {
	a := conn.Stats{Conns: 1, Open: 1, Pending: 2, Dials: 3, Dropped: 4, Moved: 5, Buffered: 6, Nodes: 1}
	b := conn.Stats{Conns: 2, Open: 1, Pending: 1, Dials: 1, Dropped: 1, Moved: 1, Buffered: 1, Nodes: 1, Reconnects: 7}
	want := conn.Stats{Conns: 3, Open: 2, Pending: 3, Dials: 4, Dropped: 5, Moved: 6, Buffered: 7, Nodes: 2, Reconnects: 7}
	if have := a.Add(b); have != want {
		t.Fatalf("have %+v, want %+v", have, want)
	}
	c := conn.New(conn.Options{Addr: "127.0.0.1:1", NoReconnect: true})
	defer func() { testutil.Must(t, c.Disconnect()) }()
	if s, ok := conn.StatsOf(c); !ok || s.Conns != 1 {
		t.Fatalf("StatsOf a Conn: %+v, %v", s, ok)
	}
	if _, ok := conn.StatsOf(42); ok {
		t.Fatal("StatsOf an int")
	}
}
