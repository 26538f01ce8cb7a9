package conn

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// WithContext returns the command set of the handle bound to ctx (a
// context view). Commands sent through it carry ctx to the hooks
// (Options.Hooks), so that a tracer attaches them to the caller's trace.
// When ctx ends, the commands sent through the view and not yet answered
// are cancelled: their Deferreds fail at once with an error that matches
// both the context's error (errors.Is(err, context.DeadlineExceeded)) and
// deferred.ErrCancelled. As with Cancel, a cancelled command's reply is
// still read and dropped, so the connection stays in step, and a command
// already written may still run on the server. Commands sent after ctx
// ended fail at once and are not sent.
//
// A context that can never end (context.Background, or one made with
// context.WithValue alone) costs nothing per command. With one that can,
// the view holds one registration on the context (context.AfterFunc)
// while any of its commands is pending, and one small allocation per
// command. Transactions and pipelines started from the view lease and
// report under ctx; the view honours ctx when a lease has to wait.
func (c Commands) WithContext(ctx context.Context) Commands {
	if ctx == nil {
		panic("txredis/conn: WithContext with a nil Context")
	}
	v := &view{s: c.s, ctx: ctx, done: ctx.Done()}
	if v.done != nil {
		v.cancelFn = v.cancelAll
	}
	return NewCommands(v)
}

// contextOf returns the context of a view, or context.Background.
func contextOf(s Sender) context.Context {
	if v, ok := s.(*view); ok {
		return v.ctx
	}
	return context.Background()
}

// view is a Sender that binds a context to the commands sent through it
// and cancels them when the context ends.
type view struct {
	s    Sender          // immutable
	ctx  context.Context // immutable
	done <-chan struct{} // ctx.Done(); nil when ctx never ends
	// cancelFn is cancelAll, bound once: registering it allocates no closure.
	cancelFn func()

	mu sync.Mutex // protects the fields below
	// live holds the commands sent and not yet resolved, each at its
	// index; stop is the context.AfterFunc registration, set while live
	// is not empty; err is the cancellation error once ctx has ended.
	live []*bound
	stop func() bool
	err  error
}

// bound is the Resolver of a command sent through a view: whichever
// comes first of its reply and the end of the context resolves r, and
// the other is dropped.
type bound struct {
	v     *view
	r     Resolver
	idx   int // in v.live; -1 once removed; protected by v.mu
	fired atomic.Bool
}

func (b *bound) Resolve(val proto.Value, err error) {
	b.v.remove(b)
	if b.fired.CompareAndSwap(false, true) {
		b.r.Resolve(val, err)
	}
}

// Send binds the view's context to cmd and sends it through the handle,
// to be cancelled when the context ends.
func (v *view) Send(cmd *proto.Cmd, r Resolver) {
	v.bind(cmd)
	if v.done == nil {
		v.s.Send(cmd, r)
		return
	}
	v.mu.Lock()
	err := v.errLocked()
	var b *bound
	if err == nil {
		b = v.trackLocked(r)
	}
	v.mu.Unlock()
	if err != nil {
		cmd.Release()
		r.Resolve(proto.Value{}, err)
		return
	}
	v.s.Send(cmd, b)
}

// bind gives cmd the view's context unless it has one already: the view
// closest to the caller (or the pipeline cmd is part of) decides.
func (v *view) bind(cmd *proto.Cmd) {
	if cmd.Context() == nil {
		cmd.SetContext(v.ctx)
	}
}

// SendBatch sends cmds as Send does, as one unit when the handle is a
// BatchSender.
func (v *view) SendBatch(cmds []*proto.Cmd, rs []Resolver) {
	for _, cmd := range cmds {
		v.bind(cmd)
	}
	if v.done != nil {
		v.mu.Lock()
		err := v.errLocked()
		if err != nil {
			v.mu.Unlock()
			for i, cmd := range cmds {
				cmd.Release()
				rs[i].Resolve(proto.Value{}, err)
			}
			return
		}
		bs := make([]Resolver, len(rs))
		for i, r := range rs {
			bs[i] = v.trackLocked(r)
		}
		v.mu.Unlock()
		rs = bs
	}
	if b, ok := v.s.(BatchSender); ok {
		b.SendBatch(cmds, rs)
		return
	}
	for i, cmd := range cmds {
		v.s.Send(cmd, rs[i])
	}
}

// Lease leases from the handle with ctx (the context of the
// transaction's Multi or Watch), or fails with ErrNoLease when the
// handle cannot lend a connection.
func (v *view) Lease(ctx context.Context) *deferred.Deferred[*Lease] {
	if l, ok := handleOf(v.s).(Leaser); ok {
		return l.Lease(ctx)
	}
	return deferred.Fail[*Lease](ErrNoLease)
}

// HookTarget is the handle's.
func (v *view) HookTarget() HookTarget { return hookTargetOf(v.s) }

// errLocked returns the cancellation error once the context has ended.
func (v *view) errLocked() error {
	if v.err == nil {
		select {
		case <-v.done:
			v.err = contextError(v.ctx)
		default:
		}
	}
	return v.err
}

// trackLocked registers r as pending and returns its bound Resolver; the
// first pending command registers the view on the context.
func (v *view) trackLocked(r Resolver) *bound {
	b := &bound{v: v, r: r, idx: len(v.live)}
	v.live = append(v.live, b)
	if v.stop == nil {
		v.stop = context.AfterFunc(v.ctx, v.cancelFn)
	}
	return b
}

// remove unregisters b; the last pending command drops the view's
// registration on the context.
func (v *view) remove(b *bound) {
	v.mu.Lock()
	if i := b.idx; i >= 0 {
		last := len(v.live) - 1
		moved := v.live[last]
		v.live[i], moved.idx = moved, i
		v.live[last] = nil
		v.live = v.live[:last]
		b.idx = -1
		if last == 0 && v.stop != nil {
			v.stop()
			v.stop = nil
			v.live = nil // release the memory of a burst
		}
	}
	v.mu.Unlock()
}

// cancelAll runs when the context ends: every pending command fails with
// the context's error.
func (v *view) cancelAll() {
	v.mu.Lock()
	err := v.errLocked()
	live := v.live
	v.live, v.stop = nil, nil
	for _, b := range live {
		b.idx = -1
	}
	v.mu.Unlock()
	for _, b := range live {
		if b.fired.CompareAndSwap(false, true) {
			b.r.Resolve(proto.Value{}, err)
		}
	}
}

// contextError is the error of a command cancelled because ctx ended.
func contextError(ctx context.Context) error {
	err := ctx.Err()
	if err == nil {
		err = context.Canceled
	}
	cause := context.Cause(ctx)
	if cause == nil {
		cause = err
	}
	return &cancelError{err: err, cause: cause}
}

// cancelError matches deferred.ErrCancelled, the context's error and the
// context's cause.
type cancelError struct {
	err   error // ctx.Err()
	cause error // context.Cause(ctx); may be err
}

func (e *cancelError) Error() string {
	return "txredis/conn: cancelled by its context: " + e.cause.Error()
}

func (e *cancelError) Unwrap() []error {
	if errors.Is(e.cause, e.err) {
		return []error{deferred.ErrCancelled, e.err}
	}
	return []error{deferred.ErrCancelled, e.err, e.cause}
}
