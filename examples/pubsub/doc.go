// Command pubsub is txredisapi's publish/subscribe in Go: a subscriber
// connection (txredisapi's SubscriberProtocol) subscribes to a channel and
// a pattern, a connection pool publishes a few messages, and the handler
// (its messageReceived) prints each one it receives. Then the subscriber
// unsubscribes from everything and both disconnect.
//
//	go run ./examples/pubsub [-addr host:port|redis://host:port/db]
//
// It writes no key. On a real server it publishes on the channels
// txredis:example:news, txredis:example:news.sport and
// txredis:example:news.weather, which no subscriber of yours hears unless
// it listens there.
package main
