package cluster

import (
	"errors"
	"fmt"

	"github.com/txredis/txredis/conn"
)

// resolveSeeds returns the start addresses as the nodes dial them and the
// options every node connects with. A start address may be a URL
// (conn.ParseURL): its settings (password, TLS, protocol...) fill the
// conn.Options of every node, as conn.Options.ApplyURL says, so the start
// URLs must agree with each other and with opts; a URL that selects a
// database other than 0 is an error, a cluster having only database 0.
// With no start address, opts.Addr (else conn.DefaultAddr) is the one.
// On error, the addresses returned have their passwords masked.
func resolveSeeds(addrs []string, opts Options) ([]string, Options, error) {
	if len(addrs) == 0 {
		a := opts.Addr
		if a == "" {
			a = conn.DefaultAddr
		}
		addrs = []string{a}
	}
	out := make([]string, len(addrs))
	co := opts.Options
	var first error
	for i, a := range addrs {
		o := co
		o.Addr = a
		r, err := o.ApplyURL()
		out[i] = r.Addr
		switch {
		case first != nil:
		case err != nil:
			first = err
		case r.DB != 0:
			first = fmt.Errorf("txredis/cluster: start address %s selects database %d; a cluster has database 0 only: %w", r.Addr, r.DB, conn.ErrBadURL)
		default:
			r.Addr = co.Addr
			co = r
		}
	}
	if first != nil {
		opts.Addr = out[0]
		return out, opts, first
	}
	if len(addrs) > 0 && opts.Addr != "" {
		co.Addr = out[0] // not the URL, which may hold a password
	}
	opts.Options = co
	return out, opts, nil
}

// closedErr is the error of a command sent to a closed cluster: why it
// could not start, for a cluster given a start URL it cannot use.
func (c *Cluster) closedErr() error {
	if c.addrErr != nil {
		return &conn.ConnectionError{Op: "closed", Err: errors.Join(conn.ErrClosed, c.addrErr)}
	}
	return closedError()
}
