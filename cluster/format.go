package cluster

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/txredis/txredis/handle"
)

// String returns the cluster's start addresses, how many masters the
// slot map has (0 while it is not known), how many nodes are in use, and
// whether it was disconnected:
// cluster.Cluster{start=127.0.0.1:7000,127.0.0.1:7001 masters=3 nodes=6}.
// Like every handle, it prints this form with every fmt verb and through
// slog (the embedded command set's Format), never its options or a
// URL's password.
func (c *Cluster) String() string {
	masters := 0
	if m := c.masters.Load(); m != nil {
		masters = len(*m)
	}
	c.mu.Lock()
	nodes, closed := len(c.nodes), c.closed
	c.mu.Unlock()
	start := make([]string, len(c.start))
	for i, a := range c.start {
		start[i] = handle.RedactAddr(a)
	}
	var b strings.Builder
	b.WriteString("cluster.Cluster{start=")
	b.WriteString(strings.Join(start, ","))
	b.WriteString(" masters=" + strconv.Itoa(masters) + " nodes=" + strconv.Itoa(nodes))
	if closed {
		b.WriteString(" closed")
	}
	b.WriteString("}")
	return b.String()
}

// String returns the node's address: cluster.Node{127.0.0.1:7000}.
func (n *Node) String() string {
	if n == nil || n.n == nil {
		return "cluster.Node{}"
	}
	return "cluster.Node{" + handle.RedactAddr(n.n.addr) + "}"
}

// Format writes String's form for every verb.
func (c *Cluster) Format(f fmt.State, verb rune) { handle.WriteFormatted(f, verb, c.String()) }

// LogValue is String's form, for slog.
func (c *Cluster) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Format writes String's form for every verb.
func (n *Node) Format(f fmt.State, verb rune) { handle.WriteFormatted(f, verb, n.String()) }

// LogValue is String's form, for slog.
func (n *Node) LogValue() slog.Value { return slog.StringValue(n.String()) }
