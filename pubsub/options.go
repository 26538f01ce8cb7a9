package pubsub

import (
	"time"

	"github.com/txredis/txredis/conn"
)

// Defaults used when the corresponding Options field is zero.
const (
	DefaultBufferSize   = 4096
	DefaultBlockTimeout = time.Second
	DefaultPingInterval = 30 * time.Second
	DefaultPingTimeout  = 10 * time.Second
)

// Overflow says what happens to a message that arrives while the delivery
// buffer is full.
type Overflow int

const (
	// Block makes the connection's reader wait for room in the buffer, at
	// most Options.BlockTimeout per message; a message that still finds no
	// room is dropped and counted. Nothing is lost while the consumer keeps
	// up, and a stuck consumer cannot stall the reader forever.
	Block Overflow = iota
	// Drop drops a message that finds the buffer full at once and counts
	// it: the newest messages are lost, never the reader's time.
	Drop
)

func (o Overflow) String() string {
	switch o {
	case Block:
		return "block"
	case Drop:
		return "drop"
	}
	return "unknown"
}

// Options configures a subscriber (or monitor) connection: the connection
// settings of conn.Options plus how messages are delivered.
//
// OnPush and PubSub of the embedded conn.Options are set by the package
// and must be left zero. OnState, when set, is still called for every state
// change, after the subscriber has handled it.
type Options struct {
	conn.Options

	// Channel selects channel delivery: messages go to the channel returned
	// by Messages instead of a Handler.
	Channel bool
	// BufferSize is how many messages may wait between the connection's
	// reader and the consumer (default 4096).
	BufferSize int
	// Overflow is the policy for a full buffer (default Block).
	Overflow Overflow
	// BlockTimeout bounds how long the reader waits for room in the buffer
	// under the Block policy (default 1s).
	BlockTimeout time.Duration

	// PingInterval is how often a PING is sent while connected, so that a
	// dead peer is noticed (default 30s; negative disables keepalive).
	PingInterval time.Duration
	// PingTimeout is how long a PING may wait for its reply before the
	// connection is considered dead, closed and redialled. It defaults to
	// ReplyTimeout when that is set, else 10s, and becomes the connection's
	// ReplyTimeout (only PING, QUIT and RESET wait for replies on a
	// subscriber connection).
	PingTimeout time.Duration

	// OnResubscribed, when not nil, is called after a lost connection was
	// redialled and every channel, pattern and shard channel the subscriber
	// held has been subscribed again and confirmed by the server. Messages
	// published while the connection was down are lost: this is the
	// application's signal that there was a gap. It runs on the
	// connection's reader goroutine (or, when nothing was subscribed, its
	// supervisor goroutine) and must not block.
	OnResubscribed func(channels, patterns, shardChannels []string)
}

func (o Options) withDefaults() Options {
	if o.BufferSize <= 0 {
		o.BufferSize = DefaultBufferSize
	}
	if o.BlockTimeout <= 0 {
		o.BlockTimeout = DefaultBlockTimeout
	}
	if o.PingInterval == 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.PingTimeout <= 0 {
		o.PingTimeout = o.ReplyTimeout
		if o.PingTimeout <= 0 {
			o.PingTimeout = DefaultPingTimeout
		}
	}
	return o
}

// Message is one published message.
type Message struct {
	// Pattern is the pattern that matched, for messages received through
	// PSubscribe; empty otherwise.
	Pattern string
	// Channel is the channel (or shard channel) the message was published to.
	Channel string
	// Payload is the message itself.
	Payload string
	// Shard is true for messages published with SPUBLISH and received
	// through SSubscribe.
	Shard bool
}

// Handler receives messages (txredisapi's SubscriberProtocol.messageReceived).
// MessageReceived is called from one delivery goroutine, one message at a
// time, in the order the server sent them; pattern is empty for messages
// that did not come through a pattern subscription.
type Handler interface {
	MessageReceived(pattern, channel, message string)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(pattern, channel, message string)

// MessageReceived calls f(pattern, channel, message).
func (f HandlerFunc) MessageReceived(pattern, channel, message string) { f(pattern, channel, message) }

// Confirmation is the server's answer to one channel of a subscribe or
// unsubscribe command (the original's [kind, channel, count]).
type Confirmation struct {
	// Kind is "subscribe", "unsubscribe", "psubscribe", "punsubscribe",
	// "ssubscribe" or "sunsubscribe".
	Kind string
	// Channel is the channel, pattern or shard channel; it is empty when an
	// unsubscribe of everything found nothing subscribed.
	Channel string
	// Count is how many subscriptions the connection holds afterwards (for
	// shard channels: how many shard channels).
	Count int64
}

// Stats is the shape every handle reports its counters in (conn.Stats).
// Subscribers and monitors fill the delivery counters (Received,
// Delivered, Dropped, Panics, Buffered) and their connection's counters;
// a Subscriber's Reconnects counts the resubscriptions after a lost
// connection.
type Stats = conn.Stats
