// Package cluster is a Redis Cluster client: one handle, the same command
// set and Deferred API as a single connection, over every node of a
// cluster.
//
//	c, err := cluster.Connect([]string{"10.0.0.1:7000", "10.0.0.2:7000"}, cluster.Options{}).Wait(ctx)
//	c.Set("user:1", "ann")            // goes to the node serving slot of "user:1"
//	c.Do("MGET", "a", "b", "c")       // split per slot, answered in key order
//
// Connect discovers the slot map from the first start address that
// answers and fires once it is known; New returns the handle at once and
// discovers in the background (commands sent meanwhile go to a start node
// and follow its redirections).
//
// # Routing
//
// A command goes to the master serving the hash slot of its keys (CRC16
// of the key modulo 16384, or of its hash tag: the text between the first
// "{" and the first "}" after it, when not empty, so "{user1}.name" and
// "{user1}.email" share a slot). The keys are those the command marks
// (typed commands, and Do through the command table). Keyless commands go
// to a master at random. A multi-key command whose keys hash to different
// slots fails with ErrCrossSlot before anything is sent, except MGET, DEL,
// EXISTS, UNLINK and TOUCH, which are split per slot, sent in parallel,
// and gathered (MGET in key order, the others summed).
//
// The command table is that of Redis 7.0. The keys of a command it lacks
// (HEXPIRE, a module's JSON.GET) are learned from a master, once per
// name, as package shard describes (COMMAND INFO, COMMAND GETKEYS, else
// the first argument is the key). A command the server says has no key
// (WAITAOF) goes to a master at random, as every keyless command does;
// WAIT and WAITAOF count the writes of the connection they are sent on,
// so send them, with the writes, through a lease of the node that takes
// the writes (Node(key).Lease).
//
// Each node has one pipelined connection, or a pool when
// Options.PoolSize > 1. With Options.ReadFromReplicas, read-only commands
// go to the replicas of their slot, round robin, on connections that sent
// READONLY; replicas may lag behind the master.
//
// Transactions need one node: Node(key) returns the handle of the node
// serving key's slot, on which Multi and Watch work (all keys of a
// transaction must share that slot). The cluster handle's own Lease fails
// with ErrNoSlot. Masters returns a handle per master for commands that
// must reach each one (FLUSHALL, SCAN, SCRIPT LOAD).
//
// # Redirections
//
// MOVED updates the map for that slot, resends the command to the new
// owner, and refreshes the whole map in the background: a burst of MOVED
// replies makes one refresh (CLUSTER SHARDS, or CLUSTER SLOTS before Redis
// 7), not one each. ASK resends the command once to the node named,
// preceded by ASKING in the same write, without changing the map. A
// command follows at most Options.MaxRedirects redirections (default 5),
// then fails with the last one. TRYAGAIN, CLUSTERDOWN and LOADING replies
// are retried with a backoff (10ms doubling to 200ms) for at most
// Options.RetryTimeout from the first retry. Each command keeps its own
// Deferred through every resend: the cluster keeps a copy of the command
// and resolves the caller's Deferred with the final answer only.
//
// Commands sent where the cluster does not route them — through a Node
// handle, on a lease, inside a transaction — are not redirected, but a
// MOVED they get updates the map all the same (and an ASK refreshes it):
// a transaction that failed with MOVED because its slot moved succeeds
// when it is tried again on Node(key), which then names the new owner. A
// shard subscriber follows MOVED answers to SSUBSCRIBE, and its
// connections going down refresh the map as node connections do.
//
// # Failover
//
// When a node's connection goes down, or a command finds its node
// unreachable, the map is refreshed (at most every 100ms). A command that
// was not sent (the node was down or closed) is retried on the node the
// refreshed map names, within RetryTimeout, so commands sent while a
// replica is being promoted succeed once it is. Nodes dropped from the
// map are disconnected.
//
// A node that stops answering without closing its connections (a frozen
// process, a cut network) is noticed by the cluster itself, whatever the
// connections' ReplyTimeout: when every command sent to it has waited
// Options.StallTimeout (500ms by default) with no reply, the map is
// refreshed from the other nodes, again every quarter of StallTimeout
// while it stays silent. A slow node that keeps its slots is left alone.
// Once the map names another master in its place, its connections are
// aborted: the commands waiting on it fail with a *conn.ConnectionError
// matching ErrStalled, later commands go to the new master, and
// redirections to the old one from nodes that have not caught up are not
// followed. A master frozen under load is thus replaced within the
// cluster's own failover time plus a few hundred milliseconds, and the
// writes queued on it are never acknowledged by it once it resumes as a
// replica and discards them.
//
// # Commands in flight when a node dies
//
// Delivery is at most once. A command that was sent and whose connection
// was then lost, timed out or aborted fails with a *conn.ConnectionError:
// it may or may not have run, and the cluster does not send it again,
// since a write run twice (INCR, LPUSH) is a different write. With
// Options.RetryReads, read-only commands are the exception: they are
// resent, within RetryTimeout, to the master the refreshed map names.
// Applications that need a write to happen exactly once make it
// idempotent (SET with a value of their own, a Lua script checking a
// token) and retry it themselves.
//
// Redis replicates asynchronously: a write that a master acknowledged
// just before it failed may not have reached the replica that replaces
// it, and is then lost whatever the client does (the WAIT command makes
// a write wait for replicas).
//
// # Concurrency
//
// A Cluster is safe for concurrent use. Send never blocks: routing reads
// an atomic slot table, and redirections and retries are sent from the
// reply's reader goroutine or a timer, so commands may be sent from
// Deferred callbacks. Refreshes run on one background goroutine at a
// time. Disconnect stops refreshing, waits for retries in flight to end,
// disconnects every node and fires once nothing of the cluster is
// running.
package cluster
