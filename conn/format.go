package conn

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/txredis/txredis/internal/plumb"
)

// Printing. Options and every handle print a readable form with every fmt
// verb (%v, %+v, %#v, %s, %q, %x, ...) and through slog (LogValue), and
// none of them ever shows a password: Options print it as [redacted], and
// handles print their address and state, as txredisapi's repr does:
//
//	conn.Conn{127.0.0.1:6379 db=0 connected pending=3}

// String returns the options in a readable form: the fields that are set,
// with the password shown as [redacted] and hooks as "set".
func (o Options) String() string {
	var b strings.Builder
	b.WriteString("conn.Options{")
	o.writeFields(&b)
	b.WriteString("}")
	return b.String()
}

// Format writes String's form for every verb: no verb prints the fields
// as they are.
func (o Options) Format(f fmt.State, verb rune) { plumb.WriteFormatted(f, verb, o.String()) }

// LogValue is String's form, for slog: the password redacted.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }

// writeFields writes the fields of o that are set, space-separated.
func (o Options) writeFields(b *strings.Builder) {
	sep := false
	field := func(name, value string) {
		if sep {
			b.WriteByte(' ')
		}
		sep = true
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(value)
	}
	addr := plumb.RedactAddr(o.Addr)
	if addr == "" {
		addr = DefaultAddr
	}
	field("Addr", addr)
	if o.DB != 0 {
		field("DB", strconv.Itoa(o.DB))
	}
	if o.Username != "" {
		field("Username", o.Username)
	}
	if o.Password != "" {
		field("Password", plumb.Redacted)
	}
	if o.ClientName != "" {
		field("ClientName", o.ClientName)
	}
	if o.ReadOnly {
		field("ReadOnly", "true")
	}
	if o.Protocol != 0 {
		field("Protocol", strconv.Itoa(o.Protocol))
	}
	if o.TLS != nil {
		field("TLS", "true")
	}
	durations := []struct {
		name string
		d    time.Duration
	}{{"ConnectTimeout", o.ConnectTimeout}, {"ReplyTimeout", o.ReplyTimeout}}
	for _, d := range durations {
		if d.d != 0 {
			field(d.name, d.d.String())
		}
	}
	if o.NoReconnect {
		field("NoReconnect", "true")
	}
	ints := []struct {
		name string
		n    int64
	}{
		{"ReadBufferSize", int64(o.ReadBufferSize)}, {"MaxBulk", int64(o.MaxBulk)}, {"MaxElems", int64(o.MaxElems)},
		{"MaxLine", int64(o.MaxLine)}, {"MaxReplyMemory", o.MaxReplyMemory},
	}
	for _, n := range ints {
		if n.n != 0 {
			field(n.name, strconv.FormatInt(n.n, 10))
		}
	}
	if o.PubSub {
		field("PubSub", "true")
	}
	hooks := []struct {
		name string
		set  bool
	}{
		{"Backoff", o.Backoff != nil}, {"OnState", o.OnState != nil}, {"Logger", o.Logger != nil},
		{"Dialer", o.Dialer != nil}, {"OnPush", o.OnPush != nil},
	}
	for _, h := range hooks {
		if h.set {
			field(h.name, "set")
		}
	}
}

// Format writes the handle's readable form for every verb: a handle that
// embeds the command set (every one does) prints its String, or its type
// and address. No verb prints a handle's fields, options included.
func (c Commands) Format(f fmt.State, verb rune) { plumb.WriteFormatted(f, verb, c.describe()) }

// LogValue is the handle's readable form, for slog.
func (c Commands) LogValue() slog.Value { return slog.StringValue(c.describe()) }

func (c Commands) describe() string {
	if c.s == nil {
		return "conn.Commands{}"
	}
	h := c.Sender()
	if s, ok := h.(fmt.Stringer); ok {
		return s.String()
	}
	name := strings.TrimPrefix(fmt.Sprintf("%T", h), "*")
	if a, ok := h.(interface{ Addr() string }); ok {
		return name + "{" + a.Addr() + "}"
	}
	return name + "{}"
}

// String returns the connection's address, database, state, and the
// replies it awaits: conn.Conn{127.0.0.1:6379 db=0 connected pending=3}.
func (c *Conn) String() string {
	c.mu.Lock()
	state, leased := c.state.load(), c.leased != nil
	c.mu.Unlock()
	var b strings.Builder
	b.WriteString("conn.Conn{")
	b.WriteString(c.opts.Addr)
	b.WriteString(" db=")
	b.WriteString(strconv.Itoa(c.opts.DB))
	b.WriteByte(' ')
	b.WriteString(state.String())
	if leased {
		b.WriteString(" leased")
	}
	b.WriteString(" pending=")
	b.WriteString(strconv.Itoa(c.Pending()))
	b.WriteString("}")
	return b.String()
}

// String returns the leased connection's address and whether the lease
// is active, released or broken (its socket lost).
func (l *Lease) String() string {
	c := l.c
	c.mu.Lock()
	state := "active"
	switch {
	case l.released:
		state = "released"
	case c.gen != l.gen || c.state.load() != StateConnected:
		state = "broken"
	}
	c.mu.Unlock()
	return "conn.Lease{" + c.opts.Addr + " db=" + strconv.Itoa(c.opts.DB) + " " + state + "}"
}

// Format writes String's form for every verb.
func (l *Lease) Format(f fmt.State, verb rune) { plumb.WriteFormatted(f, verb, l.String()) }

// LogValue is String's form, for slog.
func (l *Lease) LogValue() slog.Value { return slog.StringValue(l.String()) }

// String returns the Tx's connection address, where it is (watching,
// multi, done) and how many commands the server has queued.
func (tx *Tx) String() string {
	tx.mu.Lock()
	state, queued := tx.state, len(tx.queued)
	tx.mu.Unlock()
	name := "done"
	switch state {
	case txWatching:
		name = "watching"
	case txMulti:
		name = "multi"
	}
	return "conn.Tx{" + tx.lease.c.opts.Addr + " " + name + " queued=" + strconv.Itoa(queued) + "}"
}

// String returns how many commands the Pipeline holds, or that it was
// executed.
func (p *Pipeline) String() string {
	p.mu.Lock()
	n, done := p.lenLocked(), p.done
	p.mu.Unlock()
	if done {
		return "conn.Pipeline{executed}"
	}
	return "conn.Pipeline{buffered=" + strconv.Itoa(n) + "}"
}
