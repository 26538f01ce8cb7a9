// Command sharded is the "Sharded Connections" example of the txredisapi
// README in Go: a sharded connection over two servers sets foo00..foo99,
// each key on the server txredisapi's consistent hash gives it, then
// reads them all back with one MGET, which the ring splits per server and
// puts back together in key order.
//
//	go run ./examples/sharded [-addrs host:port,host:port]
//
// Without -addrs it starts two embedded miniredis servers. On real
// servers it writes 100 keys, txredis:example:sharded:foo00 to
// txredis:example:sharded:foo99, each on the server the ring gives it, in
// database 0 (or the database each URL selects: -addrs
// redis://a:6379/15,redis://b:6379/15), and leaves them there.
//
// txredisapi printed the list of methods a sharded connection supports
// (rc.ShardedMethods) and raised NotImplementedError for the others. In
// txredis every command whose keys live on one server is supported, MGET,
// DEL, EXISTS, UNLINK, TOUCH and MSET are split over servers, and the
// others fail with an error matching shard.ErrNotSharded: the program
// shows two of them.
package main
