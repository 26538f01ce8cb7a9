package shard

import (
	"time"
	"unsafe"

	"github.com/txredis/txredis/conn"
)

// A Ring serves cached views.
var _ conn.CacheRouter = (*Ring)(nil)

// Cached returns a cached view of the ring (see conn.Cached): each key is
// cached by the node that owns it (by the connection of a pool node that
// the pool gives it).
func (r *Ring) Cached(ttl time.Duration) *conn.Cached { return conn.NewCached(r, ttl) }

// CacheConn returns the connection that caches key: the node that owns
// it, or the pooled connection of that node's pool (conn.CacheRouter).
func (r *Ring) CacheConn(key string) (*conn.Conn, bool) {
	if r.err != nil {
		return nil, false
	}
	// The ring only reads the key's bytes: no copy.
	i := r.hr.index(unsafe.Slice(unsafe.StringData(key), len(key)))
	if cr, ok := r.nodes[i].(conn.CacheRouter); ok {
		return cr.CacheConn(key)
	}
	return nil, false
}

// CacheConns appends every connection of every node to dst
// (conn.CacheRouter).
func (r *Ring) CacheConns(dst []*conn.Conn) []*conn.Conn {
	for _, n := range r.nodes {
		if cr, ok := n.(conn.CacheRouter); ok {
			dst = cr.CacheConns(dst)
		}
	}
	return dst
}
