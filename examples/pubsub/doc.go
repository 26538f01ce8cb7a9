// Command pubsub is txredisapi's publish/subscribe in Go: a subscriber
// connection (txredisapi's SubscriberProtocol) subscribes to a channel and
// a pattern, a connection pool publishes a few messages, and the handler
// (its messageReceived) prints each one it receives. Then the subscriber
// unsubscribes from everything and both disconnect.
//
//	go run ./examples/pubsub [-addr host:port]
package main
