package pubsub

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/handle"
)

// String returns the subscriber options in a readable form, the password
// shown as [redacted] (see conn.Options.String).
func (o Options) String() string {
	var b strings.Builder
	b.WriteString("pubsub.Options{")
	if o.Channel {
		b.WriteString("Channel:true ")
	}
	if o.BufferSize != 0 {
		b.WriteString("BufferSize:" + strconv.Itoa(o.BufferSize) + " ")
	}
	b.WriteString("Overflow:" + o.Overflow.String() + " ")
	if o.PingInterval != 0 {
		b.WriteString("PingInterval:" + o.PingInterval.String() + " ")
	}
	b.WriteString(o.Options.String())
	b.WriteString("}")
	return b.String()
}

// Format writes String's form for every verb: no verb prints the fields
// as they are.
func (o Options) Format(f fmt.State, verb rune) { handle.WriteFormatted(f, verb, o.String()) }

// LogValue is String's form, for slog.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }

// String returns the subscriber's address, state and subscriptions:
// pubsub.Subscriber{127.0.0.1:6379 connected channels=2 patterns=1 shard=0}.
func (s *Subscriber) String() string {
	s.mu.Lock()
	addr, state := s.opts.Addr, s.state
	if s.c != nil {
		addr = s.c.Addr()
	}
	n := [numFamilies]int{}
	for f := range s.tracked {
		n[f] = len(s.tracked[f])
	}
	s.mu.Unlock()
	if addr == "" {
		addr = conn.DefaultAddr
	}
	addr = handle.RedactAddr(addr) // a URL before the first dial
	return "pubsub.Subscriber{" + addr + " " + state.String() +
		" channels=" + strconv.Itoa(n[famChannel]) + " patterns=" + strconv.Itoa(n[famPattern]) +
		" shard=" + strconv.Itoa(n[famShard]) + "}"
}

// Format writes String's form for every verb: no verb prints the
// subscriber's fields, options included.
func (s *Subscriber) Format(f fmt.State, verb rune) { handle.WriteFormatted(f, verb, s.String()) }

// LogValue is String's form, for slog.
func (s *Subscriber) LogValue() slog.Value { return slog.StringValue(s.String()) }

// String returns the monitor's address and state.
func (m *Monitor) String() string {
	if m.c == nil {
		return "pubsub.Monitor{}"
	}
	return "pubsub.Monitor{" + m.c.Addr() + " " + m.c.State().String() + "}"
}

// Format writes String's form for every verb.
func (m *Monitor) Format(f fmt.State, verb rune) { handle.WriteFormatted(f, verb, m.String()) }

// LogValue is String's form, for slog.
func (m *Monitor) LogValue() slog.Value { return slog.StringValue(m.String()) }
