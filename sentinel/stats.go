package sentinel

import "github.com/txredis/txredis/conn"

// Stats returns the sum of the connection counters (conn.Stats) of the
// master and the replicas, with Nodes their number. The connections to
// the sentinels are not counted.
func (c *Client) Stats() conn.Stats {
	var servers []*server
	if m := c.master.Load(); m != nil {
		servers = append(servers, m)
	}
	c.mu.Lock()
	servers = append(servers, c.replicas...)
	c.mu.Unlock()
	s := conn.Stats{Nodes: len(servers)}
	for _, sv := range servers {
		if ns, ok := conn.StatsOf(sv.cl); ok {
			s = s.Add(ns)
		}
	}
	return s
}

// HookTarget returns the hooks every connection of the client reports
// to (master, replicas and sentinels alike), with the current master's
// address.
func (c *Client) HookTarget() conn.HookTarget {
	return conn.HookTarget{Hooks: c.opts.Hooks, Addr: c.MasterAddr(), DB: c.opts.DB}
}

// HookTarget returns what the node's server reports to hooks.
func (n *Node) HookTarget() conn.HookTarget {
	if h, ok := n.s.(conn.Hooked); ok {
		return h.HookTarget()
	}
	return conn.HookTarget{}
}
