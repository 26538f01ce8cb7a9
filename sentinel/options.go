package sentinel

import (
	"errors"
	"time"

	"github.com/txredis/txredis/conn"
)

// Options configures a sentinel-managed client. The embedded conn.Options
// apply to the master and replica connections (Addr is ignored: the
// sentinels give the addresses); ConnectTimeout also bounds how long a
// search for the master may take.
type Options struct {
	conn.Options
	// PoolSize, when > 1, puts a pool of that many connections behind the
	// master and each replica; otherwise each has one pipelined connection.
	PoolSize int
	// SentinelUsername and SentinelPassword authenticate to the sentinels,
	// which often have credentials of their own.
	SentinelUsername string
	SentinelPassword string
	// MinOtherSentinels, when > 0, ignores a sentinel that knows fewer
	// other sentinels for the master (txredisapi's min_other_sentinels):
	// a partitioned sentinel's view is not trusted.
	MinOtherSentinels int
	// RefreshInterval is how often the client asks the sentinels for the
	// master and the replicas on top of what their events trigger
	// (default 1s, negative disables). It bounds how long a change that
	// no event announces (a replica that finished its sync) takes to
	// reach the client, and catches events missed while a subscription
	// was down.
	RefreshInterval time.Duration
}

// DefaultRefreshInterval is the RefreshInterval used when it is zero.
const DefaultRefreshInterval = time.Second

func (o Options) withDefaults() Options {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = conn.DefaultConnectTimeout
	}
	if o.RefreshInterval == 0 {
		o.RefreshInterval = DefaultRefreshInterval
	}
	return o
}

// ErrNoMaster matches a failed discovery: no sentinel named a master
// that qualified (known to a sentinel, not flagged down, answering ROLE
// as a master) within ConnectTimeout.
var ErrNoMaster = errors.New("txredis/sentinel: no master found")
