package shard

import (
	"net"
	"strconv"
	"strings"

	"github.com/txredis/txredis/conn"
)

// parseAddrs checks an address list and returns the node names, in the
// order given. A name is what the ring hashes, and the address the node's
// connection dials.
//
// txredisapi named each node "%s:%d" % (host, int(port)) after splitting
// the entry on ":", so "localhost:06379" and "localhost:6379" are the same
// node, named "localhost:6379"; a unix socket node was named by its path.
// parseAddrs names nodes the same way:
//
//   - "host:port" (and "tcp://host:port"): host, ":", the port in decimal
//     without sign or leading zeros; the port must be 1..65535 and the
//     host not empty. An IPv6 host is written "[::1]:6379" (txredisapi
//     could not shard over IPv6, so no existing data depends on its name).
//   - "/path" and "unix:///path": the path.
//   - a URL (redis://, rediss://, unix://; see conn.ParseURL): the name
//     of the address it names, "host:port" or the socket path. The node
//     connects with the URL's settings (password, database, TLS...), so
//     each node may have its own; they must agree with the options given
//     for every node (conn.Options.ApplyURL).
//
// Two entries with the same name are an error: txredisapi would have sent
// every key of both to the last one. dials holds what each node's
// connection is given as its address: the name, or the URL.
func parseAddrs(addrs []string, base conn.Options) (names, dials []string, err error) {
	if len(addrs) == 0 {
		return nil, nil, badAddrs("no addresses")
	}
	names = make([]string, 0, len(addrs))
	dials = make([]string, 0, len(addrs))
	seen := make(map[string]bool, len(addrs))
	for _, a := range addrs {
		name, err := nodeName(a)
		if err != nil {
			return nil, nil, err
		}
		if isURL(a) {
			// The URL's settings must agree with the options of every node.
			o := base
			o.Addr = a
			if _, err := o.ApplyURL(); err != nil {
				return nil, nil, &addrsError{msg: "bad URL", err: err}
			}
		}
		if seen[name] {
			// The name, not the entry: a URL entry may hold a password.
			return nil, nil, badAddrs("node listed twice:", name)
		}
		seen[name] = true
		names = append(names, name)
		if isURL(a) {
			dials = append(dials, a)
		} else {
			dials = append(dials, name)
		}
	}
	return names, dials, nil
}

// isURL reports an entry given as a URL: a scheme other than tcp://, and
// not the plain unix:///path form.
func isURL(a string) bool {
	scheme, rest, ok := strings.Cut(a, "://")
	if !ok || scheme == "tcp" {
		return false
	}
	return scheme != "unix" || strings.ContainsAny(rest, "?@#")
}

// nodeName returns the ring name of one address entry.
func nodeName(a string) (string, error) {
	if isURL(a) {
		o, err := conn.ParseURL(a)
		if err != nil {
			return "", &addrsError{msg: "bad URL", err: err}
		}
		return nodeName(o.Addr)
	}
	switch {
	case strings.HasPrefix(a, "unix://"):
		p := strings.TrimPrefix(a, "unix://")
		if !strings.HasPrefix(p, "/") {
			return "", badAddrs("unix socket path must be absolute:", a)
		}
		return p, nil
	case strings.HasPrefix(a, "/"):
		if len(a) == 1 {
			return "", badAddrs("not a unix socket path:", a)
		}
		return a, nil
	}
	hp := strings.TrimPrefix(a, "tcp://")
	host, port, err := net.SplitHostPort(hp)
	if err != nil || host == "" {
		return "", badAddrs("not host:port:", a)
	}
	// Python's int() accepts surrounding blanks and a sign.
	n, err := strconv.Atoi(strings.TrimSpace(port))
	if err != nil || n < 1 || n > 65535 {
		return "", badAddrs("bad port in", a)
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), nil
}
