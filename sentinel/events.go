package sentinel

import (
	"strings"

	"github.com/txredis/txredis/pubsub"
)

// subscribe follows +switch-master on the sentinel at addr.
func (c *Client) subscribe(addr string) *pubsub.Subscriber {
	sub := pubsub.New(pubsub.Options{
		Options:        c.sn.connOptions(addr),
		OnResubscribed: func(_, _, _ []string) { c.trigger() }, // events may have been missed
	}, pubsub.HandlerFunc(c.onMessage))
	sub.Subscribe("+switch-master")
	return sub
}

// onMessage receives +switch-master: "<name> <old ip> <old port> <new ip>
// <new port>".
func (c *Client) onMessage(_, channel, msg string) {
	if channel != "+switch-master" {
		return
	}
	if f := strings.Fields(msg); len(f) == 5 && f[0] == c.name {
		c.trigger()
	}
}
