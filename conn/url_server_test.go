package conn_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// A URL's password, database, protocol and client name reach the
// server; the handle's address and errors never show the password.
func TestRealURL(t *testing.T) {
	srv := testserver.Start(t, "--requirepass", secretPlain)
	port := strconv.Itoa(srv.Port())

	c := connectTo(t, conn.Options{Addr: "redis://:" + secret + "@127.0.0.1:" + port + "/3?protocol=3&client_name=from-url"})
	noSecret(t, c.Addr())
	if c.Addr() != srv.Addr() {
		t.Errorf("Addr() = %q, want %q", c.Addr(), srv.Addr())
	}
	testutil.Must(t, c.Set("url:db", "three"))
	if name := testutil.Must(t, c.ClientGetName()); name != "from-url" {
		t.Errorf("client name %q", name)
	}
	testutil.Must(t, c.HSet("url:h", "f", "v"))
	if v := testutil.Must(t, c.Do("HGETALL", "url:h")); v.Kind != proto.Map {
		t.Errorf("HGETALL kind %v: protocol=3 not applied", v.Kind)
	}
	// The key is in database 3, seen by a connection configured by fields.
	other := connectTo(t, conn.Options{Addr: srv.Addr(), Password: secretPlain, DB: 3})
	if v := testutil.Must(t, other.Get("url:db")); v != "three" {
		t.Errorf("database 3 holds %q", v)
	}

	// unix:// with a password and a database.
	u := connectTo(t, conn.Options{Addr: "unix://:" + secret + "@" + srv.Socket() + "?db=3"})
	if v := testutil.Must(t, u.Get("url:db")); v != "three" {
		t.Errorf("unix:// URL sees %q in its database", v)
	}

	// An ACL user.
	testutil.Must(t, other.Do("ACL", "SETUSER", "alice", "on", ">"+secretPlain, "~*", "+@all"))
	a := connectTo(t, conn.Options{Addr: "redis://alice:" + secret + "@127.0.0.1:" + port})
	if who := testutil.Must(t, a.Do("ACL", "WHOAMI")); who.Str != "alice" {
		t.Errorf("ACL WHOAMI = %v", who)
	}

	// A wrong password in the URL fails the handshake, and the error does
	// not show the password that was tried.
	_, err := testutil.Wait(t, conn.Connect(conn.Options{Addr: "redis://:wr0ng-s3cr@127.0.0.1:" + port}))
	var cerr *conn.ConnectionError
	if !errors.As(err, &cerr) || cerr.Step != "AUTH" {
		t.Fatalf("wrong password: %v, want a handshake error at AUTH", err)
	}
	noSecret(t, err.Error())
	if strings.Contains(err.Error(), "wr0ng") {
		t.Errorf("%q shows the password", err)
	}
}

// rediss:// is TLS and verifies the server's name against the URL's
// host: with the test CA trusted, "localhost" is accepted and a name the
// certificate does not carry is refused; without it (system roots only)
// the self-signed server is refused.
func TestRealURLTLS(t *testing.T) {
	srv := testserver.StartTLS(t)
	_, tlsPort, _ := net.SplitHostPort(srv.TLSAddr())

	c := connectTo(t, conn.Options{Addr: "rediss://localhost:" + tlsPort + "/1", TLS: srv.ClientConfig})
	testutil.Must(t, c.Set("tls:url", "yes"))
	if v := testutil.Must(t, c.Get("tls:url")); v != "yes" {
		t.Fatalf("GET over rediss:// = %q", v)
	}

	// Every dial goes to the TLS port, whatever host the URL names, so
	// that only the name differs.
	toServer := func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, srv.TLSAddr())
	}
	_, err := testutil.Wait(t, conn.Connect(conn.Options{Addr: "rediss://wrong-name.example:" + tlsPort, TLS: srv.ClientConfig, Dialer: toServer}))
	if !errors.Is(err, conn.ErrConnection) || !strings.Contains(err.Error(), "wrong-name.example") {
		t.Fatalf("rediss:// to a host the certificate does not name: %v, want a certificate error", err)
	}
	_, err = testutil.Wait(t, conn.Connect(conn.Options{Addr: "rediss://localhost:" + tlsPort}))
	if !errors.Is(err, conn.ErrConnection) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("rediss:// without the test CA: %v, want a certificate error", err)
	}
}
