package txn

import (
	"context"
	"errors"
	"strconv"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
)

// Tx is one transaction on one leased connection: see conn.Tx. Get one
// with Multi or Watch on a Conn or a pool.
type Tx = conn.Tx

// Pipeline is a buffer of commands sent together by Execute: see
// conn.Pipeline. Get one with Pipeline on any handle.
type Pipeline = conn.Pipeline

// The errors of transactions and pipelines; test for them with errors.Is.
var (
	// ErrWatch matches a transaction the server did not run because a
	// watched key changed: Commit and the queued commands fail with it.
	ErrWatch = conn.ErrWatch
	// ErrTxDone matches a Tx or Pipeline used after it ended.
	ErrTxDone = conn.ErrTxDone
	// ErrNotInMulti matches Commit on a Tx that never called Multi.
	ErrNotInMulti = conn.ErrNotInMulti
	// ErrDiscarded matches the commands queued in a discarded transaction.
	ErrDiscarded = conn.ErrDiscarded
	// ErrNoLease matches Multi or Watch on a handle that cannot lend a
	// connection (a Tx, a Pipeline).
	ErrNoLease = conn.ErrNoLease
)

// Watcher is a handle that opens transactions watching keys: a
// *conn.Conn or a *pool.Pool (any handle embedding conn.Commands over a
// conn.Leaser).
type Watcher interface {
	Watch(keys ...string) *deferred.Deferred[*Tx]
}

// DefaultMaxAttempts is how many times Watch runs its function before it
// gives up with ErrWatch, unless MaxAttempts says otherwise.
const DefaultMaxAttempts = 10

// Option configures Watch.
type Option func(*config)

type config struct {
	maxAttempts int
}

// MaxAttempts sets how many times Watch runs its function before it
// gives up with ErrWatch (default DefaultMaxAttempts; values below 1
// mean 1).
func MaxAttempts(n int) Option {
	return func(c *config) {
		if n < 1 {
			n = 1
		}
		c.maxAttempts = n
	}
}

// Watch runs an optimistic-locking transaction and retries it while a
// watched key changes under it. Each attempt opens a Tx watching keys on
// rc (rc.Watch) and calls fn with it. fn reads what it needs through the
// Tx (before Multi, commands run at once and may be waited for), calls
// tx.Multi() and queues its writes; Watch then commits. fn may also
// commit or discard the Tx itself. When the commit fails with ErrWatch
// (or fn returns an error matching it), Watch tries again, at most
// MaxAttempts times in all, and then returns an error matching ErrWatch.
//
// fn returning nil without calling Multi ends the attempt without a
// transaction (UNWATCH) and Watch returns nil. Any other error, from fn
// or from the server, ends the Tx (its connection is handed back clean)
// and is returned as it is. Watch blocks: it waits for each step with
// ctx and returns ctx's error if ctx ends first (a commit already sent
// still completes on the server).
func Watch(ctx context.Context, rc Watcher, keys []string, fn func(tx *Tx) error, opts ...Option) error {
	cfg := config{maxAttempts: DefaultMaxAttempts}
	for _, o := range opts {
		o(&cfg)
	}
	for attempt := 1; ; attempt++ {
		err := attemptOnce(ctx, rc, keys, fn)
		if err == nil || !errors.Is(err, ErrWatch) {
			return err
		}
		if attempt >= cfg.maxAttempts {
			return &retryError{attempts: attempt, err: err}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// attemptOnce is one attempt of Watch.
func attemptOnce(ctx context.Context, rc Watcher, keys []string, fn func(tx *Tx) error) error {
	d := rc.Watch(keys...)
	tx, err := d.Wait(ctx)
	if err != nil {
		if ctx.Err() != nil {
			d.Cancel() // a Tx that still arrives is discarded
		}
		return err
	}
	ended := false
	defer func() {
		if !ended {
			tx.Discard() // fn panicked: hand the connection back
		}
	}()
	if err := fn(tx); err != nil {
		ended = true
		// Wait for the connection to be handed back, so that the caller's
		// next command on a single Conn does not meet ErrLeased.
		_, _ = tx.Discard().Wait(ctx)
		return err
	}
	ended = true
	_, err = tx.Commit().Wait(ctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotInMulti): // fn decided there is nothing to write
		_, err = tx.Discard().Wait(ctx)
		return err
	case errors.Is(err, ErrTxDone): // fn committed or discarded itself: its outcome counts
		_, err = tx.Done().Wait(ctx)
		return err
	}
	return err
}

// retryError is Watch giving up: it matches ErrWatch.
type retryError struct {
	attempts int
	err      error
}

func (e *retryError) Error() string {
	return "txredis/txn: gave up after " + strconv.Itoa(e.attempts) + " attempts: " + e.err.Error()
}

func (e *retryError) Unwrap() error { return e.err }
