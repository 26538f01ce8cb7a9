package conn

import "github.com/txredis/txredis/proto"

// ObserveReplies makes every reply to a command sent through l from now
// on, server errors included, pass through f before it reaches the
// command's own Resolver. Handles that lend a lease use it to learn from
// what the server answers a transaction (a cluster updates its slot map
// on MOVED). f runs on the connection's reader goroutine and must not
// block. Call it before the lease is handed on: it must not run
// concurrently with Send.
//
// For handle writers (see "Writing a handle" in the package documentation).
func (l *Lease) ObserveReplies(f func(proto.Value)) { l.observe = f }

// observer passes a reply to f, then to the command's Resolver.
type observer struct {
	f    func(proto.Value)
	next Resolver
}

func (o *observer) Resolve(v proto.Value, err error) {
	if err == nil {
		o.f(v)
	}
	o.next.Resolve(v, err)
}

// observed returns rs with each Resolver behind an observer calling f.
func observed(rs []Resolver, f func(proto.Value)) []Resolver {
	out := make([]Resolver, len(rs))
	for i, r := range rs {
		out[i] = &observer{f: f, next: r}
	}
	return out
}
