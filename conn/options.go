package conn

import (
	"context"
	"crypto/tls"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"time"

	"github.com/txredis/txredis/proto"
)

// Defaults used when the corresponding Options field is zero.
const (
	DefaultAddr           = "localhost:6379"
	DefaultConnectTimeout = 5 * time.Second
	DefaultReadBuffer     = 16 << 10
	// DefaultReplyTimeout is how long a connection may stay silent while
	// a reply is overdue before it is considered dead (see
	// Options.ReplyTimeout). It is twice Redis's own threshold for a
	// command that runs too long (busy-reply-threshold, 5s), and shorter
	// than a Redis Cluster's node timeout (15s), so that commands pending
	// on a frozen master fail before a failover can demote it, instead of
	// being acknowledged when it wakes and lost when it resyncs.
	DefaultReplyTimeout = 10 * time.Second
)

// Options configures a connection. The zero value connects to
// localhost:6379, database 0, RESP2, with automatic reconnection, as
// txredisapi's Connection() does.
type Options struct {
	// Addr is "host:port", a unix socket path starting with "/", or a
	// URL (redis://, rediss://, unix://; see ParseURL) whose settings
	// fill the fields left at zero (see ApplyURL). Empty means
	// localhost:6379.
	Addr string
	// DB is the database selected after connecting (txredisapi's dbid).
	DB int
	// Username and Password authenticate with AUTH (or HELLO ... AUTH).
	// Username is for Redis 6 ACL users; leave it empty for requirepass.
	Username string
	Password string
	// ClientName is set with CLIENT SETNAME when not empty.
	ClientName string
	// ReadOnly sends READONLY as the last handshake step, so that a
	// connection to a Redis Cluster replica serves reads from its first
	// command on (the cluster package sets it for replica connections).
	ReadOnly bool
	// Protocol is 2 (RESP2, the default) or 3 (RESP3, via HELLO 3).
	Protocol int
	// TLS, when not nil, wraps the connection in TLS. An empty ServerName
	// is taken from Addr's host, so the certificate is verified by default.
	TLS *tls.Config
	// ConnectTimeout bounds one dial plus handshake (default 5s). Commands
	// sent while a dial is in flight wait for it at most this long.
	ConnectTimeout time.Duration
	// ReplyTimeout bounds how long a reply may keep the connection
	// waiting in silence: the connection is considered dead once the
	// oldest pending reply is more than ReplyTimeout late (measured from
	// when its command was written, and never before the replies ahead of
	// it) and nothing at all arrived from the server for ReplyTimeout.
	// A reply that is streaming, however slowly, is not cut. Blocking
	// commands (BLPOP, XREAD BLOCK, WAIT...) get their own timeout on top,
	// and those that block forever (BLPOP 0) have no deadline: a server
	// that vanished from the network under them is found by TCP
	// keepalive, tuned to give up after about 30s. A dead connection is
	// broken as in txredisapi: every pending command fails with a timeout
	// ConnectionError and the connection is redialled.
	//
	// 0 means DefaultReplyTimeout (10s), so that no command waits forever
	// on a silent server by default; a negative value disables the reply
	// timeout (commands then wait until the connection is lost).
	ReplyTimeout time.Duration
	// NoReconnect disables automatic reconnection (txredisapi's
	// reconnect=False): once lost, the connection stays down.
	NoReconnect bool
	// Backoff returns how long to wait before reconnect attempt n (0-based).
	// Nil means DefaultBackoff: first retry at once, then exponential with
	// jitter capped at 2s. n counts the dials since a connection last
	// stayed up for a second: a connection lost sooner does not start the
	// backoff over. After a credential or configuration error in the
	// handshake the wait is DefaultPermanentRetry instead.
	Backoff func(attempt int) time.Duration
	// OnState, when not nil, is called on every state change from the
	// connection's supervisor goroutine. It must not block.
	OnState func(StateEvent)
	// Logger receives state changes at Info/Warn level when not nil.
	Logger *slog.Logger
	// Dialer replaces net.Dialer (tests use it to hand in net.Pipe ends).
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// ReadBufferSize is the size of the reply read buffer (default 16 KiB).
	ReadBufferSize int
	// MaxBulk caps the length of one bulk reply (default 512 MiB, as the
	// server's proto-max-bulk-len).
	MaxBulk int
	// MaxElems caps the number of elements of one aggregate reply (default
	// proto.DefaultMaxElems); raise it for replies larger than that (KEYS
	// on a huge database), lower it to bound what a hostile server can
	// make the client build.
	MaxElems int
	// MaxLine caps the length of one reply line: a status, an error, an
	// integer, a double (default proto.DefaultMaxLine, 64 KiB; never more
	// than MaxBulk). A Lua script's status or error reply longer than that
	// needs a larger value.
	MaxLine int
	// MaxReplyMemory caps the memory the decoded form of one reply may
	// take, over every level of nesting (default
	// proto.DefaultMaxReplyMemory, 1 GiB): a reply over it fails the
	// connection with a protocol error, as a bulk over MaxBulk does.
	// Per byte on the wire a reply costs at most 25 bytes of heap (see the
	// proto package), so this bounds what a hostile or broken server can
	// make the client hold.
	MaxReplyMemory int64
	// Hooks observe every command, pipeline, transaction, dial and pool
	// lease of the handle, in order (see Hook). Handles that make several
	// connections (pools, sharded, cluster and sentinel handles,
	// subscribers) give them all the same hooks.
	Hooks []Hook

	// OnPush receives values that are not replies to a command: RESP3
	// push frames, values arriving when no command is pending, and (with
	// PubSub set) RESP2 pub/sub messages. It runs on the reader goroutine
	// and must not block. Without it an unsolicited value is a protocol
	// error that breaks the connection.
	OnPush func(v proto.Value)
	// Cache configures the client-side cache of cached views (Cached):
	// tracking mode and memory bound. It has no effect until a view is
	// made.
	Cache CacheOptions

	// PubSub marks a connection dedicated to subscriber or monitor mode,
	// which its owner (the pubsub package) handles: RESP2 arrays whose
	// first element is a pub/sub kind ("message", "subscribe", ...) go to
	// OnPush, SendNoReply is allowed, and Send lets through the commands
	// every other connection refuses (handle.RefuseShared). Set it only on such
	// a connection.
	PubSub bool
}

// readerOptions are the reply reader's limits.
func (o Options) readerOptions() proto.ReaderOptions {
	return proto.ReaderOptions{MaxBulk: o.MaxBulk, MaxLine: o.MaxLine, MaxElems: o.MaxElems, MaxReplyMemory: o.MaxReplyMemory}
}

func (o Options) withDefaults() Options {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.ReplyTimeout == 0 {
		o.ReplyTimeout = DefaultReplyTimeout
	}
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	if o.ReadBufferSize <= 0 {
		o.ReadBufferSize = DefaultReadBuffer
	}
	if o.Protocol == 0 {
		o.Protocol = 2
	}
	o.Hooks = slices.Clip(slices.Clone(o.Hooks)) // nil when empty: no later change reaches the connection
	return o
}

// DefaultBackoff is the reconnect policy used when Options.Backoff is nil:
// attempt 0 retries at once; attempt n waits a random duration in
// [d/2, d) where d = 50ms * 2^(n-1), capped at 2s.
func DefaultBackoff(attempt int) time.Duration {
	return ExponentialBackoff(50*time.Millisecond, 2*time.Second)(attempt)
}

// ExponentialBackoff returns a policy whose first retry is immediate and
// whose later delays double from base up to max, with jitter (each delay
// is uniformly drawn from [d/2, d)).
func ExponentialBackoff(base, max time.Duration) func(int) time.Duration {
	return func(attempt int) time.Duration {
		if attempt <= 0 {
			return 0
		}
		d := base
		for i := 1; i < attempt && d < max; i++ {
			d *= 2
		}
		if d > max {
			d = max
		}
		half := d / 2
		return half + time.Duration(rand.Int64N(int64(half)+1))
	}
}
