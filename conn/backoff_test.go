package conn_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// handshakeServer answers the first refuse dials' handshake with the
// error reply refusal and closes, then serves Echo (AUTH answered OK).
func handshakeServer(refusal string, refuse int) *fakeserver.Server {
	var n atomic.Int64
	return fakeserver.New(func(p *fakeserver.Peer) {
		if n.Add(1) <= int64(refuse) {
			p.ReadCommand()
			p.Send("-" + refusal + "\r\n")
			return
		}
		p.Serve(func(args []string) proto.Value {
			if args[0] == "AUTH" {
				return proto.SimpleValue("OK")
			}
			return fakeserver.Echo(args)
		})
	})
}

// TestTransientHandshakeErrorsKeepRetrying is issue 14's second item: any
// error reply during the handshake was taken as permanent, so a server at
// maxclients (or LOADING, or running a busy script) closed a lazy
// connection for good after one dial, and a whole pool died.
func TestTransientHandshakeErrorsKeepRetrying(t *testing.T) {
	for _, refusal := range []string{
		"ERR max number of clients reached",
		"LOADING Redis is loading the dataset in memory",
		"BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.",
		"MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
		"TRYAGAIN Multiple keys request during rehashing of slot",
		"OOM command not allowed when used memory > 'maxmemory'.",
	} {
		t.Run(strings.Fields(refusal)[0], func(t *testing.T) {
			srv := handshakeServer(refusal, 3)
			defer srv.Close()
			c := conn.New(conn.Options{Addr: "fake:1", Password: "pw", Dialer: srv.Dialer,
				Backoff: conn.ExponentialBackoff(time.Millisecond, 10*time.Millisecond)})
			defer c.Disconnect()
			testutil.Eventually(t, func() error {
				_, err := testutil.Wait(t, c.Get("k"))
				return err
			})
			if srv.Dials() != 4 {
				t.Errorf("%d dials, want 3 refused and 1 that worked", srv.Dials())
			}
		})
	}
}

// TestPermanentHandshakeErrorRetriesSlowly: wrong credentials and bad
// configuration are permanent, yet a lazy handle retries them slowly (the
// server's ACL may be fixed), without letting commands hurry the retries;
// an eager Connect fails at once.
func TestPermanentHandshakeErrorRetriesSlowly(t *testing.T) {
	defer conn.SetPermanentRetry(300 * time.Millisecond)()
	for _, refusal := range []string{
		"WRONGPASS invalid username-password pair or user is disabled.",
		"NOAUTH Authentication required.",
		"ERR invalid password",
		"NOPERM this user has no permissions to run the 'select' command",
		"ERR DB index is out of range",
	} {
		t.Run(strings.Fields(refusal)[0], func(t *testing.T) {
			srv := handshakeServer(refusal, 1<<30)
			defer srv.Close()
			if _, err := testutil.Wait(t, conn.Connect(conn.Options{Addr: "fake:1", Password: "pw", Dialer: srv.Dialer})); err == nil {
				t.Fatal("eager Connect with a refused handshake succeeded")
			}
			if srv.Dials() != 1 {
				t.Fatalf("eager Connect dialled %d times", srv.Dials())
			}

			srv2 := handshakeServer(refusal, 3)
			defer srv2.Close()
			c := conn.New(conn.Options{Addr: "fake:1", Password: "pw", Dialer: srv2.Dialer})
			defer c.Disconnect()
			testutil.Eventually(t, func() error {
				if srv2.Dials() < 1 || c.State() == conn.StateConnecting {
					return errors.New("first dial not done")
				}
				return nil
			})
			// Commands fail at once with the handshake error, and do not
			// hurry the next dial.
			start := time.Now()
			for time.Since(start) < 200*time.Millisecond {
				if _, err := testutil.Wait(t, c.Get("k")); err == nil {
					break
				} else if !strings.Contains(err.Error(), strings.Fields(refusal)[0]) {
					t.Fatalf("command while refused: %v", err)
				}
				time.Sleep(time.Millisecond)
			}
			if n := srv2.Dials(); n > 2 {
				t.Fatalf("%d dials within 200ms of a permanent refusal", n)
			}
			// It keeps retrying, and connects once the server accepts it.
			testutil.Eventually(t, func() error {
				_, err := testutil.Wait(t, c.Get("k"))
				return err
			})
			if c.State() != conn.StateConnected {
				t.Fatalf("state %v after the server accepted", c.State())
			}
		})
	}
}

// acceptAndClose is a TCP listener that accepts connections and closes
// them at once, counting them.
func acceptAndClose(t *testing.T) (addr string, accepted *atomic.Int64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = new(atomic.Int64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String(), accepted
}

// TestNoHotDialLoop is issue 14's third item: the attempt counter reset
// after any successful TCP dial, and attempt 0 waits nothing, so a
// listener that accepts and closes saw about 12,000 dials a second, and a
// server at maxclients 14,008 dials in 1.5s. A connection must prove
// itself healthy before the backoff starts again from zero.
func TestNoHotDialLoop(t *testing.T) {
	addr, accepted := acceptAndClose(t)
	c := conn.New(conn.Options{Addr: addr})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // demand: commands on the down connection ask for redials
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				c.Get("k")
			}
		}
	}()
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	wg.Wait()
	testutil.Must(t, c.Disconnect())
	n := accepted.Load()
	t.Logf("a listener that accepts and closes: %d dials in 1.5s under load", n)
	// Demand may ask for a redial every 100ms: 15 in 1.5s, plus the
	// backoff's own.
	if n > 30 {
		t.Errorf("%d dials in 1.5s: a hot reconnect loop", n)
	}
	if n < 2 {
		t.Errorf("%d dials in 1.5s: the connection stopped retrying", n)
	}
}

// TestMaxClientsBacksOffAndRecovers: against a real server at maxclients,
// with and without a password (the error arrives as a handshake reply,
// or unsolicited), a pool neither hot-loops nor gives up, and recovers
// once the limit is raised.
func TestMaxClientsBacksOffAndRecovers(t *testing.T) {
	for _, pw := range []string{"", "s3cret"} {
		t.Run("password="+pw, func(t *testing.T) {
			args := []string{"--maxclients", "1"}
			if pw != "" {
				args = append(args, "--requirepass", pw)
			}
			srv := testserver.Start(t, args...)
			hog := connectTo(t, conn.Options{Addr: srv.Addr(), Password: pw})
			var dials atomic.Int64
			dialer := func(ctx context.Context, network, addr string) (net.Conn, error) {
				dials.Add(1)
				var d net.Dialer
				return d.DialContext(ctx, network, addr)
			}
			c := conn.New(conn.Options{Addr: srv.Addr(), Password: pw, Dialer: dialer})
			defer c.Disconnect()
			deadline := time.Now().Add(1500 * time.Millisecond)
			for time.Now().Before(deadline) {
				c.Get("k")
				time.Sleep(time.Millisecond)
			}
			n := dials.Load()
			t.Logf("server at maxclients: %d dials in 1.5s under load", n)
			if n > 30 {
				t.Errorf("%d dials in 1.5s against a server at maxclients", n)
			}
			if c.State() == conn.StateClosed {
				t.Fatal("the connection gave up at maxclients")
			}
			testutil.Must(t, hog.Do("CONFIG", "SET", "maxclients", "10"))
			testutil.EventuallyWithin(t, 10*time.Second, func() error {
				_, err := testutil.Wait(t, c.Ping())
				return err
			})
		})
	}
}
