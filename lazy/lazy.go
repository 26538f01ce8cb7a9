package lazy

import (
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/pubsub"
	"github.com/txredis/txredis/shard"
)

// Connection returns a connection at once; it dials in the background
// and reconnects by itself (txredisapi's lazyConnection and
// lazyUnixConnection). It is conn.New.
func Connection(opts conn.Options) *conn.Conn { return conn.New(opts) }

// ConnectionPool returns a pool at once; its connections dial in the
// background (txredisapi's lazyConnectionPool and lazyUnixConnectionPool).
// It is pool.New.
func ConnectionPool(opts pool.Options) *pool.Pool { return pool.New(opts) }

// ShardedConnection returns a sharded handle at once, one connection per
// address (txredisapi's lazyShardedConnection and
// lazyShardedUnixConnection). It is shard.New: a bad address list gives a
// Ring whose commands fail with an error matching shard.ErrBadAddrs.
func ShardedConnection(addrs []string, opts conn.Options, ringOpts ...shard.Option) *shard.Ring {
	return shard.New(addrs, opts, ringOpts...)
}

// ShardedConnectionPool returns a sharded handle at once, one pool per
// address (txredisapi's lazyShardedConnectionPool and
// lazyShardedUnixConnectionPool). It is shard.NewPool.
func ShardedConnectionPool(addrs []string, opts pool.Options, ringOpts ...shard.Option) *shard.Ring {
	return shard.NewPool(addrs, opts, ringOpts...)
}

// Subscriber returns a pub/sub subscriber at once; it dials in the
// background, and subscriptions requested before the dial completes are
// sent once it does (txredisapi's lazy SubscriberFactory use). It is
// pubsub.New.
func Subscriber(opts pubsub.Options, h pubsub.Handler) *pubsub.Subscriber {
	return pubsub.New(opts, h)
}
