package conn

import (
	"bufio"
	"context"
	"net"
	"sync"
	"time"

	"github.com/txredis/txredis/proto"
)

// A Hook observes what the client does: every command a connection sends
// (on any handle: Conn, pool, lazy, sharded, cluster and sentinel handles,
// transactions, pipelines, subscribers), every explicit pipeline and
// transaction as a whole, every dial with its handshake, and every wait
// of a pool for a connection to lease. Install hooks with Options.Hooks;
// the handles built on conn.Options (pool, shard, cluster, sentinel,
// pubsub) pass them on to every connection they make.
//
// Start is called as an operation begins, on the goroutine that begins
// it, and returns the context End receives; the operations it contains
// (the commands of a pipeline or transaction, the handshake of a dial)
// start under the context returned by the last hook. End is called
// exactly once when the operation is over, with Duration and Err set, on
// the goroutine that ended it — for a reply, the connection's reader
// goroutine, before the command's callbacks run. Neither may block; a
// panic in a hook is recovered and ignored. The Op is valid only during
// the call: a hook must copy what it keeps.
//
// With no hook installed nothing of this runs: the cost is one nil
// check per command.
type Hook interface {
	Start(ctx context.Context, op *Op) context.Context
	End(ctx context.Context, op *Op)
}

// OpKind is what an Op is.
type OpKind uint8

// The kinds of operations hooks see.
const (
	// OpCommand is one command sent to a server: Name is its name
	// ("GET"), Cmd the command during Start. It ends when its reply (or
	// error) arrives; Err is a *proto.Error for an error reply. Inside a
	// transaction it ends with its own result, when EXEC answers.
	OpCommand OpKind = iota + 1
	// OpPipeline is an explicit pipeline (Pipeline.Execute): Cmds holds
	// its commands during Start, Size their number, Name is "PIPELINE",
	// or "PIPELINE GET" when all are GETs. Its commands are reported
	// each as an OpCommand with Batched set, under its context. Err is
	// the first connection error, as Execute reports it.
	OpPipeline
	// OpTransaction is a MULTI/EXEC transaction, from MULTI to the reply
	// to EXEC or DISCARD: Name is "MULTI" at Start and, at End, "MULTI
	// INCR" when every queued command was an INCR; Size is the number of
	// queued commands at End. Err is what Commit fails with (ErrWatch,
	// the server's EXECABORT, a connection error), ErrDiscarded after a
	// Discard.
	OpTransaction
	// OpDial is one dial of a connection with its handshake (HELLO,
	// AUTH, SELECT, CLIENT SETNAME, READONLY), whose commands are
	// reported as OpCommands under its context. Attempt numbers the
	// consecutive failed dials before it; Reconnect is set when the
	// connection had been up before.
	OpDial
	// OpLease is a pool's wait for a connection to lend (a transaction
	// or a blocking command); Err is pool.ErrExhausted when none came.
	OpLease
)

func (k OpKind) String() string {
	switch k {
	case OpCommand:
		return "command"
	case OpPipeline:
		return "pipeline"
	case OpTransaction:
		return "transaction"
	case OpDial:
		return "dial"
	case OpLease:
		return "lease"
	}
	return "unknown"
}

// Op describes one operation to hooks. See OpKind for what each kind
// sets.
type Op struct {
	Kind OpKind
	// Name is the upper-case command name for OpCommand, "PIPELINE..."
	// or "MULTI..." for batches, empty for dials and leases.
	Name string
	// Cmd is the command of an OpCommand and Cmds the commands of an
	// OpPipeline, during Start only (nil at End). Their arguments may
	// hold secrets: Cmd.String masks passwords.
	Cmd  *proto.Cmd
	Cmds []*proto.Cmd
	// Size is the number of commands of a pipeline or transaction.
	Size int
	// Batched is set on a command that is part of a pipeline or
	// transaction reported on its own (metrics count the batch once).
	Batched bool
	// Addr is the address of the server ("host:port" or a unix socket
	// path), for a command the node that answered; empty when the
	// handle spans several servers (a pipeline on a sharded handle).
	Addr string
	// DB is the database index the connection selected at connect.
	DB int
	// Attempt and Reconnect describe a dial (OpDial).
	Attempt   int
	Reconnect bool
	// Start is when the operation began; Duration and Err are set for End.
	Start    time.Time
	Duration time.Duration
	Err      error
}

// HookTarget is what a handle reports to hooks about where its commands
// go: its hooks, and the server address and database when there is one
// (Addr is empty for handles that span several servers).
//
// For handle writers (see "Writing a handle" in the package documentation).
type HookTarget struct {
	Hooks []Hook
	Addr  string
	DB    int
}

// Hooked is implemented by the handles whose commands reach hooks: every
// handle of the module. Pipeline uses it to report itself.
//
// For handle writers (see "Writing a handle" in the package documentation).
type Hooked interface {
	HookTarget() HookTarget
}

// HookTarget returns the connection's hooks, address and database.
func (c *Conn) HookTarget() HookTarget {
	return HookTarget{Hooks: c.opts.Hooks, Addr: c.opts.Addr, DB: c.opts.DB}
}

// HookTarget returns the hooks, address and database of the leased
// connection.
func (l *Lease) HookTarget() HookTarget { return l.c.HookTarget() }

// hookTargetOf returns what s reports to hooks; the zero HookTarget when
// s does not say.
func hookTargetOf(s Sender) HookTarget {
	if h, ok := handleOf(s).(Hooked); ok {
		return h.HookTarget()
	}
	return HookTarget{}
}

// ActiveOp is an operation reported to hooks and not yet ended. The
// zero ActiveOp (no hooks) does nothing. End must be called exactly once
// on an ActiveOp that StartOp returned; it must not be used afterwards.
//
// For handle writers (see "Writing a handle" in the package documentation).
type ActiveOp struct{ r *opRun }

// StartOp reports op to hooks (calling each Start in order) and returns
// it running; with no hooks it returns the zero ActiveOp at once. Handles
// built on this package use it for the operations they run themselves.
//
// For handle writers (see "Writing a handle" in the package documentation).
func StartOp(ctx context.Context, hooks []Hook, op Op) ActiveOp {
	if len(hooks) == 0 {
		return ActiveOp{}
	}
	r := newOpRun(hooks)
	r.op = op
	r.start(ctx)
	return ActiveOp{r}
}

// Context returns the context the operations inside a runs under (the
// one the last hook's Start returned), or nil for the zero ActiveOp.
func (a ActiveOp) Context() context.Context {
	if a.r == nil {
		return nil
	}
	return a.r.context()
}

// End reports that the operation ended with err.
func (a ActiveOp) End(err error) {
	if a.r != nil {
		a.r.end(err)
	}
}

// opRun is one operation in progress. It is also the Resolver of an
// observed command, passing the reply on to next after End. Runs are
// pooled: a run belongs to its operation from newOpRun to end.
type opRun struct {
	op    Op
	hooks []Hook
	ctxs  []context.Context // ctxs[i]: what hooks[i].Start returned
	next  Resolver          // commands: where the reply goes after End
}

var opRuns = sync.Pool{New: func() any { return new(opRun) }}

func newOpRun(hooks []Hook) *opRun {
	r := opRuns.Get().(*opRun)
	r.hooks = hooks
	return r
}

// start stamps the start time and calls every Start in order, each with
// the context the previous one returned.
func (r *opRun) start(ctx context.Context) {
	if ctx == nil {
		ctx = context.Background()
	}
	r.op.Start = time.Now()
	r.ctxs = r.ctxs[:0]
	for _, h := range r.hooks {
		ctx = callStart(h, ctx, &r.op)
		r.ctxs = append(r.ctxs, ctx)
	}
	r.op.Cmd, r.op.Cmds = nil, nil
}

func (r *opRun) context() context.Context { return r.ctxs[len(r.ctxs)-1] }

// end sets the outcome, calls every End in reverse order and recycles r.
func (r *opRun) end(err error) {
	r.op.Duration = time.Since(r.op.Start)
	r.op.Err = err
	for i := len(r.hooks) - 1; i >= 0; i-- {
		callEnd(r.hooks[i], r.ctxs[i], &r.op)
	}
	clear(r.ctxs)
	r.op = Op{}
	r.hooks, r.next = nil, nil
	opRuns.Put(r)
}

// Resolve ends an observed command with its outcome (an error reply is
// a failure) and passes the reply on.
func (r *opRun) Resolve(v proto.Value, err error) {
	next := r.next
	outcome := err
	if outcome == nil && v.IsError() {
		outcome = v.Err()
	}
	r.end(outcome)
	next.Resolve(v, err)
}

func callStart(h Hook, ctx context.Context, op *Op) (out context.Context) {
	out = ctx
	defer func() {
		if recover() != nil {
			out = ctx
		}
	}()
	if c := h.Start(ctx, op); c != nil {
		out = c
	}
	return out
}

func callEnd(h Hook, ctx context.Context, op *Op) {
	defer func() { _ = recover() }()
	h.End(ctx, op)
}

// batchKey marks the context of the commands of a reported pipeline or
// transaction.
type batchKey struct{}

// batchContext returns the context for the commands inside a batch op.
func batchContext(a ActiveOp) context.Context {
	return context.WithValue(a.Context(), batchKey{}, true)
}

func inBatch(ctx context.Context) bool {
	return ctx != nil && ctx.Value(batchKey{}) != nil
}

// observe starts an OpCommand for cmd, to be sent on hooks' connection
// at t, and returns the Resolver that ends it with the reply and passes
// the reply on to r.
func observe(t HookTarget, cmd *proto.Cmd, r Resolver, batched bool) Resolver {
	run := newOpRun(t.Hooks)
	ctx := cmd.Context()
	run.op = Op{Kind: OpCommand, Name: cmd.Name(), Cmd: cmd, Addr: t.Addr, DB: t.DB, Batched: batched || inBatch(ctx)}
	run.next = r
	run.start(ctx)
	return run
}

// observeAll observes each command of a batch; it returns a new slice of
// Resolvers and leaves rs as it is.
func observeAll(t HookTarget, cmds []*proto.Cmd, rs []Resolver) []Resolver {
	out := make([]Resolver, len(rs))
	for i, cmd := range cmds {
		out[i] = observe(t, cmd, rs[i], false)
	}
	return out
}

// batchName is the name of a batch of commands: prefix alone, or prefix
// and the command name when every command has the same name.
func batchName(prefix string, cmds []*proto.Cmd) string {
	if len(cmds) == 0 {
		return prefix
	}
	name := cmds[0].Name()
	for _, c := range cmds[1:] {
		if c.Name() != name {
			return prefix
		}
	}
	return prefix + " " + name
}

// observeDial dials as dial does, reporting the dial to hooks as an
// OpDial; attempt counts the failed dials before it, reconnect tells
// that the connection had been up.
func (c *Conn) observeDial(attempt int, reconnect bool) (net.Conn, *bufio.Reader, *readCounter, error) {
	if len(c.opts.Hooks) == 0 {
		return c.dial(c.ctx)
	}
	a := StartOp(c.ctx, c.opts.Hooks, Op{Kind: OpDial, Addr: c.opts.Addr, DB: c.opts.DB, Attempt: attempt, Reconnect: reconnect})
	nc, br, rc, err := c.dial(valuesFrom{Context: c.ctx, values: a.Context()})
	a.End(err)
	return nc, br, rc, err
}

// valuesFrom is a context that ends with its Context and takes its
// values from values: a dial carries what the hooks put in its context
// (a span) and is still ended by Disconnect alone.
type valuesFrom struct {
	context.Context
	values context.Context
}

func (v valuesFrom) Value(key any) any { return v.values.Value(key) }

// handshakeOps reports the commands of a handshake to hooks, one
// OpCommand per step under the dial's context.
type handshakeOps struct{ ops []ActiveOp }

func (h *handshakeOps) add(c *Conn, ctx context.Context, args []string) {
	if len(c.opts.Hooks) == 0 {
		return
	}
	cmd := proto.NewCmd(args[0])
	for _, a := range args[1:] {
		cmd.Arg(a)
	}
	h.ops = append(h.ops, StartOp(ctx, c.opts.Hooks, Op{Kind: OpCommand, Name: cmd.Name(), Cmd: cmd, Addr: c.opts.Addr, DB: c.opts.DB}))
	cmd.Release()
}

// end ends step i with err.
func (h *handshakeOps) end(i int, err error) {
	if i < len(h.ops) {
		h.ops[i].End(err)
	}
}

// endFrom ends step i and every step after it with err.
func (h *handshakeOps) endFrom(i int, err error) {
	for ; i < len(h.ops); i++ {
		h.ops[i].End(err)
	}
}
