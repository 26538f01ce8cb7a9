// Package pubsub is Redis publish/subscribe on dedicated subscriber
// connections (txredisapi's SubscriberProtocol and SubscriberFactory), and
// MONITOR (its MonitorProtocol). Subscriptions survive lost connections:
// the subscriber redials, subscribes again to everything it held and tells
// the application there was a gap.
//
// # Subscribing
//
// Connect dials and fires with a *Subscriber once connected; New returns
// one at once and connects in the background (requests made meanwhile wait
// for the dial). A Subscriber owns one connection (RESP2 or RESP3, as
// Options.Protocol says) that does nothing but subscribe: commands that are
// invalid in subscriber mode are not offered, and Do refuses them with
// ErrNotAllowed before sending. Publish through any other handle.
//
// Subscribe, PSubscribe and SSubscribe (sharded pub/sub, Redis 7) and
// their Unsubscribe counterparts return a Deferred that fires once the
// server has confirmed every channel, with one Confirmation{Kind, Channel,
// Count} per channel, the original's [kind, channel, count]. Unsubscribe
// with no arguments unsubscribes from everything of its kind. A subscribe
// without channels fails with conn.ErrBadArgs before anything is sent; a
// server refusal (an ACL NOPERM, say) fails that request with a
// *proto.Error. Channels, Patterns and ShardChannels return what the
// server has confirmed.
//
// # Delivery and slow consumers
//
// Messages reach a Handler (MessageReceived(pattern, channel, message),
// pattern empty except for pattern subscriptions; HandlerFunc adapts a
// function) or, with Options.Channel, the channel returned by Messages.
// Either way they are delivered one at a time, in the order the server
// sent them, by one delivery goroutine owned by the Subscriber.
//
// Between the connection's reader and that goroutine sits a bounded buffer
// of Options.BufferSize messages (default 4096). When it is full,
// Options.Overflow decides: Block (the default) makes the reader wait for
// room at most Options.BlockTimeout per message (default 1s), then drop
// it; Drop drops the newest message at once. Either way drops are counted
// (Dropped, Stats), and a slow or stuck consumer never stalls the reader
// forever, nor any other connection. Note that while the reader waits it
// reads nothing else, PING replies included: a consumer that stays behind
// for longer than PingTimeout gets its connection redialled, just as the
// server's client-output-buffer limit would cut it.
//
// # Reconnection
//
// When the connection is lost, every request still waiting for
// confirmations fails with a *conn.ConnectionError, and the connection's
// supervisor redials with backoff. Once connected again the subscriber
// subscribes again to every channel, pattern and shard channel the server
// had confirmed (minus those confirmed unsubscribed), then sends the
// requests made while the dial was in flight, and when the server has
// confirmed the resubscriptions it calls Options.OnResubscribed: messages
// published while the connection was down are lost, and the application
// may want to catch up from elsewhere.
//
// A PING is sent every Options.PingInterval (default 30s); one left
// unanswered for Options.PingTimeout (default ReplyTimeout, else 10s)
// breaks the connection, so a dead peer or a silent network is noticed
// and the subscriber recovers. Ping works subscribed or not, on RESP2 (where
// a subscribed connection answers ["pong", ""]) and RESP3.
//
// # Monitor
//
// ConnectMonitor puts a connection in MONITOR mode and hands every line
// the server reports to a function, through the same bounded buffer and
// overflow policy. Stop (or Disconnect) ends it. After a lost connection
// MONITOR is sent again.
//
// # Concurrency
//
// A Subscriber is safe for concurrent use. Its methods never block; their
// Deferreds fire on the connection's reader goroutine (confirmations) or
// at once (errors). The Handler runs on the delivery goroutine only, never
// concurrently with itself; it may call the Subscriber's methods,
// Disconnect included, but must not wait for Disconnect's Deferred.
// OnResubscribed and OnState run on the connection's goroutines and must
// not block. Disconnect discards buffered messages, waits for a Handler
// call in progress, closes the connection, closes the Messages channel and
// fires once every goroutine has ended.
package pubsub
