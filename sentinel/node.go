package sentinel

import (
	"context"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// Node is the handle of one server of the group (a replica from Replica,
// or the master): it embeds the command set and sends to that server
// only. A Node of a replica is valid while the sentinels list the
// replica; get a fresh one per unit of work.
type Node struct {
	conn.Commands
	addr string
	s    conn.Sender
	l    conn.Leaser
}

func newNode(addr string, s conn.Sender, l conn.Leaser) *Node {
	n := &Node{addr: addr, s: s, l: l}
	n.Commands = conn.NewCommands(n)
	return n
}

// Addr returns the server's address.
func (n *Node) Addr() string { return n.addr }

// Send sends cmd to the server. It takes ownership of cmd and resolves r
// exactly once.
func (n *Node) Send(cmd *proto.Cmd, r conn.Resolver) { n.s.Send(cmd, r) }

// Lease lends a connection of the server for exclusive use.
func (n *Node) Lease(ctx context.Context) *deferred.Deferred[*conn.Lease] {
	return n.l.Lease(ctx)
}

// Replica returns a handle on the next replica, round robin over the
// replicas that most sentinels listing them call healthy and whose
// connection is not down, for reads that may lag behind the master. With
// no such replica it returns Master(). The list follows the sentinels:
// it is asked again after a switch, on their replica events and every
// RefreshInterval, and a replica whose connection goes down leaves the
// rotation at once.
func (c *Client) Replica() *Node {
	c.mu.Lock()
	for range c.replicas {
		r := c.replicas[c.rr%len(c.replicas)]
		c.rr++
		if !r.down.Load() {
			c.mu.Unlock()
			return newNode(r.addr, r.cl, r.cl)
		}
	}
	c.mu.Unlock()
	return c.Master()
}

// Master returns a handle that follows the master: commands through it
// go to whichever server is the master when they are sent.
func (c *Client) Master() *Node {
	return newNode(c.MasterAddr(), c, c)
}

// Replicas returns the addresses of the replicas in the rotation now.
func (c *Client) Replicas() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, r := range c.replicas {
		if !r.down.Load() {
			out = append(out, r.addr)
		}
	}
	return out
}
