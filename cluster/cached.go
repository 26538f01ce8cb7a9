package cluster

import (
	"time"

	"github.com/txredis/txredis/conn"
)

// A Cluster serves cached views.
var _ conn.CacheRouter = (*Cluster)(nil)

// Cached returns a cached view of the cluster (see conn.Cached): each key
// is cached by the connection of the master serving its slot. Reads of a
// slot whose master is not known yet go uncached through the cluster,
// and so does a read the cluster redirects (MOVED, ASK) or its node
// could not take: the cluster follows it, and the next read is cached on
// the new master once the map says so.
func (c *Cluster) Cached(ttl time.Duration) *conn.Cached { return conn.NewCached(c, ttl) }

// CacheConn returns the connection of the master serving key's slot, as
// the map currently says; nil while the slot's master is not known
// (conn.CacheRouter).
func (c *Cluster) CacheConn(key string) (*conn.Conn, bool) {
	sh := c.slots[Slot(key)].Load()
	if sh == nil {
		return nil, false
	}
	n := sh.master
	if n.c != nil {
		return n.c, true
	}
	return n.p.CacheConn(key)
}

// CacheConns appends the connections of every node in use to dst
// (conn.CacheRouter).
func (c *Cluster) CacheConns(dst []*conn.Conn) []*conn.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.nodes {
		if n.c != nil {
			dst = append(dst, n.c)
		} else {
			dst = n.p.CacheConns(dst)
		}
	}
	return dst
}
