package plumb

import (
	"net/url"
	"strings"
)

// RedactRaw masks what may be the password of a string that does not
// parse as a URL: everything between "://" and the last "@", and drops
// anything after "?" or "#" that follows it.
func RedactRaw(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return "(not shown)"
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = "xxxxx" + rest[at:]
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	return scheme + "://" + rest
}

// IsURL reports whether addr is given as a URL: it has a scheme other
// than tcp:// (which Network reads as a plain host:port), and is not the
// plain "unix:///path" form that Network reads as a socket path, which
// stays as it always was.
func IsURL(addr string) bool {
	scheme, rest, ok := strings.Cut(addr, "://")
	if !ok || scheme == "" || scheme == "tcp" {
		return false
	}
	return scheme != "unix" || strings.ContainsAny(rest, "?@#")
}

// RedactAddr returns addr, which may be a URL, with its password masked
// and its query dropped, for errors and printed forms: a plain address
// is returned as it is.
func RedactAddr(addr string) string {
	if !IsURL(addr) {
		return addr
	}
	u, err := url.Parse(addr)
	if err != nil {
		return RedactRaw(addr)
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	return u.Redacted()
}
