package conn

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/txredis/txredis/internal/plumb"
)

// ErrBadURL matches the error of a Redis URL that cannot be used: one
// ParseURL rejects, or one given as Options.Addr whose settings conflict
// with fields of the Options. Test with errors.Is(err, conn.ErrBadURL);
// errors.As finds the *URLError.
var ErrBadURL = errors.New("txredis/conn: bad Redis URL")

// URLError is the error ErrBadURL matches. Its URL never holds the
// password (it is masked) nor the query (whose options are named in
// Reason when they are at fault).
type URLError struct {
	URL    string // the URL, password masked, query dropped
	Reason string // what is wrong
}

func (e *URLError) Error() string {
	return "txredis/conn: bad Redis URL " + strconv.Quote(e.URL) + ": " + e.Reason
}

// Is reports ErrBadURL.
func (e *URLError) Is(target error) bool { return target == ErrBadURL }

// URL query options, in the form key=value after "?". Durations are Go
// durations ("1.5s", "200ms") or a number of seconds ("2", "0.5").
const (
	urlDB             = "db"              // database number (unix:// form; redis:// may use the path instead)
	urlProtocol       = "protocol"        // 2 or 3
	urlClientName     = "client_name"     // CLIENT SETNAME
	urlConnectTimeout = "connect_timeout" // Options.ConnectTimeout
	urlDialTimeout    = "dial_timeout"    // the same, by the name other clients use
	urlReplyTimeout   = "reply_timeout"   // Options.ReplyTimeout
	urlReadTimeout    = "read_timeout"    // the same, by the name other clients use
)

// ParseURL returns the Options a Redis URL describes:
//
//	redis://[[user]:password@]host[:port][/db][?option=value&...]
//	rediss://[[user]:password@]host[:port][/db][?option=value&...]
//	unix://[[user]:password@]/path/to/socket[?db=N&option=value&...]
//
// The host defaults to localhost and the port to 6379; an IPv6 host is
// written in brackets ("redis://[::1]:6380"). The path of a redis:// URL
// is the database number ("/3"); the db option says the same for any
// scheme. A password alone (":password@") authenticates with
// requirepass; a user and a password ("user:password@") authenticate as
// that ACL user; a user without a password is an error. User and
// password may be percent-encoded.
//
// rediss:// is TLS: Options.TLS verifies the server's certificate
// against the system roots and its name against the URL's host
// (ServerName), with TLS 1.2 at least. To trust another CA, set
// Options.TLS yourself and give the rediss:// URL as Options.Addr.
//
// Query options: db (a database number), protocol (2 or 3), client_name
// (set with CLIENT SETNAME), connect_timeout or its alias dial_timeout,
// and reply_timeout or its alias read_timeout. Durations are Go
// durations ("1.5s", "200ms") or a number of seconds ("2"). An unknown,
// repeated or malformed option is an error, so that a typo does not go
// unnoticed.
//
// The error matches ErrBadURL and never shows the password.
func ParseURL(rawURL string) (Options, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse's own message may quote part of the password.
		return Options{}, &URLError{URL: plumb.RedactRaw(rawURL), Reason: "not a URL (percent-encode the characters / ? # @ : in a user name or password)"}
	}
	bad := func(format string, a ...any) (Options, error) {
		return Options{}, urlError(u, format, a...)
	}
	var o Options
	switch u.Scheme {
	case "redis", "rediss":
		if u.Opaque != "" {
			return bad("want %s://host:port", u.Scheme)
		}
		host, port := u.Hostname(), u.Port()
		if host == "" {
			host = "localhost"
		}
		if port == "" {
			port = "6379"
		}
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return bad("bad port %q", port)
		}
		o.Addr = net.JoinHostPort(host, strconv.Itoa(n))
		if p := strings.TrimPrefix(u.Path, "/"); p != "" {
			db, err := strconv.Atoi(p)
			if err != nil || db < 0 {
				return bad("the path must be a database number, not %q", p)
			}
			o.DB = db
		}
		if u.Scheme == "rediss" {
			o.TLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
	case "unix":
		if u.Host != "" || !strings.HasPrefix(u.Path, "/") || len(u.Path) < 2 {
			return bad("want unix:///absolute/path/to/socket")
		}
		o.Addr = u.Path
	case "":
		return bad("no scheme: want redis://, rediss:// or unix://")
	default:
		return bad("unsupported scheme %q: want redis://, rediss:// or unix://", u.Scheme)
	}
	if u.Fragment != "" {
		return bad("unexpected fragment")
	}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
		if o.Password == "" {
			if o.Username != "" {
				return bad("a user name without a password (write user:password@, or :password@ for requirepass)")
			}
			return bad("an empty password")
		}
	}
	if err := queryOptions(u, &o); err != nil {
		return Options{}, err
	}
	return o, nil
}

// queryOptions applies the query options of u to o.
func queryOptions(u *url.URL, o *Options) error {
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return urlError(u, "malformed query")
	}
	seen := map[string]string{}
	for key, vals := range q {
		canon := key
		switch key {
		case urlDialTimeout:
			canon = urlConnectTimeout
		case urlReadTimeout:
			canon = urlReplyTimeout
		}
		if prev, dup := seen[canon]; dup || len(vals) > 1 {
			if prev == "" {
				prev = key
			}
			return urlError(u, "option %s given twice", prev)
		}
		seen[canon] = key
		v := vals[0]
		switch canon {
		case urlDB:
			db, err := strconv.Atoi(v)
			if err != nil || db < 0 {
				return urlError(u, "db=%s: want a database number", v)
			}
			if o.DB != 0 && o.DB != db {
				return urlError(u, "the path says database %d and db=%d", o.DB, db)
			}
			o.DB = db
		case urlProtocol:
			switch v {
			case "2":
				o.Protocol = 2
			case "3":
				o.Protocol = 3
			default:
				return urlError(u, "protocol=%s: want 2 or 3", v)
			}
		case urlClientName:
			if v == "" || strings.ContainsAny(v, " \r\n") {
				return urlError(u, "client_name=%q: want a name without spaces", v)
			}
			o.ClientName = v
		case urlConnectTimeout, urlReplyTimeout:
			d, err := parseURLDuration(v)
			if err != nil {
				return urlError(u, "%s=%s: want a duration (\"1.5s\") or a number of seconds", key, v)
			}
			if canon == urlConnectTimeout {
				o.ConnectTimeout = d
			} else {
				o.ReplyTimeout = d
			}
		default:
			// The value may be a secret the user misplaced: name the key only.
			return urlError(u, "unknown option %q (known: db, protocol, client_name, connect_timeout, dial_timeout, reply_timeout, read_timeout)", key)
		}
	}
	return nil
}

// parseURLDuration reads "1.5s", "200ms" or a number of seconds.
func parseURLDuration(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > float64(1<<62)/float64(time.Second) {
		return 0, errors.New("bad duration")
	}
	return time.Duration(f * float64(time.Second)), nil
}

// urlError builds the *URLError of u, whose password it masks and whose
// query it drops.
func urlError(u *url.URL, format string, a ...any) *URLError {
	v := *u
	v.RawQuery, v.ForceQuery, v.Fragment, v.RawFragment = "", false, "", ""
	return &URLError{URL: v.Redacted(), Reason: fmt.Sprintf(format, a...)}
}

// ApplyURL returns o with the settings of the URL in o.Addr filled in,
// Addr replaced by the address the URL names ("host:port" or a socket
// path); when Addr is not a URL ("host:port", "tcp://host:port", "/path",
// or "unix:///path" without user or query), o is returned unchanged. Every handle constructor applies it, so a URL is
// accepted wherever an address is: Options.Addr of a connection, a pool
// or a subscriber, the address lists of a sharded handle and the start
// addresses of a cluster.
//
// The URL fills the fields left at their zero value (DB, Username,
// Password, ClientName, Protocol, ConnectTimeout, ReplyTimeout, TLS). A
// field set both in o and in the URL must agree: a different value is a
// conflict, reported as an error matching ErrBadURL that names the field
// (and never shows a password). Options.TLS with a rediss:// URL is the
// TLS configuration used (an empty ServerName is taken from the host);
// Options.TLS with a redis:// or unix:// URL is a conflict, since the URL
// says the connection is not TLS.
func (o Options) ApplyURL() (Options, error) {
	if !plumb.IsURL(o.Addr) {
		return o, nil
	}
	u, err := ParseURL(o.Addr)
	if err != nil {
		o.Addr = plumb.RedactAddr(o.Addr)
		return o, err
	}
	conflict := func(field, detail string) (Options, error) {
		raw := o.Addr
		o.Addr = plumb.RedactAddr(raw)
		pu, _ := url.Parse(raw)
		return o, urlError(pu, "Options.%s %s", field, detail)
	}
	if o.DB != 0 && u.DB != 0 && o.DB != u.DB {
		return conflict("DB", "is "+strconv.Itoa(o.DB)+" but the URL says "+strconv.Itoa(u.DB))
	}
	if o.Username != "" && u.Username != "" && o.Username != u.Username {
		return conflict("Username", strconv.Quote(o.Username)+" differs from the URL's user "+strconv.Quote(u.Username))
	}
	if o.Password != "" && u.Password != "" && o.Password != u.Password {
		return conflict("Password", "differs from the URL's password")
	}
	if o.ClientName != "" && u.ClientName != "" && o.ClientName != u.ClientName {
		return conflict("ClientName", strconv.Quote(o.ClientName)+" differs from the URL's client_name "+strconv.Quote(u.ClientName))
	}
	if o.Protocol != 0 && u.Protocol != 0 && o.Protocol != u.Protocol {
		return conflict("Protocol", "is "+strconv.Itoa(o.Protocol)+" but the URL says protocol="+strconv.Itoa(u.Protocol))
	}
	if o.ConnectTimeout > 0 && u.ConnectTimeout > 0 && o.ConnectTimeout != u.ConnectTimeout {
		return conflict("ConnectTimeout", "is "+o.ConnectTimeout.String()+" but the URL says "+u.ConnectTimeout.String())
	}
	if o.ReplyTimeout > 0 && u.ReplyTimeout > 0 && o.ReplyTimeout != u.ReplyTimeout {
		return conflict("ReplyTimeout", "is "+o.ReplyTimeout.String()+" but the URL says "+u.ReplyTimeout.String())
	}
	if o.TLS != nil && u.TLS == nil {
		return conflict("TLS", "is set but the URL is not rediss://")
	}
	o.Addr = u.Addr
	if o.DB == 0 {
		o.DB = u.DB
	}
	if o.Username == "" {
		o.Username = u.Username
	}
	if o.Password == "" {
		o.Password = u.Password
	}
	if o.ClientName == "" {
		o.ClientName = u.ClientName
	}
	if o.Protocol == 0 {
		o.Protocol = u.Protocol
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = u.ConnectTimeout
	}
	if o.ReplyTimeout <= 0 {
		o.ReplyTimeout = u.ReplyTimeout
	}
	if o.TLS == nil {
		o.TLS = u.TLS
	}
	return o, nil
}
