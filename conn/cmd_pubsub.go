package conn

import (
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// Subscribing (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBE
// forms) turns a connection into a subscriber: that is the pubsub
// package's. These are the commands any handle may send.

// Publish posts message to channel and fires with how many clients
// received it.
func (c Commands) Publish(channel, message string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("PUBLISH").Arg(channel).Arg(message), asInt)
}

// SPublish posts message to the shard channel (routed as a key in a
// cluster) and fires with how many clients received it.
func (c Commands) SPublish(shardChannel, message string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("SPUBLISH").Key(shardChannel).Arg(message), asInt)
}

// PubSubChannels fires with the active channels matching pattern ("":
// all), unordered.
func (c Commands) PubSubChannels(pattern string) *deferred.Deferred[[]string] {
	cmd := proto.NewCmd("PUBSUB").Arg("CHANNELS")
	if pattern != "" {
		cmd.Arg(pattern)
	}
	return request(c.s, cmd, asStrings)
}

// PubSubShardChannels fires with the active shard channels matching
// pattern ("": all).
func (c Commands) PubSubShardChannels(pattern string) *deferred.Deferred[[]string] {
	cmd := proto.NewCmd("PUBSUB").Arg("SHARDCHANNELS")
	if pattern != "" {
		cmd.Arg(pattern)
	}
	return request(c.s, cmd, asStrings)
}

// PubSubNumSub fires with the number of subscribers of each channel.
func (c Commands) PubSubNumSub(channels ...string) *deferred.Deferred[map[string]int64] {
	cmd := proto.NewCmd("PUBSUB").Arg("NUMSUB")
	for _, ch := range channels {
		cmd.Arg(ch)
	}
	return request(c.s, cmd, asCounts)
}

// PubSubShardNumSub fires with the number of subscribers of each shard
// channel.
func (c Commands) PubSubShardNumSub(channels ...string) *deferred.Deferred[map[string]int64] {
	cmd := proto.NewCmd("PUBSUB").Arg("SHARDNUMSUB")
	for _, ch := range channels {
		cmd.Arg(ch)
	}
	return request(c.s, cmd, asCounts)
}

// PubSubNumPat fires with the number of pattern subscriptions.
func (c Commands) PubSubNumPat() *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("PUBSUB").Arg("NUMPAT"), asInt)
}

// asCounts converts name, count pairs (a RESP2 flat array or RESP3 map).
func asCounts(v proto.Value) (map[string]int64, error) {
	m := map[string]int64{}
	err := fields(v, func(k string, e proto.Value) error {
		n, err := e.AsInt()
		m[k] = n
		return err
	})
	return m, err
}
