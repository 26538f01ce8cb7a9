// Package sentinel is a client for a master managed by Redis Sentinel: one
// handle, the same command set and Deferred API as a single connection,
// that follows the master through failovers (txredisapi's
// Sentinel.master_for, with its min_other_sentinels).
//
//	c, err := sentinel.Connect([]string{"s1:26379", "s2:26379", "s3:26379"}, "mymaster", sentinel.Options{}).Wait(ctx)
//	c.Set("k", "v")          // on the master, whichever server that is now
//	c.Replica().Get("k")     // on a healthy replica, round robin
//
// Connect fires once the master is found; New is the lazy constructor: it
// returns the client at once, and commands sent before the master is
// known wait for the search (at most ConnectTimeout). DiscoverMaster and
// DiscoverReplicas ask the sentinels for the addresses alone
// (txredisapi's discover_master and discover_slaves).
//
// # Discovery
//
// The client asks every sentinel at once for the master (SENTINEL MASTER,
// or SENTINEL GET-MASTER-ADDR-BY-NAME where that is refused) and its
// replicas (SENTINEL REPLICAS), and trusts the newest information, never
// the order of the list: the highest config epoch; at one epoch, the
// address given by sentinels that lead no failover (the leader of a
// failover names the old master, at the new epoch, until the failover
// ends, which with a production failover-timeout can take minutes); then
// the address most sentinels give; then the address the newest
// +switch-master named. A master that its sentinel flags s_down or
// o_down is not taken from it; with Options.MinOtherSentinels, a
// sentinel that knows fewer other sentinels (a partitioned one) is
// ignored. The chosen server must answer ROLE as a master, else the next
// address is tried. When nothing qualifies, Connect asks again with
// backoff until ConnectTimeout: a sentinel that does not know the master
// yet, or a promotion still under way, is waited for.
//
// # Failover
//
// The client subscribes to the events of every sentinel. When the leader
// of a failover selects a replica for promotion (+selected-slave), the
// client asks that replica ROLE every 20ms and moves to it as soon as it
// is a master, usually within a few tens of milliseconds of the
// promotion and well before the first +switch-master; a +switch-master
// names the new master directly. Views of the sentinels that have not
// caught up yet (below the epoch of that failover), and the leader's
// view of the old master, then no longer move the client. It also asks
// the sentinels again when its master's connection goes down, when a
// sentinel subscription is restored after a gap, and every
// Options.RefreshInterval. Discoveries and switches run one at a time.
//
// On a switch the new master gets fresh connections. The commands in
// flight on the old master fail with a *conn.ConnectionError matching
// ErrReplaced, and its connections close: a master that sentinels
// demote keeps acknowledging writes until it is reconfigured, some ten
// seconds later, and then discards them. Delivery is at most once: a
// command that failed may or may not have run, and is not sent again.
// Writes that the old master acknowledged between the promotion of its
// replica and the switch are lost, as with any client; Redis replicates
// asynchronously, and only WAIT narrows that window.
//
// # Replicas
//
// Replica returns a Node handle on the next replica, round robin, or the
// master when there is none. A replica is in the rotation when at least
// one sentinel finds it healthy (not down, a replica, its link to the
// master up) and no majority of the sentinels listing it flags it down;
// the list is asked again after every switch, on the sentinels' replica
// events (+slave, +sdown, -sdown, +slave-reconf-done, +convert-to-slave,
// ...) and every RefreshInterval, so a replica the sentinels list as
// healthy after a failover is in the rotation within RefreshInterval. A
// replica whose connection goes down leaves the rotation at once and
// comes back when it reconnects. Reads on a replica may lag behind
// writes on the master. Master returns a handle that follows the master.
//
// # Concurrency
//
// A Client is safe for concurrent use. Send never blocks: it reads the
// current master from an atomic pointer (or, before the first master is
// known, waits on a Deferred), so commands may be sent from Deferred
// callbacks. Transactions (Multi, Watch) lease a connection of the
// master; with a single connection (PoolSize <= 1) other commands fail
// with conn.ErrLeased meanwhile, as on a Conn. Disconnect closes the
// sentinel connections, waits for the discoveries and watches in flight,
// closes every server connection and fires once nothing of the client is
// running.
package sentinel
