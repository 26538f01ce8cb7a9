package conn_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/hooktest"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// okServer answers the handshake and ERR* commands as a server would and
// echoes everything else.
func okServer(p *fakeserver.Peer) {
	p.Serve(func(args []string) proto.Value {
		switch args[0] {
		case "AUTH", "SELECT", "CLIENT", "HELLO", "READONLY":
			return proto.SimpleValue("OK")
		case "ERRCMD":
			return proto.ErrorValue("WRONGTYPE Operation against a key holding the wrong kind of value")
		}
		return fakeserver.Echo(args)
	})
}

func TestHooksSeeEveryCommandOnAConn(t *testing.T) {
	rec := hooktest.New()
	c, _ := fakeConn(t, okServer, conn.Options{Hooks: []conn.Hook{rec}})
	rec.Reset() // the dial is checked on its own below
	ctx := context.WithValue(context.Background(), hooktest.Key{}, "req-7")
	rc := c.WithContext(ctx)

	// End runs before the command's callbacks: a callback sees its own
	// command recorded.
	seenInCallback := make(chan bool, 1)
	get := rc.Get("a").Then(func(v string) (string, error) {
		seenInCallback <- hooktest.Has(rec.Events(), conn.OpCommand, "GET")
		return v, nil
	})
	testutil.Must(t, get)
	if !<-seenInCallback {
		t.Fatal("the GET was not recorded before its callback ran")
	}
	testutil.Must(t, c.Set("k", "v"))
	_, err := testutil.Wait(t, c.Do("ERRCMD"))
	if !errors.Is(err, proto.ErrWrongType) {
		t.Fatalf("ERRCMD: %v", err)
	}

	evs := rec.Events()
	if have, want := rec.Commands(), []string{"GET@fake:6379", "SET@fake:6379", "ERRCMD@fake:6379"}; !slices.Equal(have, want) {
		t.Fatalf("commands seen: %v, want %v", have, want)
	}
	if e := evs[0]; e.Value != "req-7" || e.Args != `GET "a"` || e.Duration <= 0 || e.Err != nil || e.Started.IsZero() {
		t.Errorf("GET through the context view: %+v", e)
	}
	if e := evs[1]; e.Value != nil || e.Err != nil {
		t.Errorf("SET without a context: %+v", e)
	}
	var perr *proto.Error
	if e := evs[2]; !errors.As(e.Err, &perr) || perr.Prefix != "WRONGTYPE" {
		t.Errorf("error reply: the hook saw %v, want the *proto.Error", e.Err)
	}
	if rec.Open() != 0 {
		t.Fatalf("%d operations never ended", rec.Open())
	}
}

func TestHooksSeeDialsAndTheHandshake(t *testing.T) {
	rec := hooktest.New()
	c, srv := fakeConn(t, okServer, conn.Options{
		Hooks: []conn.Hook{rec}, Password: "s3cret", DB: 2, ClientName: "app", Addr: "fake:7000",
		Backoff: func(int) time.Duration { return time.Millisecond },
	})
	evs := rec.WaitFor(t, "the first dial", func(evs []hooktest.Event) bool { return len(evs) >= 4 })
	want := []string{"AUTH", "SELECT", "CLIENT", ""}
	for i, e := range evs[:4] {
		if e.Name != want[i] {
			t.Fatalf("event %d: %v, want %q\n%s", i, e, want[i], hooktest.Dump(evs))
		}
		if e.Addr != "fake:7000" || e.DB != 2 || e.Err != nil {
			t.Errorf("event %d: %+v", i, e)
		}
		if i < 3 && (e.Kind != conn.OpCommand || e.Parent != "dial") {
			t.Errorf("handshake step %d: %v, want a command inside the dial", i, e)
		}
	}
	if strings.Contains(evs[0].Args, "s3cret") || !strings.Contains(evs[0].Args, "(masked)") {
		t.Errorf("AUTH shown to hooks as %q: the password must be masked", evs[0].Args)
	}
	if d := evs[3]; d.Kind != conn.OpDial || d.Attempt != 0 || d.Reconnect || d.Duration <= 0 {
		t.Errorf("first dial: %+v", d)
	}

	// A lost connection is redialled: a reconnect. A refused dial fails.
	rec.Reset()
	srv.Refuse(true)
	srv.CloseAll()
	failed := rec.WaitFor(t, "a failed dial", func(evs []hooktest.Event) bool {
		return slices.ContainsFunc(evs, func(e hooktest.Event) bool { return e.Kind == conn.OpDial && e.Err != nil })
	})
	if d := failed[slices.IndexFunc(failed, func(e hooktest.Event) bool { return e.Kind == conn.OpDial })]; !d.Reconnect || !errors.Is(d.Err, conn.ErrConnection) {
		t.Errorf("failed redial: %+v", d)
	}
	srv.Refuse(false)
	rec.WaitFor(t, "a successful redial", func(evs []hooktest.Event) bool {
		return slices.ContainsFunc(evs, func(e hooktest.Event) bool {
			return e.Kind == conn.OpDial && e.Err == nil && e.Reconnect && e.Attempt > 0
		})
	})
	testutil.Must(t, c.Ping())
}

func TestHooksSeeAPipelineAndItsCommands(t *testing.T) {
	rec := hooktest.New()
	c, _ := fakeConn(t, okServer, conn.Options{Hooks: []conn.Hook{rec}})
	rec.Reset()
	ctx := context.WithValue(context.Background(), hooktest.Key{}, "req-p")
	p := c.WithContext(ctx).Pipeline()
	p.Get("a")
	p.Get("b")
	p.Get("c")
	testutil.Must(t, p.Execute())

	evs := rec.Events()
	pl := rec.Find(conn.OpPipeline, "PIPELINE GET")
	if len(pl) != 1 || pl[0].Size != 3 || !slices.Equal(pl[0].CmdNames, []string{"GET", "GET", "GET"}) || pl[0].Value != "req-p" || pl[0].Addr != "fake:6379" {
		t.Fatalf("pipeline op: %+v\n%s", pl, hooktest.Dump(evs))
	}
	cmds := rec.Find(conn.OpCommand, "GET")
	if len(cmds) != 3 {
		t.Fatalf("pipelined commands: %s", hooktest.Dump(evs))
	}
	for _, e := range cmds {
		if !e.Batched || e.Parent != "PIPELINE GET" || e.Value != "req-p" {
			t.Errorf("pipelined command: %+v", e)
		}
	}
	// The pipeline ends after its commands.
	if evs[len(evs)-1].Kind != conn.OpPipeline {
		t.Errorf("order: %s", hooktest.Dump(evs))
	}

	rec.Reset()
	p = c.Pipeline()
	p.Get("x")
	p.Set("y", "1")
	testutil.Must(t, p.Execute())
	if len(rec.Find(conn.OpPipeline, "PIPELINE")) != 1 {
		t.Fatalf("mixed pipeline: %s", hooktest.Dump(rec.Events()))
	}
}

func TestHooksSeeTheCommandsInsideACommittedTransaction(t *testing.T) {
	m := testserver.Mini(t)
	m.Set("str", "x")
	rec := hooktest.New()
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: m.Addr(), Hooks: []conn.Hook{rec}}))
	t.Cleanup(func() { c.Disconnect() })
	rec.Reset()
	ctx := context.WithValue(context.Background(), hooktest.Key{}, "req-tx")

	tx := testutil.Must(t, c.WithContext(ctx).Multi())
	n := tx.Incr("counter")
	bad := tx.Incr("str") // fails inside EXEC
	testutil.Must(t, tx.Commit())
	if testutil.Must(t, n) != 1 {
		t.Fatal("INCR")
	}
	if _, err := testutil.Wait(t, bad); err == nil {
		t.Fatal("INCR of a string succeeded")
	}

	evs := rec.Events()
	if have, want := rec.Commands(), []string{
		"MULTI@" + m.Addr() + " batched", "EXEC@" + m.Addr() + " batched",
		"INCR@" + m.Addr() + " batched", "INCR@" + m.Addr() + " batched",
	}; !slices.Equal(have, want) {
		t.Fatalf("commands: %v, want %v", have, want)
	}
	incrs := rec.Find(conn.OpCommand, "INCR")
	if incrs[0].Err != nil || incrs[0].Args != `INCR "counter"` || incrs[0].Parent != "MULTI" || incrs[0].Value != "req-tx" {
		t.Errorf("first INCR: %+v", incrs[0])
	}
	if perr := (*proto.Error)(nil); !errors.As(incrs[1].Err, &perr) {
		t.Errorf("the INCR that failed inside EXEC ended with %v, want its error reply", incrs[1].Err)
	}
	tx1 := rec.Find(conn.OpTransaction, "MULTI INCR")
	if len(tx1) != 1 || tx1[0].Size != 2 || tx1[0].Err != nil || tx1[0].StartName != "MULTI" || tx1[0].Value != "req-tx" {
		t.Fatalf("transaction op: %+v\n%s", tx1, hooktest.Dump(evs))
	}
	if evs[len(evs)-1].Kind != conn.OpTransaction {
		t.Errorf("the transaction must end after its commands:\n%s", hooktest.Dump(evs))
	}

	// WATCH, a read under it, then a transaction that the watch aborts.
	rec.Reset()
	tx = testutil.Must(t, c.Watch("w"))
	testutil.Wait(t, tx.Get("w"))
	m.Set("w", "changed")
	testutil.Must(t, tx.Multi())
	tx.Set("w", "mine")
	tx.Set("other", "1")
	if _, err := testutil.Wait(t, tx.Commit()); !errors.Is(err, conn.ErrWatch) {
		t.Fatalf("commit: %v", err)
	}
	watched := rec.Find(conn.OpTransaction, "MULTI SET")
	if len(watched) != 1 || !errors.Is(watched[0].Err, conn.ErrWatch) || watched[0].Size != 2 {
		t.Fatalf("aborted transaction: %+v\n%s", watched, hooktest.Dump(rec.Events()))
	}
	for _, e := range rec.Events() {
		batched := e.Name == "MULTI" || e.Name == "SET" || e.Name == "EXEC"
		if e.Kind == conn.OpCommand && e.Batched != batched {
			t.Errorf("%v: batched %v, want %v", e, e.Batched, batched)
		}
	}

	// Discard ends the transaction with ErrDiscarded.
	rec.Reset()
	tx = testutil.Must(t, c.Multi())
	tx.Set("d", "1")
	testutil.Must(t, tx.Discard())
	if d := rec.Find(conn.OpTransaction, "MULTI SET"); len(d) != 1 || !errors.Is(d[0].Err, conn.ErrDiscarded) {
		t.Fatalf("discarded: %+v", d)
	}
	if rec.Open() != 0 {
		t.Fatalf("%d operations never ended", rec.Open())
	}
}

// hookFunc is a Hook made of two functions.
type hookFunc struct {
	start func(context.Context, *conn.Op) context.Context
	end   func(context.Context, *conn.Op)
}

func (h hookFunc) Start(ctx context.Context, op *conn.Op) context.Context { return h.start(ctx, op) }
func (h hookFunc) End(ctx context.Context, op *conn.Op)                   { h.end(ctx, op) }

type orderKey struct{}

func TestHooksRunInOrderEachWithItsOwnContext(t *testing.T) {
	var mu sync.Mutex
	var log []string
	mk := func(name string) conn.Hook {
		return hookFunc{
			start: func(ctx context.Context, op *conn.Op) context.Context {
				mu.Lock()
				log = append(log, name+" start "+op.Name)
				mu.Unlock()
				return context.WithValue(ctx, orderKey{}, name)
			},
			end: func(ctx context.Context, op *conn.Op) {
				mu.Lock()
				log = append(log, fmt.Sprintf("%s end %s ctx=%v", name, op.Name, ctx.Value(orderKey{})))
				mu.Unlock()
			},
		}
	}
	panicky := hookFunc{
		start: func(context.Context, *conn.Op) context.Context { panic("start") },
		end:   func(context.Context, *conn.Op) { panic("end") },
	}
	c, _ := fakeConn(t, okServer, conn.Options{Hooks: []conn.Hook{mk("h1"), panicky, mk("h2")}})
	mu.Lock()
	log = nil
	mu.Unlock()
	if have := testutil.Must(t, c.Get("k")); have != "k" {
		t.Fatalf("with a panicking hook: %q", have)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"h1 start GET", "h2 start GET", "h2 end GET ctx=h2", "h1 end GET ctx=h1"}
	if !slices.Equal(log, want) {
		t.Fatalf("have %q, want %q", log, want)
	}
}

// Changing the slice given as Options.Hooks after the connection was
// made changes nothing.
func TestHooksAreCopiedFromTheOptions(t *testing.T) {
	rec, other := hooktest.New(), hooktest.New()
	hooks := []conn.Hook{rec}
	c, _ := fakeConn(t, okServer, conn.Options{Hooks: hooks})
	hooks[0] = other
	testutil.Must(t, c.Get("k"))
	if len(other.Events()) != 0 || !hooktest.Has(rec.Events(), conn.OpCommand, "GET") {
		t.Fatalf("hooks changed after the options were used")
	}
}
