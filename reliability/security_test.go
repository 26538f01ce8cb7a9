package reliability

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/faultproxy"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// syncBuffer is a bytes.Buffer safe for the connection's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// secretWatch collects everything a connection says: log lines, state
// event errors and command errors, to check that a secret is in none.
type secretWatch struct {
	log    syncBuffer
	mu     sync.Mutex
	events []string
}

func (w *secretWatch) options(opts conn.Options) conn.Options {
	opts.Logger = slog.New(slog.NewTextHandler(&w.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.OnState = func(e conn.StateEvent) {
		w.mu.Lock()
		w.events = append(w.events, fmt.Sprintf("%+v %v", e, e.Err))
		w.mu.Unlock()
	}
	return opts
}

func (w *secretWatch) check(t *testing.T, secret string, errs ...error) {
	t.Helper()
	if strings.Contains(w.log.String(), secret) {
		t.Errorf("the password appears in the log:\n%s", w.log.String())
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.events {
		if strings.Contains(e, secret) {
			t.Errorf("the password appears in a state event: %s", e)
		}
	}
	for _, err := range errs {
		if err != nil && (strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%#v", err), secret)) {
			t.Errorf("the password appears in an error: %v", err)
		}
	}
}

func TestPasswordNeverShown(t *testing.T) {
	const good, bad = "s3cret-good-pw", "s3cret-wrong-pw"
	srv := testserver.Start(t, "--requirepass", good)

	t.Run("wrong password", func(t *testing.T) {
		var w secretWatch
		_, err := testutil.Wait(t, conn.Connect(w.options(conn.Options{Addr: srv.Addr(), Password: bad, ConnectTimeout: connectTimeout})))
		if !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("wrong password: have %v, want a ConnectionError", err)
		}
		if w.log.String() == "" {
			t.Fatal("nothing was logged: the check would prove nothing")
		}
		w.check(t, bad, err)
	})

	t.Run("wrong password with username and RESP3", func(t *testing.T) {
		var w secretWatch
		_, err := testutil.Wait(t, conn.Connect(w.options(conn.Options{Addr: srv.Addr(), Username: "default", Password: bad, Protocol: 3})))
		if !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("have %v, want a ConnectionError", err)
		}
		w.check(t, bad, err)
	})

	t.Run("server down", func(t *testing.T) {
		var w secretWatch
		addr := fmt.Sprintf("127.0.0.1:%d", testserver.FreePort(t))
		_, err := testutil.Wait(t, conn.Connect(w.options(conn.Options{Addr: addr, Password: good})))
		if !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("have %v, want a ConnectionError", err)
		}
		// A lazy connection keeps redialling; its commands fail too.
		c := conn.New(w.options(conn.Options{Addr: addr, Password: good, ConnectTimeout: connectTimeout, Backoff: fastBackoff}))
		_, cerr := testutil.Wait(t, c.Get("k"))
		_, aerr := testutil.Wait(t, c.Do("AUTH", good))
		testutil.Must(t, c.Disconnect())
		w.check(t, good, err, cerr, aerr)
	})

	t.Run("server killed under a good password", func(t *testing.T) {
		srv := testserver.Start(t, "--requirepass", good)
		var w secretWatch
		c := connect(t, w.options(conn.Options{Addr: srv.Addr(), Password: good, ReplyTimeout: replyTimeout, Backoff: fastBackoff}))
		testutil.Must(t, c.Set("k", "v"))
		srv.Kill()
		_, err := testutil.Wait(t, c.Get("k"))
		if !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("after kill: have %v, want a ConnectionError", err)
		}
		srv.Restart()
		testutil.EventuallyWithin(t, 5*time.Second, func() error { _, err := c.Ping().Wait(t.Context()); return err })
		w.check(t, good, err)
	})

	t.Run("wrong password in a URL", func(t *testing.T) {
		var w secretWatch
		u := "redis://default:" + bad + "@" + srv.Addr() + "/0"
		_, err := testutil.Wait(t, conn.Connect(w.options(conn.Options{Addr: u, ConnectTimeout: connectTimeout})))
		if !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("have %v, want a ConnectionError", err)
		}
		if w.log.String() == "" {
			t.Fatal("nothing was logged: the check would prove nothing")
		}
		w.check(t, bad, err)
	})

	t.Run("URL that cannot be used", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			opts conn.Options
		}{
			{"unknown option", conn.Options{Addr: "redis://:" + good + "@" + srv.Addr() + "/0?bogus=" + good}},
			{"conflicting db", conn.Options{Addr: "redis://:" + good + "@" + srv.Addr() + "/2", DB: 1}},
			{"conflicting password", conn.Options{Addr: "redis://:" + good + "@" + srv.Addr(), Password: bad}},
			{"not a URL", conn.Options{Addr: "redis://u:" + good + "@host:port:x/%zz"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var w secretWatch
				c := conn.New(w.options(tc.opts))
				_, err := testutil.Wait(t, c.Get("k"))
				if !errors.Is(err, conn.ErrBadURL) {
					t.Fatalf("have %v, want an error matching ErrBadURL", err)
				}
				_, perr := conn.ParseURL(tc.opts.Addr)
				printed := fmt.Errorf("%v %+v %s %v %+v", c, c, c.Addr(), tc.opts, tc.opts)
				testutil.Must(t, c.Disconnect())
				w.check(t, good, err, perr, printed)
				w.check(t, bad, err, perr, printed)
			})
		}
	})

	t.Run("command String", func(t *testing.T) {
		for _, cmd := range []*proto.Cmd{
			proto.NewCmd("AUTH").Arg(good),
			proto.NewCmd("AUTH").Arg("user").Arg(good),
			proto.NewCmd("HELLO").Arg("3").Arg("AUTH").Arg("user").Arg(good),
			proto.NewCmd("CONFIG").Arg("SET").Arg("requirepass").Arg(good),
		} {
			if s := cmd.String(); strings.Contains(s, good) {
				t.Errorf("String() shows the password: %s", s)
			}
			cmd.Release()
		}
	})
}

// TestTLSThroughProxy: TLS works end to end through a transparent proxy,
// integrity failures are connection errors (never a wrong reply), and a
// man in the middle with a certificate the client does not trust is
// refused.
func TestTLSThroughProxy(t *testing.T) {
	srv := testserver.StartTLS(t)
	p := faultproxy.Start(t, srv.TLSAddr())
	c := connect(t, conn.Options{Addr: p.Addr(), TLS: srv.ClientConfig, ReplyTimeout: replyTimeout, Backoff: fastBackoff})
	testutil.Must(t, c.Set("tls", "through the proxy"))
	if have := testutil.Must(t, c.Get("tls")); have != "through the proxy" {
		t.Fatalf("GET through TLS: %q", have)
	}

	// A flipped byte in a TLS record fails its authentication.
	p.Set(faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Corrupt, After: 8, Once: true})
	v, err := testutil.Wait(t, c.Get("tls"))
	if !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("corrupted TLS record: have %q, %v; want a ConnectionError", v, err)
	}
	testutil.EventuallyWithin(t, 5*time.Second, func() error {
		v, err := c.Get("tls").Wait(t.Context())
		if err == nil && v != "through the proxy" {
			t.Fatalf("after the corruption: wrong value %q", v)
		}
		return err
	})

	// A server with a certificate from another authority is refused.
	mitm := untrustedTLSServer(t)
	_, err = testutil.Wait(t, conn.Connect(conn.Options{Addr: mitm, TLS: srv.ClientConfig, ConnectTimeout: connectTimeout}))
	var uerr x509.UnknownAuthorityError
	if !errors.Is(err, conn.ErrConnection) || !errors.As(err, &uerr) {
		t.Fatalf("untrusted certificate: have %v, want a ConnectionError wrapping x509.UnknownAuthorityError", err)
	}
}

// untrustedTLSServer listens with a self-signed certificate for
// 127.0.0.1 and answers nothing; it returns its address.
func untrustedTLSServer(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}
