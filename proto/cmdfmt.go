package proto

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// Format writes String's form, passwords masked, for every verb: no verb
// prints the encoded arguments as they are.
func (c *Cmd) Format(f fmt.State, verb rune) {
	s := c.String()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// LogValue is String's form, for slog.
func (c *Cmd) LogValue() slog.Value { return slog.StringValue(c.String()) }
