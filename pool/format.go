package pool

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/txredis/txredis/handle"
)

// String returns the pool's options in a readable form, the password
// shown as [redacted] (see conn.Options.String).
func (o Options) String() string {
	var b strings.Builder
	b.WriteString("pool.Options{")
	if o.PoolSize != 0 {
		b.WriteString("PoolSize:" + strconv.Itoa(o.PoolSize) + " ")
	}
	if o.MaxExclusive != 0 {
		b.WriteString("MaxExclusive:" + strconv.Itoa(o.MaxExclusive) + " ")
	}
	if o.LeaseTimeout != 0 {
		b.WriteString("LeaseTimeout:" + o.LeaseTimeout.String() + " ")
	}
	if o.ExtraIdleTimeout != 0 {
		b.WriteString("ExtraIdleTimeout:" + o.ExtraIdleTimeout.String() + " ")
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

// String returns the pool's address, database, size and counters:
// pool.Pool{127.0.0.1:6379 db=0 size=10 open=10 leased=1 pending=3}.
// Like every handle, it prints this form with every fmt verb and through
// slog, never its options.
func (p *Pool) String() string {
	s := p.Stats()
	return "pool.Pool{" + p.opts.Addr + " db=" + strconv.Itoa(p.opts.DB) +
		" size=" + strconv.Itoa(s.PoolSize) + " open=" + strconv.Itoa(s.Open) +
		" leased=" + strconv.Itoa(s.Leased) + " pending=" + strconv.Itoa(s.Pending) + "}"
}
