package conn_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testutil"
)

// secret is the password of every URL of these tests: no error text may
// contain it.
const secret = "s3cr%3At" // percent-encoded "s3cr:t"

const secretPlain = "s3cr:t"

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want conn.Options
		tls  string // the TLS ServerName wanted; "" for no TLS
	}{
		{url: "redis://localhost:6379", want: conn.Options{Addr: "localhost:6379"}},
		{url: "redis://", want: conn.Options{Addr: "localhost:6379"}},
		{url: "redis://example.com", want: conn.Options{Addr: "example.com:6379"}},
		{url: "redis://example.com:06380/", want: conn.Options{Addr: "example.com:6380"}},
		{url: "redis://[::1]:6380/2", want: conn.Options{Addr: "[::1]:6380", DB: 2}},
		{url: "redis://:" + secret + "@h:1/3", want: conn.Options{Addr: "h:1", DB: 3, Password: secretPlain}},
		{url: "redis://alice:" + secret + "@h:1", want: conn.Options{Addr: "h:1", Username: "alice", Password: secretPlain}},
		{url: "redis://h/4?protocol=3&client_name=worker-1", want: conn.Options{Addr: "h:6379", DB: 4, Protocol: 3, ClientName: "worker-1"}},
		{url: "redis://h?db=5&protocol=2", want: conn.Options{Addr: "h:6379", DB: 5, Protocol: 2}},
		{url: "redis://h/5?db=5", want: conn.Options{Addr: "h:6379", DB: 5}},
		{url: "redis://h?connect_timeout=1.5s&reply_timeout=250ms", want: conn.Options{Addr: "h:6379", ConnectTimeout: 1500 * time.Millisecond, ReplyTimeout: 250 * time.Millisecond}},
		{url: "redis://h?dial_timeout=2&read_timeout=0.5", want: conn.Options{Addr: "h:6379", ConnectTimeout: 2 * time.Second, ReplyTimeout: 500 * time.Millisecond}},
		{url: "rediss://cache.example.com:6380/1", want: conn.Options{Addr: "cache.example.com:6380", DB: 1}, tls: "cache.example.com"},
		{url: "rediss://:" + secret + "@10.0.0.1", want: conn.Options{Addr: "10.0.0.1:6379", Password: secretPlain}, tls: "10.0.0.1"},
		{url: "unix:///var/run/redis.sock", want: conn.Options{Addr: "/var/run/redis.sock"}},
		{url: "unix:///var/run/redis.sock?db=2&protocol=3", want: conn.Options{Addr: "/var/run/redis.sock", DB: 2, Protocol: 3}},
		{url: "unix://:" + secret + "@/tmp/r.sock", want: conn.Options{Addr: "/tmp/r.sock", Password: secretPlain}},
	} {
		t.Run(tc.url, func(t *testing.T) {
			have, err := conn.ParseURL(tc.url)
			if err != nil {
				t.Fatalf("ParseURL: %v", err)
			}
			cfg := have.TLS
			have.TLS = nil
			if !sameOptions(have, tc.want) {
				t.Errorf("have %+v, want %+v", redacted(have), redacted(tc.want))
			}
			switch {
			case tc.tls == "" && cfg != nil:
				t.Errorf("TLS set for %s", tc.url)
			case tc.tls != "" && cfg == nil:
				t.Errorf("no TLS for %s", tc.url)
			case tc.tls != "":
				if cfg.ServerName != tc.tls || cfg.InsecureSkipVerify || cfg.MinVersion < tls.VersionTLS12 {
					t.Errorf("TLS ServerName %q, InsecureSkipVerify %v, MinVersion %x; want %q, verifying, TLS 1.2+",
						cfg.ServerName, cfg.InsecureSkipVerify, cfg.MinVersion, tc.tls)
				}
			}
		})
	}
}

// sameOptions compares the fields ParseURL sets.
func sameOptions(a, b conn.Options) bool {
	return a.Addr == b.Addr && a.DB == b.DB && a.Username == b.Username && a.Password == b.Password &&
		a.ClientName == b.ClientName && a.Protocol == b.Protocol &&
		a.ConnectTimeout == b.ConnectTimeout && a.ReplyTimeout == b.ReplyTimeout
}

func redacted(o conn.Options) conn.Options {
	if o.Password != "" {
		o.Password = "(set)"
	}
	return o
}

func TestParseURLErrors(t *testing.T) {
	for _, tc := range []struct{ url, reason string }{
		{"localhost:6379", "scheme"},
		{"http://h:80", "unsupported scheme"},
		{"redis://h:0", "bad port"},
		{"redis://h:65536", "bad port"},
		{"redis://h/x", "database number"},
		{"redis://h/-1", "database number"},
		{"redis://h/1/2", "database number"},
		{"redis://h/1?db=2", "database 1 and db=2"},
		{"redis://h?db=x", "db=x"},
		{"redis://h?protocol=4", "protocol=4"},
		{"redis://h?client_name=a+b", "client_name"},
		{"redis://h?connect_timeout=soon", "connect_timeout=soon"},
		{"redis://h?reply_timeout=-1s", "reply_timeout"},
		{"redis://h?dial_timeout=1s&connect_timeout=1s", "given twice"},
		{"redis://h?protocol=2&protocol=3", "given twice"},
		{"redis://h?password=" + secret, `unknown option "password"`},
		{"redis://alice@h", "user name without a password"},
		{"redis://alice:@h", "user name without a password"},
		{"redis://h#frag", "fragment"},
		{"unix://relative.sock", "absolute"},
		{"unix://host/tmp/r.sock", "absolute"},
		{"unix://", "absolute"},
		{"redis://:" + secret + "@h:port", "not a URL"},
		{"redis://u:" + secretPlain + "/x@h", "not a URL"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := conn.ParseURL(tc.url)
			var uerr *conn.URLError
			if !errors.Is(err, conn.ErrBadURL) || !errors.As(err, &uerr) {
				t.Fatalf("have %v, want an error matching ErrBadURL", err)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("%q does not say %q", err, tc.reason)
			}
			noSecret(t, err.Error())
		})
	}
}

// noSecret fails when s shows the password of the tests' URLs.
func noSecret(t *testing.T, s string) {
	t.Helper()
	for _, p := range []string{secret, secretPlain, "s3cr"} {
		if strings.Contains(s, p) {
			t.Errorf("%q shows the password", s)
		}
	}
}

func TestApplyURL(t *testing.T) {
	ca := &tls.Config{ServerName: "custom"}
	for _, tc := range []struct {
		name string
		in   conn.Options
		want conn.Options // Addr and the fields ParseURL sets
		tls  *tls.Config  // the TLS wanted (compared by pointer when not nil)
		err  string       // the conflict wanted, "" for none
	}{
		{name: "not a URL", in: conn.Options{Addr: "h:1", DB: 2}, want: conn.Options{Addr: "h:1", DB: 2}},
		{name: "tcp:// is not a URL", in: conn.Options{Addr: "tcp://h:1"}, want: conn.Options{Addr: "tcp://h:1"}},
		{name: "plain unix path is not a URL", in: conn.Options{Addr: "unix:///tmp/s", TLS: ca}, want: conn.Options{Addr: "unix:///tmp/s"}, tls: ca},
		{name: "unix URL", in: conn.Options{Addr: "unix:///tmp/s?db=2"}, want: conn.Options{Addr: "/tmp/s", DB: 2}},
		{name: "URL fills zero fields", in: conn.Options{Addr: "redis://:" + secret + "@h:1/3?protocol=3&client_name=n&connect_timeout=2s&reply_timeout=1s"},
			want: conn.Options{Addr: "h:1", DB: 3, Password: secretPlain, Protocol: 3, ClientName: "n", ConnectTimeout: 2 * time.Second, ReplyTimeout: time.Second}},
		{name: "explicit fields kept", in: conn.Options{Addr: "redis://h:1", DB: 4, Password: "p", Username: "u", Protocol: 3, ClientName: "c", ReplyTimeout: time.Second},
			want: conn.Options{Addr: "h:1", DB: 4, Password: "p", Username: "u", Protocol: 3, ClientName: "c", ReplyTimeout: time.Second}},
		{name: "equal values agree", in: conn.Options{Addr: "redis://:" + secret + "@h:1/4", DB: 4, Password: secretPlain},
			want: conn.Options{Addr: "h:1", DB: 4, Password: secretPlain}},
		{name: "rediss with the user's TLS", in: conn.Options{Addr: "rediss://h:1", TLS: ca}, want: conn.Options{Addr: "h:1"}, tls: ca},
		{name: "DB conflict", in: conn.Options{Addr: "redis://h/3", DB: 4}, err: "Options.DB is 4 but the URL says 3"},
		{name: "password conflict", in: conn.Options{Addr: "redis://:" + secret + "@h", Password: "other"}, err: "Options.Password differs"},
		{name: "user conflict", in: conn.Options{Addr: "redis://bob:" + secret + "@h", Username: "alice"}, err: "Options.Username"},
		{name: "protocol conflict", in: conn.Options{Addr: "redis://h?protocol=3", Protocol: 2}, err: "Options.Protocol"},
		{name: "client name conflict", in: conn.Options{Addr: "redis://h?client_name=a", ClientName: "b"}, err: "Options.ClientName"},
		{name: "connect timeout conflict", in: conn.Options{Addr: "redis://h?connect_timeout=1s", ConnectTimeout: 2 * time.Second}, err: "Options.ConnectTimeout"},
		{name: "reply timeout conflict", in: conn.Options{Addr: "redis://h?reply_timeout=1s", ReplyTimeout: 2 * time.Second}, err: "Options.ReplyTimeout"},
		{name: "TLS with redis://", in: conn.Options{Addr: "redis://:" + secret + "@h", TLS: ca}, err: "Options.TLS is set but the URL is not rediss://"},
		{name: "TLS with unix://", in: conn.Options{Addr: "unix:///tmp/s?db=1", TLS: ca}, err: "Options.TLS"},
		{name: "bad URL", in: conn.Options{Addr: "redis://:" + secret + "@h?nope=1"}, err: `unknown option "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			have, err := tc.in.ApplyURL()
			noSecret(t, have.Addr)
			if tc.err != "" {
				if !errors.Is(err, conn.ErrBadURL) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("have %v, want an ErrBadURL saying %q", err, tc.err)
				}
				noSecret(t, err.Error())
				return
			}
			if err != nil {
				t.Fatalf("ApplyURL: %v", err)
			}
			if !sameOptions(have, tc.want) {
				t.Errorf("have %+v, want %+v", redacted(have), redacted(tc.want))
			}
			if tc.tls != nil && have.TLS != tc.tls {
				t.Errorf("TLS %p, want the user's %p", have.TLS, tc.tls)
			}
		})
	}
}

// A connection given a URL it cannot use fails at once and for good,
// with an error that matches both ErrBadURL and ErrConnection and does
// not show the password; it dials nothing.
func TestBadURLConnection(t *testing.T) {
	var dials atomic.Int32
	dialer := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return nil, errors.New("dialled")
	}
	_, err := testutil.Wait(t, conn.Connect(conn.Options{Addr: "redis://:" + secret + "@127.0.0.1:1/2?bogus=1", Dialer: dialer}))
	if !errors.Is(err, conn.ErrBadURL) || !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("Connect: %v, want ErrBadURL and ErrConnection", err)
	}
	noSecret(t, err.Error())

	c := conn.New(conn.Options{Addr: "redis://:" + secret + "@127.0.0.1:1/2", DB: 3, Dialer: dialer})
	defer c.Disconnect()
	noSecret(t, c.Addr())
	for i := 0; i < 3; i++ {
		_, err := testutil.Wait(t, c.Get("k"))
		if !errors.Is(err, conn.ErrBadURL) || !strings.Contains(err.Error(), "Options.DB is 3 but the URL says 2") {
			t.Fatalf("GET %d: %v, want the URL conflict", i, err)
		}
		noSecret(t, err.Error())
	}
	testutil.Eventually(t, func() error {
		if s := c.State(); s != conn.StateClosed {
			return errors.New("state " + s.String())
		}
		return nil
	})
	if n := dials.Load(); n != 0 {
		t.Errorf("%d dials", n)
	}
}
