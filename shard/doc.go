// Package shard spreads keys over several Redis servers with
// txredisapi's consistent hash, so that a program ported from txredisapi
// finds every key on the server its Python predecessor wrote it to.
//
// A Ring is a handle like conn.Conn and pool.Pool: it embeds the typed
// command set (conn.Commands) and every command returns a Deferred.
// shard.Connect and shard.New put one conn.Conn on each node
// (txredisapi's ShardedConnection and lazyShardedConnection);
// shard.ConnectPool and shard.NewPool put one pool.Pool on each node
// (ShardedConnectionPool and lazyShardedConnectionPool). Addresses are
// "host:port" or unix socket paths ("/path", "unix:///path"), which
// covers txredisapi's ShardedUnixConnection forms too, or URLs
// ("redis://:password@host:6379/2", see conn.ParseURL) whose settings
// apply to their node. A bad address list (empty, an entry that is none
// of these, a node listed twice) fails with an error matching
// ErrBadAddrs.
//
// # Placement
//
// The ring is txredisapi's HashRing, followed exactly. Each node is named
// as txredisapi named it: "host:port" with the port as a decimal integer
// (txredisapi formatted "%s:%d" % (host, int(port)), so "h:06379" is
// "h:6379"), or the socket path. Each node has 160 points, the CRC-32
// (IEEE) of "<name>:<i>" for i = 0..159, sorted. A key goes to the point
// at bisect_right(points, crc32(key)), clamped to the last point: there is
// no wrap-around, as in the original. Nodes keep the order of the address
// list; it matters only when two points collide (the later node wins).
//
// txredisapi ran on Python 2, whose zlib.crc32 returns a signed 32-bit
// integer, so by default the ring compares CRCs as int32. Under Python 3
// the same code compares them unsigned; the UnsignedCRC option selects
// that order. The orders disagree for a few keys in a thousand, so pick
// the one of the interpreter that wrote the data. Ring.Shard tells the
// node of a key; NewHashRing computes placements with no connection at
// all (for migration tools). testdata/hashring.py reimplements the
// original in Python and the tests compare 18,000 placements with it.
//
// # Hash tags
//
// Keys that share a tag share a node, so multi-key commands on them run.
// By default the tag follows txredisapi: a key matching `.+\{(.*)\}.*`
// (Python's re.match) is placed by the group — "user{42}:name" by "42".
// The rule is not Redis Cluster's: it needs a character before the "{"
// ("{x}y" is hashed whole), it takes the last "{" and the last "}" of the
// key's first line ("a{b}{c}" is placed by "c"), and an empty tag is used
// as is ("a{}b" is placed by ""). It is kept because the data was placed
// by it. Tags(ClusterTags) selects Redis Cluster's rule (the first "{",
// the first "}" after it, a non-empty tag) for new deployments that want
// the same key groups as a cluster; Tags(NoTags) hashes keys whole.
//
// # Routing
//
// A command goes to the node of its keys: the arguments the command
// marks as keys (every typed method does), or for a command built
// without marks (Do, DoCmd) the key positions of the Redis command table.
// PUBLISH goes to the node of its channel, as in txredisapi.
//
// # Commands newer than the table
//
// The command table is that of Redis 7.0. For a command it lacks (newer
// commands such as HEXPIRE, module commands such as JSON.GET, a renamed
// command) the Ring asks the first node that answers, once per command
// name, with COMMAND INFO: the key specifications of Redis 7 say where the
// keys are, or, from older servers and modules, the legacy
// first/last/step positions. Commands whose keys move with their
// arguments in a way the specifications cannot describe are asked about
// with COMMAND GETKEYS each time they are sent. When the server cannot
// tell (it does not know the command either, or refuses COMMAND), the
// first argument is taken as the key: the command then goes to that
// key's node, which answers with its result or its own error ("ERR
// unknown command 'JSON.GET'"). A command the server says has no key
// (WAITAOF) fails with ErrNotSharded, as every keyless command does:
// WAIT and WAITAOF count the writes of the connection they are sent on,
// so send them, and the writes, through Node(name). What was learned is
// kept for the Ring's life (at most cmdinfo.MaxLearned names); a failed
// question (a connection error) fails the command and is asked again
// next time. A pipeline's unknown commands are learned before the batch
// is routed.
//
// A command whose keys all live on one node runs there, whatever it is
// (SUNION, RENAME, EVAL with its keys). MGET, DEL, EXISTS, UNLINK, TOUCH
// and MSET with keys on several nodes are split: one command per node
// with that node's keys, sent at once, and the replies put back together:
// MGET's values in the caller's key order, the counts of DEL, EXISTS,
// UNLINK and TOUCH summed, MSET's "OK" when every node said OK. The
// typed methods (MGet, Del, ...) and Do give the same results.
//
// Everything else fails with ErrNotSharded naming the command: commands
// without keys (KEYS, FLUSHDB, PING, SCAN), commands whose keys span
// nodes and cannot be split (SUNION, RENAME, MSETNX), transactions
// (Multi, Watch: a Ring lends no connection), and batches (Pipeline)
// spanning nodes; a pipeline whose keys are all on one node runs there.
// For admin work, ForEachDo sends a command to every node and ForEach
// gives each node's command set; Node(name) is a node's own handle, for a
// transaction on one node.
//
// Differences from txredisapi, all where it lost or misplaced data:
// its mget grouped keys by node without hash tags (a tagged key was
// looked for on the wrong node), returned the values in node order
// rather than key order, and silently dropped the values of a node that
// failed; its delete and rename went to the node of the first key only.
//
// # Failures
//
// Each node has its own connections and reconnects by itself. While a
// node is down, commands for its keys fail at once with a
// *conn.ConnectionError naming it (errors.Is(err, conn.ErrConnection));
// keys on other nodes keep working; when the server is back, its keys
// work again. A split command fails when any of its parts fails, with a
// *ShardError naming the command and the node (errors joined when several
// fail); the parts sent to other nodes have run (a split DEL has deleted
// the keys on the live nodes). Disconnect closes every node.
//
// # Concurrency
//
// A Ring is safe for concurrent use. Its commands never block, so they
// may be sent from Deferred callbacks. The replies of a split command
// arrive on several nodes' reader goroutines; its Deferred fires on the
// goroutine of the last one.
package shard
