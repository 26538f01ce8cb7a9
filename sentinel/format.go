package sentinel

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/txredis/txredis/handle"
)

// String returns the group's name, the master's address ("none" while
// none is known), how many replicas are in the rotation and how many
// sentinels the client asks:
// sentinel.Client{mymaster master=10.0.0.5:6379 replicas=2 sentinels=3}.
// Like every handle, it prints this form with every fmt verb and through
// slog (the embedded command set's Format), never its options or a
// password.
func (c *Client) String() string {
	master := c.MasterAddr()
	if master == "" {
		master = "none"
	}
	replicas := len(c.Replicas())
	sentinels := 0
	if c.sn != nil {
		sentinels = len(c.sn.addrs)
	}
	return "sentinel.Client{" + c.name + " master=" + handle.RedactAddr(master) +
		" replicas=" + strconv.Itoa(replicas) + " sentinels=" + strconv.Itoa(sentinels) + "}"
}

// Format writes String's form for every verb.
func (c *Client) Format(f fmt.State, verb rune) { handle.WriteFormatted(f, verb, c.String()) }

// LogValue is String's form, for slog.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }
