package cluster_test

import (
	"testing"
	"time"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pubsub"
)

// received collects messages from a subscriber's channel delivery.
func received(t *testing.T, ch <-chan pubsub.Message, publish func(i int), want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		publish(i)
		select {
		case m := <-ch:
			if m.Payload == want {
				return
			}
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("message %q not received within 10s", want)
}

func TestSubscriberReceivesPublishFromAnyNode(t *testing.T) {
	c, _ := connectReal(t, cluster.Options{})
	sub := c.Subscriber(pubsub.Options{Channel: true}, nil)
	t.Cleanup(func() { testutil.Wait(t, sub.Disconnect()) })
	testutil.Must(t, sub.Subscribe("news"))
	received(t, sub.Messages(), func(int) { c.Do("PUBLISH", "news", "hello") }, "hello")
}

func TestShardSubscriberFollowsItsSlotToANewOwner(t *testing.T) {
	c, tc := connectReal(t, cluster.Options{})
	const ch = "{shardnews}"
	msgs := make(chan pubsub.Message, 100)
	s := c.ShardSubscriber(pubsub.Options{}, pubsub.HandlerFunc(func(_, channel, msg string) {
		msgs <- pubsub.Message{Channel: channel, Payload: msg}
	}))
	t.Cleanup(func() { testutil.Wait(t, s.Disconnect()) })
	testutil.Must(t, s.SSubscribe(ch))
	slot := cluster.Slot(ch)
	owner, err := tc.Owner(slot)
	if err != nil {
		t.Fatal(err)
	}
	if s.Channels()[ch] != owner.Addr() {
		t.Fatalf("subscribed on %s, the slot's owner is %s", s.Channels()[ch], owner.Addr())
	}
	received(t, msgs, func(int) { c.Do("SPUBLISH", ch, "before") }, "before")

	masters, err := tc.Masters()
	if err != nil {
		t.Fatal(err)
	}
	var dst *testcluster.Node
	for _, m := range masters {
		if m != owner {
			dst = m
			break
		}
	}
	if err := tc.MoveSlot(slot, dst, 10, nil); err != nil {
		t.Fatal(err)
	}
	received(t, msgs, func(i int) { c.Do("SPUBLISH", ch, "after") }, "after")
	if s.Channels()[ch] != dst.Addr() {
		t.Fatalf("after the move subscribed on %s, want %s", s.Channels()[ch], dst.Addr())
	}
}
