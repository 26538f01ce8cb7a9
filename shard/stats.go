package shard

import "github.com/txredis/txredis/conn"

// Stats returns the sum of the nodes' counters (conn.Stats of each
// conn.Conn or pool.Pool), with Nodes the number of nodes.
func (r *Ring) Stats() conn.Stats {
	s := conn.Stats{Nodes: len(r.nodes)}
	for _, h := range r.nodes {
		if ns, ok := conn.StatsOf(h); ok {
			s = s.Add(ns)
		}
	}
	return s
}

// HookTarget returns the hooks the ring's nodes report to (the same for
// every node: they were made from one set of options) with no address,
// since the ring spans several servers.
func (r *Ring) HookTarget() conn.HookTarget {
	for _, h := range r.nodes {
		if hk, ok := h.(conn.Hooked); ok {
			t := hk.HookTarget()
			t.Addr = ""
			return t
		}
	}
	return conn.HookTarget{}
}
