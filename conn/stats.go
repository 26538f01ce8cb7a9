package conn

import "sync/atomic"

// Stats is a snapshot of a handle's counters, in one shape for every
// handle: Conn, pool.Pool, shard.Ring, cluster.Cluster, sentinel.Client,
// pubsub.Subscriber and pubsub.Monitor all return it (pool.Stats,
// cluster.Stats and pubsub.Stats are this type). A handle leaves the
// fields that do not apply to it at zero; a handle over several
// connections or nodes sums theirs. Gauges (Open, Pending, ...) are the
// values now; counters (Dials, Reconnects, ...) count since the handle
// was made.
type Stats struct {
	// Connections.
	Conns        int // connections held, in any state
	Open         int // connections connected now
	Pending      int // replies awaited, over every connection
	PoolSize     int // pooled connections (pools' Options.PoolSize)
	Extra        int // pools: extra connections alive (leased, idle or dialling)
	Leased       int // connections lent for exclusive use now
	Blocking     int // of which by blocking commands
	Transactions int // of which by Lease callers (transactions)
	Waiting      int // lease requests waiting for a connection
	Nodes        int // servers (sharded, cluster and sentinel handles)

	Dials      uint64 // dial attempts started
	Failures   uint64 // failed dials and lost connections
	Reconnects uint64 // connections back up after being lost (subscribers: resubscriptions)

	// Cluster routing.
	Moved     uint64 // MOVED redirections followed
	Asked     uint64 // ASK redirections followed
	Retried   uint64 // retries after TRYAGAIN, CLUSTERDOWN, LOADING or an unreachable node
	Refreshes uint64 // slot map fetches that succeeded

	// Pub/sub delivery (subscribers and monitors).
	Received  uint64 // messages read from the connection
	Delivered uint64 // messages handed to the Handler or the channel
	Dropped   uint64 // messages dropped because the delivery buffer was full
	Panics    uint64 // messages whose Handler call panicked
	Buffered  int    // messages waiting in the buffer now
}

// Add returns the sum of s and o, field by field.
func (s Stats) Add(o Stats) Stats {
	s.Conns += o.Conns
	s.Open += o.Open
	s.Pending += o.Pending
	s.PoolSize += o.PoolSize
	s.Extra += o.Extra
	s.Leased += o.Leased
	s.Blocking += o.Blocking
	s.Transactions += o.Transactions
	s.Waiting += o.Waiting
	s.Nodes += o.Nodes
	s.Dials += o.Dials
	s.Failures += o.Failures
	s.Reconnects += o.Reconnects
	s.Moved += o.Moved
	s.Asked += o.Asked
	s.Retried += o.Retried
	s.Refreshes += o.Refreshes
	s.Received += o.Received
	s.Delivered += o.Delivered
	s.Dropped += o.Dropped
	s.Panics += o.Panics
	s.Buffered += o.Buffered
	return s
}

// StatsSource is a handle that reports Stats.
//
// For handle writers (see "Writing a handle" in the package documentation).
type StatsSource interface {
	Stats() Stats
}

// StatsOf returns the Stats of h when it reports them, and false
// otherwise.
func StatsOf(h any) (Stats, bool) {
	if s, ok := h.(StatsSource); ok {
		return s.Stats(), true
	}
	return Stats{}, false
}

// Stats returns the connection's counters: Conns is 1, Open 1 while
// connected, Leased 1 while leased.
func (c *Conn) Stats() Stats {
	s := Stats{
		Conns:      1,
		Pending:    c.Pending(),
		Dials:      c.counts.dials.Load(),
		Failures:   c.counts.failures.Load(),
		Reconnects: c.counts.reconnects.Load(),
	}
	c.mu.Lock()
	if c.state.load() == StateConnected {
		s.Open = 1
	}
	if c.leased != nil {
		s.Leased = 1
	}
	c.mu.Unlock()
	return s
}

// connCounts are a Conn's counters, fed by its state events.
type connCounts struct {
	dials, failures, reconnects atomic.Uint64
	everUp                      atomic.Bool
}

// record counts one state event: a dial starting, a connection coming
// up (again), a dial failing or a connection lost.
func (n *connCounts) record(e StateEvent) {
	switch e.State {
	case StateConnecting:
		n.dials.Add(1)
	case StateConnected:
		if !n.everUp.CompareAndSwap(false, true) {
			n.reconnects.Add(1)
		}
	case StateDisconnected:
		if e.Err != nil {
			n.failures.Add(1)
		}
	}
}
