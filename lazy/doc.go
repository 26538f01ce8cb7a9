// Package lazy holds the lazy constructors: each returns its handle at
// once, before anything is connected, as txredisapi's lazyConnection,
// lazyConnectionPool, lazyShardedConnection and lazyShardedConnectionPool
// do. Commands sent before a connection is up wait for its first dial (at
// most ConnectTimeout); while a server is down they fail at once with a
// *conn.ConnectionError; the connections redial by themselves.
//
// # Eager and lazy
//
// Eager and lazy share one core. A lazy constructor is that core; the
// eager constructor of the same handle is the core plus a Deferred that
// fires with the handle once the first connect succeeded (for a pool:
// all PoolSize connections; for a sharded handle: every node), or fails
// with the first dial's *conn.ConnectionError and leaves nothing running.
// The functions of this package only give the lazy cores a home named as
// txredisapi named them; they are the same functions as conn.New,
// pool.New, shard.New and shard.NewPool.
//
// # txredisapi's constructors
//
// txredisapi had eight constructors, and a unix-socket form of each. In
// txredis an address that starts with "/" or "unix://" is a unix socket,
// so the unix forms are the same functions:
//
//	txredisapi                          txredis eager                      txredis lazy
//	Connection, UnixConnection          conn.Connect(opts)                 lazy.Connection(opts)
//	ConnectionPool, UnixConnectionPool  pool.Connect(opts)                 lazy.ConnectionPool(opts)
//	ShardedConnection (and Unix)        shard.Connect(addrs, opts)         lazy.ShardedConnection(addrs, opts)
//	ShardedConnectionPool (and Unix)    shard.ConnectPool(addrs, opts)     lazy.ShardedConnectionPool(addrs, opts)
//
// Subscriber is the lazy form of pubsub.Connect: subscriptions asked for
// before the first dial completes are sent once it does.
//
// txredisapi's arguments map to the Options: host and port (or path) to
// Addr, dbid to DB, poolsize to pool.Options.PoolSize, reconnect=False to
// NoReconnect, password to Password, connectTimeout and replyTimeout to
// ConnectTimeout and ReplyTimeout, ssl_context_factory to TLS. Addr (and
// each address of the sharded forms) may also be a URL that carries them:
// "redis://:password@host:6379/3" (see conn.ParseURL). The hosts list of
// the sharded forms is the addrs argument; the ring places keys exactly
// as txredisapi's HashRing did (see package shard).
//
// # Errors
//
// A lazy constructor cannot fail: a bad address list makes a sharded
// handle whose every command fails with an error matching
// shard.ErrBadAddrs, reported also by its Err method; connection problems
// fail the commands they affect.
package lazy
