package pool

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/txredis/txredis/conn"
)

// Defaults used when the corresponding Options field is zero.
const (
	DefaultPoolSize         = 10
	DefaultMaxExclusive     = 100
	DefaultExtraIdleTimeout = 10 * time.Second
)

// Options configures a pool. The embedded conn.Options apply to every
// connection the pool makes, pooled and extra; its OnState hook is called
// for all of them. The zero value is a pool of 10 connections to
// localhost:6379, as txredisapi's ConnectionPool.
type Options struct {
	conn.Options
	// PoolSize is the number of pooled connections (default 10).
	PoolSize int
	// MaxExclusive caps the leases held at once, on pooled and extra
	// connections together (default 100). Beyond it a Lease, or a blocking
	// command, waits for LeaseTimeout and then fails with ErrExhausted.
	MaxExclusive int
	// LeaseTimeout is how long a Lease or a blocking command waits for a
	// lease when MaxExclusive leases are held (default ConnectTimeout).
	LeaseTimeout time.Duration
	// ExtraIdleTimeout is how long an extra connection whose lease ended
	// is kept for the next lease before it is closed (default 10s). A
	// negative value closes extra connections as soon as their lease ends.
	ExtraIdleTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.PoolSize <= 0 {
		o.PoolSize = DefaultPoolSize
	}
	if o.MaxExclusive <= 0 {
		o.MaxExclusive = DefaultMaxExclusive
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = conn.DefaultConnectTimeout
	}
	if o.LeaseTimeout <= 0 {
		o.LeaseTimeout = o.ConnectTimeout
	}
	if o.ExtraIdleTimeout == 0 {
		o.ExtraIdleTimeout = DefaultExtraIdleTimeout
	}
	if o.Addr == "" {
		o.Addr = conn.DefaultAddr
	}
	o.Hooks = slices.Clip(slices.Clone(o.Hooks))
	return o
}

// ErrExhausted matches the error of a Lease or blocking command that found
// MaxExclusive leases held and none released within LeaseTimeout (or
// before its context ended). Test with errors.Is(err, pool.ErrExhausted);
// errors.As finds the *ExhaustedError with the counts.
var ErrExhausted = errors.New("txredis/pool: no connection for exclusive use (MaxExclusive leases held)")

// ExhaustedError is the error ErrExhausted matches. It says what held the
// connections when the wait ended.
type ExhaustedError struct {
	Waited       time.Duration // how long the lease waited
	Leased       int           // leases held
	Blocking     int           // of which by blocking commands
	Transactions int           // of which by Lease callers (transactions)
	Dialing      int           // extra connections being dialled for leases
	MaxExclusive int
	Cause        error // the context's error when the wait was cut short by it, else nil
}

func (e *ExhaustedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "txredis/pool: no connection for exclusive use after %v: %d leased: %d blocking commands, %d transactions",
		e.Waited.Round(time.Millisecond), e.Leased, e.Blocking, e.Transactions)
	if e.Dialing > 0 {
		fmt.Fprintf(&b, ", %d dialing", e.Dialing)
	}
	fmt.Fprintf(&b, " (MaxExclusive %d)", e.MaxExclusive)
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Is reports ErrExhausted.
func (e *ExhaustedError) Is(target error) bool { return target == ErrExhausted }

// Unwrap returns the context's error, if any.
func (e *ExhaustedError) Unwrap() error { return e.Cause }

// Stats is a snapshot of a pool's counters, the shape every handle
// reports (conn.Stats): PoolSize, Open, Leased (Blocking, Transactions),
// Waiting, Pending, Extra, Conns, Dials, Failures and Reconnects apply.
type Stats = conn.Stats
