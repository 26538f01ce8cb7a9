package shard

import (
	"net"
	"strconv"
	"strings"
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
//
// Two entries with the same name are an error: txredisapi would have sent
// every key of both to the last one.
func parseAddrs(addrs []string) ([]string, error) {
	if len(addrs) == 0 {
		return nil, badAddrs("no addresses")
	}
	names := make([]string, 0, len(addrs))
	seen := make(map[string]bool, len(addrs))
	for _, a := range addrs {
		name, err := nodeName(a)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, badAddrs("node listed twice:", a)
		}
		seen[name] = true
		names = append(names, name)
	}
	return names, nil
}

// nodeName returns the ring name of one address entry.
func nodeName(a string) (string, error) {
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
