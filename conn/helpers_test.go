package conn_test

import (
	"runtime"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
)

// fakeConn connects to a fake server running handler.
func fakeConn(t testing.TB, handler func(*fakeserver.Peer), opts conn.Options) (*conn.Conn, *fakeserver.Server) {
	t.Helper()
	srv := fakeserver.New(handler)
	opts.Dialer = srv.Dialer
	if opts.Addr == "" {
		opts.Addr = "fake:6379"
	}
	c := testutil.Must(t, conn.Connect(opts))
	t.Cleanup(func() {
		c.Disconnect()
		srv.Close()
	})
	return c, srv
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
