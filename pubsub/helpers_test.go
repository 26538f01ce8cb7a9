package pubsub_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pubsub"
)

// collector is a Handler that records every message.
type collector struct {
	mu   sync.Mutex
	msgs []pubsub.Message
}

func (c *collector) MessageReceived(pattern, channel, message string) {
	c.mu.Lock()
	c.msgs = append(c.msgs, pubsub.Message{Pattern: pattern, Channel: channel, Payload: message})
	c.mu.Unlock()
}

func (c *collector) snapshot() []pubsub.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]pubsub.Message(nil), c.msgs...)
}

// waitCount waits until at least n messages were received.
func (c *collector) waitCount(t testing.TB, n int) []pubsub.Message {
	t.Helper()
	var msgs []pubsub.Message
	testutil.Eventually(t, func() error {
		msgs = c.snapshot()
		if len(msgs) < n {
			return fmt.Errorf("%d of %d messages", len(msgs), n)
		}
		return nil
	})
	return msgs
}

// subscriber connects a Subscriber and disconnects it when the test ends.
func subscriber(t testing.TB, opts pubsub.Options, h pubsub.Handler) *pubsub.Subscriber {
	t.Helper()
	s := testutil.Must(t, pubsub.Connect(opts, h))
	t.Cleanup(func() { testutil.Wait(t, s.Disconnect()) })
	return s
}

// publisher connects a plain connection for PUBLISH.
func publisher(t testing.TB, opts conn.Options) *conn.Conn {
	t.Helper()
	c := testutil.Must(t, conn.Connect(opts))
	t.Cleanup(func() { testutil.Wait(t, c.Disconnect()) })
	return c
}
