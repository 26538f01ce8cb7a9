package cluster

import "github.com/txredis/txredis/conn"

// Stats is the shape every handle reports its counters in (conn.Stats).
// A cluster fills Moved, Asked, Retried and Refreshes (what it did to
// route commands since it was made), Nodes, and the sum of its nodes'
// connection counters.
type Stats = conn.Stats

// Stats returns the counters of redirections, retries and refreshes, and
// the sum of the current nodes' connection counters.
func (c *Cluster) Stats() Stats {
	c.mu.Lock()
	nodes := make([]*node, 0, len(c.nodes))
	for _, n := range c.nodes {
		nodes = append(nodes, n)
	}
	c.mu.Unlock()
	s := Stats{
		Nodes:     len(nodes),
		Moved:     c.stats.moved.Load(),
		Asked:     c.stats.asked.Load(),
		Retried:   c.stats.retried.Load(),
		Refreshes: c.stats.refreshes.Load(),
	}
	for _, n := range nodes {
		if ns, ok := conn.StatsOf(n.cl); ok {
			s = s.Add(ns)
		}
	}
	return s
}

// HookTarget returns the hooks every node connection reports to; the
// address is empty, the cluster spanning several servers.
func (c *Cluster) HookTarget() conn.HookTarget {
	return conn.HookTarget{Hooks: c.opts.Hooks}
}

// HookTarget returns the hooks, address and database of the node.
func (h *Node) HookTarget() conn.HookTarget {
	if hk, ok := h.n.cl.(conn.Hooked); ok {
		return hk.HookTarget()
	}
	return conn.HookTarget{}
}
