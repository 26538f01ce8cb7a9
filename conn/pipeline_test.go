package conn_test

import (
	"errors"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

func TestPipelineOneWriteInOrder(t *testing.T) {
	c, srv := fakeConn(t, echoServer, conn.Options{})
	testutil.Must(t, c.Ping())
	before := srv.Writes()

	p := c.Pipeline()
	const n = 200
	ds := make([]*deferred.Deferred[string], n)
	var order []int // appended on the reader goroutine only
	for i := range ds {
		i := i
		ds[i] = p.Get("k" + strconv.Itoa(i))
		ds[i].Observe(func(string, error) { order = append(order, i) })
	}
	if p.Len() != n {
		t.Fatalf("Len: %d", p.Len())
	}
	if ds[0].Fired() || srv.Writes() != before {
		t.Fatal("a pipelined command was sent before Execute")
	}
	exec := p.Execute()
	observed := make(chan struct{})
	exec.Observe(func([]proto.Value, error) { order = append(order, -1); close(observed) })
	replies := testutil.Must(t, exec)
	<-observed
	if have := srv.Writes() - before; have != 1 {
		t.Fatalf("writes for %d pipelined commands: have %d, want 1", n, have)
	}
	if len(replies) != n {
		t.Fatalf("replies: %d", len(replies))
	}
	for i, d := range ds {
		want := "k" + strconv.Itoa(i)
		if have := testutil.Must(t, d); have != want || replies[i].Str != want {
			t.Fatalf("command %d: have %q / %v, want %q", i, have, replies[i], want)
		}
	}
	if len(order) != n+1 || order[n] != -1 {
		t.Fatalf("Execute fired before the commands: %v", order[len(order)-3:])
	}
	for i := 0; i < n; i++ {
		if order[i] != i {
			t.Fatalf("command Deferreds fired out of order at %d: %d", i, order[i])
		}
	}
}

func TestPipelineServerErrorsPerCommand(t *testing.T) {
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		p.Serve(func(args []string) proto.Value {
			if args[0] == "INCR" {
				return proto.ErrorValue("ERR value is not an integer or out of range")
			}
			return fakeserver.Echo(args)
		})
	}, conn.Options{})
	p := c.Pipeline()
	a := p.Get("a")
	b := p.Incr("b")
	d := p.Get("d")
	replies := testutil.Must(t, p.Execute())
	if len(replies) != 3 || !replies[1].IsError() || replies[2].Str != "d" {
		t.Fatalf("replies: %v", replies)
	}
	var perr *proto.Error
	if _, err := testutil.Wait(t, b); !errors.As(err, &perr) {
		t.Fatalf("INCR: have %v, want *proto.Error", err)
	}
	if testutil.Must(t, a) != "a" || testutil.Must(t, d) != "d" {
		t.Fatal("the other commands did not get their replies")
	}
}

func TestPipelineUsedOnce(t *testing.T) {
	c, _ := fakeConn(t, echoServer, conn.Options{})
	p := c.Pipeline()
	empty := c.Pipeline()
	if have := testutil.Must(t, empty.Execute()); have == nil || len(have) != 0 {
		t.Fatalf("empty pipeline: %v", have)
	}
	p.Get("a")
	testutil.Must(t, p.Execute())
	if _, err := testutil.Wait(t, p.Execute()); !errors.Is(err, conn.ErrTxDone) {
		t.Fatalf("second Execute: have %v, want ErrTxDone", err)
	}
	if _, err := testutil.Wait(t, p.Get("b")); !errors.Is(err, conn.ErrTxDone) {
		t.Fatalf("command after Execute: have %v, want ErrTxDone", err)
	}
}

func TestPipelineConnectionError(t *testing.T) {
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		_, _ = p.ReadCommand()
		p.Close()
	}, conn.Options{NoReconnect: true})
	p := c.Pipeline()
	a := p.Get("a")
	b := p.Get("b")
	if _, err := testutil.Wait(t, p.Execute()); !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("Execute: have %v, want a ConnectionError", err)
	}
	for _, d := range []*deferred.Deferred[string]{a, b} {
		if _, err := testutil.Wait(t, d); !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("command: have %v, want a ConnectionError", err)
		}
	}
}

// countingSender is a Sender without SendBatch, answering with Echo.
type countingSender struct{ sends atomic.Int64 }

func (s *countingSender) Send(cmd *proto.Cmd, r conn.Resolver) {
	s.sends.Add(1)
	args := make([]string, cmd.Len())
	for i := range args {
		args[i] = string(cmd.ArgBytes(i))
	}
	cmd.Release()
	r.Resolve(fakeserver.Echo(args), nil)
}

func TestPipelineOverPlainSender(t *testing.T) {
	s := &countingSender{}
	p := conn.NewCommands(s).Pipeline()
	a, b := p.Get("a"), p.Get("b")
	if s.sends.Load() != 0 {
		t.Fatal("sent before Execute")
	}
	replies := testutil.Must(t, p.Execute())
	if s.sends.Load() != 2 || len(replies) != 2 || testutil.Must(t, a) != "a" || testutil.Must(t, b) != "b" {
		t.Fatalf("sends %d, replies %v", s.sends.Load(), replies)
	}
}

// A Pipeline over a Tx sends its commands in one write; they are queued,
// so Execute fires at Commit with their real results.
func TestPipelineInsideTx(t *testing.T) {
	s := &txServer{}
	c, srv := fakeConn(t, s.serve, conn.Options{})
	tx := testutil.Must(t, c.Multi())
	before := srv.Writes()
	p := tx.Pipeline()
	a, b := p.Incr("n"), p.Incr("n")
	exec := p.Execute()
	testutil.Eventually(t, func() error {
		if len(s.commands()) < 3 {
			return errors.New("the pipeline has not reached the server")
		}
		return nil
	})
	if have := srv.Writes() - before; have != 1 {
		t.Fatalf("pipeline in a Tx: %d writes, want 1", have)
	}
	if a.Fired() || exec.Fired() {
		t.Fatal("a queued command fired before Commit")
	}
	testutil.Must(t, tx.Commit())
	replies := testutil.Must(t, exec)
	if len(replies) != 2 || replies[0].Int != 1 || replies[1].Int != 2 {
		t.Fatalf("Execute in a Tx: %v", replies)
	}
	if testutil.Must(t, a) != 1 || testutil.Must(t, b) != 2 {
		t.Fatal("queued commands did not get their EXEC results")
	}
}

func BenchmarkPipelineExecute(b *testing.B) {
	c, _ := fakeConn(b, echoServer, conn.Options{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p := c.Pipeline()
		for j := 0; j < 16; j++ {
			p.Get("k")
		}
		testutil.Must(b, p.Execute())
	}
}

// holdingSender keeps every batch it is given, unanswered, as a sender
// waiting for its connection may.
type holdingSender struct {
	cmds [][]*proto.Cmd
	rs   [][]conn.Resolver
}

func (h *holdingSender) Send(cmd *proto.Cmd, r conn.Resolver) {
	h.SendBatch([]*proto.Cmd{cmd}, []conn.Resolver{r})
}

func (h *holdingSender) SendBatch(cmds []*proto.Cmd, rs []conn.Resolver) {
	h.cmds = append(h.cmds, cmds)
	h.rs = append(h.rs, rs)
}

// A Pipeline builds its batch in reused memory: what Execute hands the
// sender must be the sender's own, untouched by the pipelines built after.
func TestPipelineBatchIsTheSendersToKeep(t *testing.T) {
	h := &holdingSender{}
	c := conn.NewCommands(h)
	wire := func(cmds []*proto.Cmd) string {
		var b []byte
		for _, cmd := range cmds {
			b = cmd.AppendTo(b)
		}
		return string(b)
	}
	first := c.Pipeline()
	for i := 0; i < 50; i++ {
		first.Set("a"+strconv.Itoa(i), strconv.Itoa(i))
	}
	d := first.Execute()
	want := wire(h.cmds[0])
	for round := 0; round < 20; round++ {
		p := c.Pipeline()
		for i := 0; i < 60; i++ {
			p.Get("b" + strconv.Itoa(i))
		}
		p.Execute()
	}
	if got := wire(h.cmds[0]); got != want || len(h.cmds[0]) != 50 {
		t.Fatalf("the first batch changed after later pipelines were built:\n%q\nwant\n%q", got, want)
	}
	for i, r := range h.rs[0] {
		r.Resolve(proto.IntValue(int64(i)), nil)
	}
	vals := testutil.Must(t, d)
	for i, v := range vals {
		if v.Int != int64(i) {
			t.Fatalf("reply %d is %v: the first batch's resolvers changed", i, v)
		}
	}
}

// An explicit Pipeline costs little more than the commands' own Deferreds
// and replies: building it does not allocate every array its buffer grows
// through (294 bytes per SET before, 258 now on 64-bit).
func TestPipelineAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	c := conn.NewCommands(&sink{reply: proto.SimpleValue("OK")})
	const size, rounds = 100, 50
	run := func() {
		p := c.Pipeline()
		for i := 0; i < size; i++ {
			p.Set("k", "v")
		}
		testutil.Must(t, p.Execute())
	}
	run() // warm the buffer pool
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < rounds; i++ {
		run()
	}
	runtime.ReadMemStats(&after)
	// A Deferred with its resolver (128), the reply in Execute's slice
	// (64), the command's slot (32), its place in the batch (24).
	if have := float64(after.TotalAlloc-before.TotalAlloc) / (size * rounds); have > 272 {
		t.Errorf("a pipelined SET allocated %.0f bytes, want at most 272", have)
	}
}
