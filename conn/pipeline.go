package conn

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// Pipeline buffers commands and sends them together on Execute
// (txredisapi's pipeline() and execute_pipeline()). It embeds the command
// set: each command returns its own Deferred at once, pending until
// Execute sends the batch and its reply arrives. Every connection
// pipelines by itself, so a Pipeline is only needed to send a known
// group of commands as one unit, in one write, with nothing of other
// callers interleaved.
//
// A Pipeline is for one use: commands after Execute, and a second
// Execute, fail with ErrTxDone. It is safe for concurrent use.
type Pipeline struct {
	Commands

	s Sender // immutable: where Execute sends

	mu   sync.Mutex // protects the fields below
	buf  *pipeBuf   // the buffered commands; nil until the first
	done bool
}

// pipeBuf is what a Pipeline buffers into until Execute, which copies the
// commands out into slices of their exact size. It comes from a pool, so
// that building a pipeline does not allocate (and leave to the garbage
// collector) every smaller array its slices grow through.
type pipeBuf struct {
	cmds []*proto.Cmd
	rs   []Resolver
}

var pipeBufPool = sync.Pool{New: func() any { return new(pipeBuf) }}

// maxPooledPipe is the largest number of commands a pipeBuf keeps room for
// when it goes back to the pool; one that grew larger is dropped.
const maxPooledPipe = 4096

// recycle empties b and returns it to the pool.
func (b *pipeBuf) recycle() {
	if cap(b.cmds) > maxPooledPipe {
		return
	}
	clear(b.cmds)
	clear(b.rs)
	b.cmds, b.rs = b.cmds[:0], b.rs[:0]
	pipeBufPool.Put(b)
}

// bufLocked returns the buffer, taking one from the pool the first time;
// the caller holds p.mu.
func (p *Pipeline) bufLocked() *pipeBuf {
	if p.buf == nil {
		p.buf = pipeBufPool.Get().(*pipeBuf)
	}
	return p.buf
}

// Pipeline returns an empty Pipeline over the handle. Nothing is sent
// until Execute.
func (c Commands) Pipeline() *Pipeline {
	p := &Pipeline{s: c.s}
	p.Commands = NewCommands((*ownPipeline)(p))
	return p
}

// Send buffers cmd until Execute; after Execute r fails with ErrTxDone.
// A command handle.RefuseShared refuses fails with ErrBadArgs at once.
func (p *Pipeline) Send(cmd *proto.Cmd, r Resolver) {
	if err := plumb.RefuseShared(cmd); err != nil {
		cmd.Release()
		r.Resolve(proto.Value{}, err)
		return
	}
	p.buffer(cmd, r)
}

// SendBatch buffers cmds as Send does; a batch holding a command Send
// refuses fails whole.
func (p *Pipeline) SendBatch(cmds []*proto.Cmd, rs []Resolver) {
	if err := refuseAll(cmds); err != nil {
		failBatch(cmds, rs, err)
		return
	}
	p.bufferBatch(cmds, rs)
}

// buffer is Send without the refusal of raw commands.
func (p *Pipeline) buffer(cmd *proto.Cmd, r Resolver) {
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		cmd.Release()
		r.Resolve(proto.Value{}, ErrTxDone)
		return
	}
	b := p.bufLocked()
	b.cmds = append(b.cmds, cmd)
	b.rs = append(b.rs, r)
	p.mu.Unlock()
}

// bufferBatch is SendBatch without the refusal of raw commands.
func (p *Pipeline) bufferBatch(cmds []*proto.Cmd, rs []Resolver) {
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		failBatch(cmds, rs, ErrTxDone)
		return
	}
	b := p.bufLocked()
	b.cmds = append(b.cmds, cmds...)
	b.rs = append(b.rs, rs...)
	p.mu.Unlock()
}

// Len returns the number of commands buffered.
func (p *Pipeline) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lenLocked()
}

// lenLocked is Len for a caller holding p.mu.
func (p *Pipeline) lenLocked() int {
	if p.buf == nil {
		return 0
	}
	return len(p.buf.cmds)
}

// Execute sends every buffered command — in one write when the handle
// is a BatchSender (a Conn, a pool, a Tx), else one by one — and fires
// with all the replies in order, after each command's own Deferred has
// fired. A server error is per command: that command's Deferred fails
// with a *proto.Error and the slice holds the error Value. Execute fails
// with the first connection error when any command got no reply. A
// second Execute fails with ErrTxDone.
func (p *Pipeline) Execute() *deferred.Deferred[[]proto.Value] {
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		return deferred.Fail[[]proto.Value](ErrTxDone)
	}
	p.done = true
	b := p.buf
	p.buf = nil
	p.mu.Unlock()

	if b == nil || len(b.cmds) == 0 {
		if b != nil {
			b.recycle()
		}
		return deferred.Succeed([]proto.Value{})
	}
	n := len(b.cmds)
	// The batch goes out in slices of its own, of the exact size: a
	// sender may keep them (until a connection is up, say).
	cmds := slices.Clone(b.cmds)
	rs := make([]Resolver, n)
	ex := &pipeExec{vals: make([]proto.Value, n), slots: make([]pipeSlot, n)}
	ex.left.Store(int64(n))
	// Each command's resolver moves into its slot, and the slot takes its
	// place.
	for i := range ex.slots {
		ex.slots[i] = pipeSlot{ex: ex, r: b.rs[i], i: i}
		rs[i] = &ex.slots[i]
	}
	b.recycle()
	ex.op = p.startOp(cmds)
	if bs, ok := p.s.(BatchSender); ok {
		bs.SendBatch(cmds, rs)
	} else {
		for i, cmd := range cmds {
			p.s.Send(cmd, rs[i])
		}
	}
	return &ex.d
}

// pipeExec gathers the replies of one Execute.
type pipeExec struct {
	d     deferred.Deferred[[]proto.Value]
	vals  []proto.Value // vals[i] written once by slot i before left drops
	slots []pipeSlot
	left  atomic.Int64
	op    ActiveOp // the OpPipeline reported to hooks, ended with d

	mu    sync.Mutex // protects err and errAt, written only on failure
	err   error      // the failure of the lowest-numbered failed command
	errAt int
}

// pipeSlot is the Resolver of one pipelined command: it records the raw
// reply, fires the command's own Deferred, and fires Execute's Deferred
// after the last reply. It is kept small: a pipeline holds one per
// command.
type pipeSlot struct {
	ex *pipeExec
	r  Resolver
	i  int
}

func (s *pipeSlot) Resolve(v proto.Value, err error) {
	ex := s.ex
	ex.vals[s.i] = v
	if err != nil {
		ex.mu.Lock()
		if ex.err == nil || s.i < ex.errAt {
			ex.err, ex.errAt = err, s.i
		}
		ex.mu.Unlock()
	}
	s.r.Resolve(v, err)
	if ex.left.Add(-1) != 0 {
		return
	}
	// Every slot has written before left reached 0: err is final.
	ex.mu.Lock()
	err = ex.err
	ex.mu.Unlock()
	ex.op.End(err)
	if err != nil {
		_ = ex.d.Errback(err)
		return
	}
	_ = ex.d.Callback(ex.vals)
}

// startOp reports the pipeline to the hooks of the handle it goes
// through, with cmds under its context.
func (p *Pipeline) startOp(cmds []*proto.Cmd) ActiveOp {
	t := hookTargetOf(p.s)
	if len(t.Hooks) == 0 {
		return ActiveOp{}
	}
	ctx := contextOf(p.s)
	if c := cmds[0].Context(); c != nil && ctx == context.Background() {
		ctx = c
	}
	a := StartOp(ctx, t.Hooks, Op{Kind: OpPipeline, Name: batchName("PIPELINE", cmds), Cmds: cmds, Size: len(cmds), Addr: t.Addr, DB: t.DB})
	bctx := batchContext(a)
	for _, cmd := range cmds {
		cmd.SetContext(bctx)
	}
	return a
}

// HookTarget is the handle's the pipeline sends through.
func (p *Pipeline) HookTarget() HookTarget { return hookTargetOf(p.s) }
