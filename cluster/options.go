package cluster

import (
	"errors"
	"time"

	"github.com/txredis/txredis/conn"
)

// Defaults used when the corresponding Options field is zero.
const (
	DefaultMaxRedirects = 5
	DefaultRetryTimeout = 5 * time.Second
	DefaultStallTimeout = 500 * time.Millisecond
)

// Options configures a cluster handle. The embedded conn.Options apply to
// every node connection (Addr is ignored: addresses come from the start
// addresses and the slot map; DB must be 0, the only database a cluster
// has).
type Options struct {
	conn.Options
	// PoolSize, when > 1, puts a pool of that many connections behind each
	// node (when the pool package is available); otherwise each node has
	// one pipelined connection.
	PoolSize int
	// MaxRedirects caps the MOVED/ASK redirections one command follows
	// (default 5). The reply after the last is returned as it is.
	MaxRedirects int
	// RetryTimeout is how long a command may be retried, from its first
	// retry, when the cluster answers TRYAGAIN, CLUSTERDOWN or LOADING, or
	// when its node cannot be reached and the command was not sent
	// (default 5s, negative disables retries). Commands that were sent and
	// lost with their connection are not retried (they may have run),
	// except reads with RetryReads.
	RetryTimeout time.Duration
	// RetryReads resends, within RetryTimeout and to the master the
	// refreshed map names, a read-only command (by the command table's
	// flags: GET, HGETALL, ZRANGE, ...) that was sent and then lost with
	// its connection or its node: running a read twice changes nothing.
	// Writes are never resent, whatever this says; they fail with the
	// *conn.ConnectionError, and may or may not have run.
	RetryReads bool
	// ReadFromReplicas sends read-only commands (by the command table's
	// flags) to the replicas of their slot, round robin, after READONLY.
	// Replicas may lag: a read may not see a write that just succeeded.
	ReadFromReplicas bool
	// RefreshInterval, when > 0, refreshes the slot map periodically on
	// top of the refreshes MOVED and connection errors trigger.
	RefreshInterval time.Duration
	// StallTimeout is how long a node may leave every command the cluster
	// sent it unanswered (blocking commands aside) before the cluster asks
	// the other nodes for the slot map (default 500ms, negative
	// disables). While the node stays silent the map is refreshed every
	// quarter of StallTimeout; once it names another master in its place
	// (a replica took over a frozen or cut-off master), the node's
	// connections are failed: the commands waiting on it fail with a
	// *conn.ConnectionError matching ErrStalled, instead of waiting for a
	// demoted master to acknowledge writes it will then discard. A slow
	// node that keeps its slots is only asked about, never cut off.
	StallTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.RetryTimeout == 0 {
		o.RetryTimeout = DefaultRetryTimeout
	}
	if o.StallTimeout == 0 {
		o.StallTimeout = DefaultStallTimeout
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = conn.DefaultConnectTimeout
	}
	return o
}

// ErrCrossSlot matches a multi-key command whose keys hash to different
// slots, rejected before anything is sent (MGET, DEL, EXISTS, UNLINK and
// TOUCH are split by slot instead). Put related keys in one slot with a
// hash tag: "{user1}.name", "{user1}.email".
var ErrCrossSlot = errors.New("txredis/cluster: keys in request don't hash to the same slot")

// ErrNoSlot matches Lease on the cluster handle: a transaction runs on the
// node of one slot, so lease through Node(key) instead.
var ErrNoSlot = errors.New("txredis/cluster: the cluster handle cannot lease a connection without a slot; use Node(key)")

// ErrNoNodes matches a failed refresh of the slot map: no node could be
// reached, or none answered with a usable map.
var ErrNoNodes = errors.New("txredis/cluster: no node answered with the slot map")

// ErrClosed matches commands sent after Disconnect.
var ErrClosed = errors.New("txredis/cluster: closed")
