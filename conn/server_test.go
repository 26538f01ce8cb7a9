package conn_test

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

func connectTo(t testing.TB, opts conn.Options) *conn.Conn {
	t.Helper()
	c := testutil.Must(t, conn.Connect(opts))
	t.Cleanup(func() { c.Disconnect() })
	return c
}

func TestRealSetGetDelIncr(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr()})
	if have := testutil.Must(t, c.Set("foo", "bar")); have != "OK" {
		t.Fatalf("SET: %q", have)
	}
	if have := testutil.Must(t, c.Get("foo")); have != "bar" {
		t.Fatalf("GET: %q", have)
	}
	if _, err := testutil.Wait(t, c.Get("missing")); !errors.Is(err, proto.ErrNil) {
		t.Fatalf("GET missing: have %v, want ErrNil", err)
	}
	if have := testutil.Must(t, c.Incr("n")); have != 1 {
		t.Fatalf("INCR: %d", have)
	}
	if _, err := testutil.Wait(t, c.Incr("foo")); err == nil {
		t.Fatal("INCR on a non-integer succeeded")
	}
	if have := testutil.Must(t, c.Del("foo", "n", "missing")); have != 2 {
		t.Fatalf("DEL: %d", have)
	}
	if have := testutil.Must(t, c.Ping()); have != "PONG" {
		t.Fatalf("PING: %q", have)
	}
}

func TestRealKillUnderLoad(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr(), ReplyTimeout: 5 * time.Second})
	var fired, sent atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("k%d:%d", g, i)
				sent.Add(1)
				d := c.Set(key, key)
				if _, err := testutil.Wait(t, d); err != nil && !errors.Is(err, conn.ErrConnection) {
					t.Errorf("unexpected error kind: %v", err)
				}
				fired.Add(1)
				if i%10 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}(g)
	}
	time.Sleep(200 * time.Millisecond)
	srv.Kill()
	time.Sleep(100 * time.Millisecond)

	start := time.Now()
	_, err := testutil.Wait(t, c.Get("x"))
	if !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("while down: have %v, want ConnectionError", err)
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Fatalf("command while down took %v, want fail-fast", d)
	}

	srv.Restart()
	restarted := time.Now()
	testutil.Eventually(t, func() error { _, err := testutil.Wait(t, c.Ping()); return err })
	if d := time.Since(restarted); d > time.Second {
		t.Fatalf("recovered %v after restart, want within 1s", d)
	}
	close(stop)
	wg.Wait()
	if sent.Load() != fired.Load() {
		t.Fatalf("%d commands sent, %d Deferreds fired", sent.Load(), fired.Load())
	}
}

func TestRealClientKillMidPipelineNoMismatch(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr(), ClientName: "victim"})
	admin := connectTo(t, conn.Options{Addr: srv.Addr()})
	for i := 0; i < 2000; i++ {
		k := "u" + strconv.Itoa(i)
		testutil.Must(t, admin.Set(k, k))
	}
	var mismatches, ok, failed atomic.Int64
	var wg sync.WaitGroup
	for round := 0; round < 5; round++ {
		ds := make([]*deferred.Deferred[string], 2000)
		for i := range ds {
			ds[i] = c.Get("u" + strconv.Itoa(i))
		}
		testutil.Must(t, admin.Do("CLIENT", "KILL", "SKIPME", "yes", "TYPE", "normal"))
		for i, d := range ds {
			wg.Add(1)
			go func(i int, d *deferred.Deferred[string]) {
				defer wg.Done()
				v, err := testutil.Wait(t, d)
				switch {
				case err != nil:
					failed.Add(1)
				case v != "u"+strconv.Itoa(i):
					mismatches.Add(1)
				default:
					ok.Add(1)
				}
			}(i, d)
		}
		wg.Wait()
		testutil.Eventually(t, func() error { _, err := testutil.Wait(t, c.Ping()); return err })
	}
	if mismatches.Load() != 0 {
		t.Fatalf("%d replies went to the wrong command (%d ok, %d failed)", mismatches.Load(), ok.Load(), failed.Load())
	}
	t.Logf("%d ok, %d failed with ConnectionError, 0 mismatched", ok.Load(), failed.Load())
}

func TestRealAuth(t *testing.T) {
	srv := testserver.Start(t, "--requirepass", "s3cret")
	c := connectTo(t, conn.Options{Addr: srv.Addr(), Password: "s3cret"})
	testutil.Must(t, c.Set("a", "1"))

	_, err := testutil.Wait(t, conn.Connect(conn.Options{Addr: srv.Addr(), Password: "wrong"}))
	var cerr *conn.ConnectionError
	if !errors.As(err, &cerr) || cerr.Step != "AUTH" || !strings.Contains(err.Error(), "WRONGPASS") {
		t.Fatalf("wrong password: have %v, want a handshake error naming AUTH and WRONGPASS", err)
	}
	if strings.Contains(err.Error(), "wrong") && strings.Contains(err.Error(), "Password: wrong") {
		t.Fatal("the password appears in the error")
	}

	// A lazy connection with bad credentials retries only slowly
	// (DefaultPermanentRetry), and commands fail at once meanwhile.
	var dials atomic.Int64
	lc := conn.New(conn.Options{Addr: srv.Addr(), Password: "wrong", OnState: func(e conn.StateEvent) {
		if e.State == conn.StateConnecting {
			dials.Add(1)
		}
	}})
	defer lc.Disconnect()
	testutil.Eventually(t, func() error {
		if lc.State() != conn.StateDisconnected {
			return errors.New(lc.State().String())
		}
		return nil
	})
	time.Sleep(200 * time.Millisecond)
	if n := dials.Load(); n != 1 {
		t.Fatalf("bad credentials were retried at once: %d dials", n)
	}
	if _, err := testutil.Wait(t, lc.Get("a")); !strings.Contains(fmt.Sprint(err), "WRONGPASS") {
		t.Fatalf("command on a connection with bad credentials: %v", err)
	}
}

func TestRealACLUser(t *testing.T) {
	srv := testserver.Start(t)
	admin := connectTo(t, conn.Options{Addr: srv.Addr()})
	testutil.Must(t, admin.Do("ACL", "SETUSER", "alice", "on", ">wonderland", "~*", "+@all"))
	for _, proto := range []int{2, 3} {
		c := connectTo(t, conn.Options{Addr: srv.Addr(), Username: "alice", Password: "wonderland", Protocol: proto})
		if who := testutil.Must(t, c.Do("ACL", "WHOAMI")); who.Str != "alice" {
			t.Fatalf("RESP%d: WHOAMI %v", proto, who)
		}
	}
	_, err := testutil.Wait(t, conn.Connect(conn.Options{Addr: srv.Addr(), Username: "alice", Password: "nope"}))
	if !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("bad ACL password: %v", err)
	}
}

func TestRealSelectIsolation(t *testing.T) {
	srv := testserver.Start(t)
	c0 := connectTo(t, conn.Options{Addr: srv.Addr()})
	c5 := connectTo(t, conn.Options{Addr: srv.Addr(), DB: 5})
	testutil.Must(t, c5.Set("only-in-5", "x"))
	if _, err := testutil.Wait(t, c0.Get("only-in-5")); !errors.Is(err, proto.ErrNil) {
		t.Fatalf("db 0 sees db 5's key: %v", err)
	}
	if have := testutil.Must(t, c5.Get("only-in-5")); have != "x" {
		t.Fatalf("db 5: %q", have)
	}
	_, err := testutil.Wait(t, conn.Connect(conn.Options{Addr: srv.Addr(), DB: 99999}))
	var cerr *conn.ConnectionError
	if !errors.As(err, &cerr) || cerr.Step != "SELECT" {
		t.Fatalf("bad db: have %v, want a handshake error naming SELECT", err)
	}
}

func TestRealUnixSocket(t *testing.T) {
	srv := testserver.Start(t)
	for _, addr := range []string{srv.Socket(), "unix://" + srv.Socket()} {
		c := connectTo(t, conn.Options{Addr: addr})
		testutil.Must(t, c.Set("via", addr))
		if have := testutil.Must(t, c.Get("via")); have != addr {
			t.Fatalf("%s: %q", addr, have)
		}
	}
}

func TestRealTLS(t *testing.T) {
	srv := testserver.StartTLS(t)
	c := connectTo(t, conn.Options{Addr: srv.TLSAddr(), TLS: srv.ClientConfig})
	testutil.Must(t, c.Set("tls", "yes"))
	if have := testutil.Must(t, c.Get("tls")); have != "yes" {
		t.Fatalf("TLS GET: %q", have)
	}
	// Server name verification is on by default: a name the certificate
	// does not carry is refused.
	cfg := srv.ClientConfig.Clone()
	cfg.ServerName = "not-the-server.example"
	if _, err := testutil.Wait(t, conn.Connect(conn.Options{Addr: srv.TLSAddr(), TLS: cfg})); !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("TLS with a wrong server name: have %v, want a ConnectionError", err)
	}
}

func TestRealRESP3(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr(), Protocol: 3, ClientName: "r3"})
	testutil.Must(t, c.Do("HSET", "h", "a", "1"))
	v := testutil.Must(t, c.Do("HGETALL", "h"))
	if v.Kind != proto.Map {
		t.Fatalf("RESP3 HGETALL kind %v, want map", v.Kind)
	}
	if name := testutil.Must(t, c.Do("CLIENT", "GETNAME")); name.Str != "r3" {
		t.Fatalf("client name %v", name)
	}
}

func TestRealDisconnectNoLeak(t *testing.T) {
	srv := testserver.Start(t)
	before := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		c := testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr(), ReplyTimeout: time.Second}))
		for j := 0; j < 100; j++ {
			c.Set("k", "v")
		}
		testutil.Must(t, c.Disconnect())
	}
	testutil.CheckGoroutines(t, before)
}

// ReadOnly sends READONLY as the last handshake step: a server without
// cluster support refuses it, and the connect error names the step.
func TestRealReadOnlyHandshakeStep(t *testing.T) {
	srv := testserver.Start(t)
	_, err := testutil.Wait(t, conn.Connect(conn.Options{Addr: srv.Addr(), ReadOnly: true}))
	var cerr *conn.ConnectionError
	if !errors.As(err, &cerr) || cerr.Step != "READONLY" || !strings.Contains(err.Error(), "cluster support disabled") {
		t.Fatalf("have %v, want the READONLY step refused by a non-cluster server", err)
	}
}
