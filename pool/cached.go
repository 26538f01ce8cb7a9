package pool

import (
	"hash/maphash"
	"time"

	"github.com/txredis/txredis/conn"
)

// A Pool serves cached views.
var _ conn.CacheRouter = (*Pool)(nil)

// cacheSeed seeds the hash that gives each key the pooled connection
// caching it.
var cacheSeed = maphash.MakeSeed()

// Cached returns a cached view of the pool (see conn.Cached): each key is
// cached by one pooled connection, chosen by a hash of the key, which is
// the connection its invalidations arrive on. A read of a key whose
// connection is down or leased goes uncached to another connection.
func (p *Pool) Cached(ttl time.Duration) *conn.Cached { return conn.NewCached(p, ttl) }

// CacheConn returns the pooled connection that caches key, and whether a
// read may be sent on it now: it is connected and not leased
// (conn.CacheRouter). It takes no lock and does not allocate.
func (p *Pool) CacheConn(key string) (*conn.Conn, bool) {
	m := p.members[maphash.String(cacheSeed, key)%uint64(len(p.members))]
	return m.c, !m.leased.Load() && m.c.State() == conn.StateConnected
}

// CacheConns appends the pooled connections to dst (conn.CacheRouter).
func (p *Pool) CacheConns(dst []*conn.Conn) []*conn.Conn {
	for _, m := range p.members {
		dst = append(dst, m.c)
	}
	return dst
}
