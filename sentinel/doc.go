// Package sentinel is a client for a master managed by Redis Sentinel: one
// handle, the same command set and Deferred API as a single connection,
// that follows the master through failovers (txredisapi's
// Sentinel.master_for, with its min_other_sentinels).
//
//	c, err := sentinel.Connect([]string{"s1:26379", "s2:26379", "s3:26379"}, "mymaster", sentinel.Options{}).Wait(ctx)
//	c.Set("k", "v")          // on the master, whichever server that is now
//	c.Replica().Get("k")     // on a replica, round robin
//
// # Discovery
//
// Connect asks every sentinel at once for the master (SENTINEL MASTER,
// or SENTINEL GET-MASTER-ADDR-BY-NAME where that is refused) and its
// replicas (SENTINEL REPLICAS), and trusts the newest information, never
// the order of the list: the highest config epoch; at one epoch, the
// address given by sentinels that lead no failover (the leader of a
// failover names the old master, at the new epoch, until the failover
// ends); then the address most sentinels give. A master that its
// sentinel flags s_down or o_down is not taken from it. With
// Options.MinOtherSentinels, a sentinel that knows fewer other sentinels
// (a partitioned one) is ignored. The chosen server must answer ROLE as
// a master; otherwise the next address is tried. The replicas are those
// that at least one sentinel finds healthy and no majority of the
// sentinels listing them flags down.
//
// # Failover
//
// The client subscribes to +switch-master on every sentinel, and asks the
// sentinels again when a message names its master, when the master's
// connection goes down, and when a sentinel subscription is restored after
// a gap. A new master gets fresh connections; the old ones are closed,
// letting replies in flight arrive. Commands in flight on the old master
// fail with a *conn.ConnectionError and are not retried, since they may
// have run; commands sent after the switch go to the new master.
// Discoveries run one at a time, at most every 100ms.
//
// # Replicas
//
// Replica returns a Node handle on the next replica, round robin, or the
// master when there is none. Reads on a replica may lag behind writes on
// the master. Master returns a handle that follows the master.
//
// # Concurrency
//
// A Client is safe for concurrent use. Send never blocks: it reads the
// current master from an atomic pointer, so commands may be sent from
// Deferred callbacks. Transactions (Multi, Watch) lease a connection of
// the master; with a single connection (PoolSize <= 1) other commands fail
// with conn.ErrLeased meanwhile, as on a Conn. Disconnect closes the
// sentinel connections, waits for a discovery in flight, closes every
// server connection and fires once nothing of the client is running.
package sentinel
