package pool_test

import (
	"context"
	"errors"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// A command that changes its connection's state would change it under
// other callers' commands on a shared connection (a GET answered with
// "QUEUED" after a raw MULTI): the pool refuses it before sending, and
// ordinary commands keep their own replies.
func TestSharedConnectionStateCommandsRefused(t *testing.T) {
	m := testserver.Mini(t)
	p := connectPool(t, pool.Options{Options: conn.Options{Addr: m.Addr()}, PoolSize: 1})
	testutil.Must(t, p.Set("k", "v"))
	for _, args := range [][]any{
		{"MULTI"}, {"EXEC"}, {"WATCH", "k"}, {"SELECT", 2}, {"AUTH", "x"},
		{"CLIENT", "REPLY", "OFF"}, {"client", "reply", "skip"}, {"RESET"},
	} {
		if _, err := testutil.Wait(t, p.Do(args...)); !errors.Is(err, conn.ErrBadArgs) {
			t.Fatalf("Do%v: have %v, want ErrBadArgs", args, err)
		}
		if have := testutil.Must(t, p.Get("k")); have != "v" {
			t.Fatalf("after Do%v: GET answered %q", args, have)
		}
	}
	// The transaction API still works.
	tx := testutil.Must(t, p.Multi("k"))
	tx.Set("k", "w")
	testutil.Must(t, tx.Commit())
	if have := testutil.Must(t, p.Get("k")); have != "w" {
		t.Fatalf("after a transaction: %q", have)
	}
}

// Every raw path of a pool — Do, DoCmd, Send, SendBatch, a Pipeline, a
// Lease, a Tx — refuses what a connection refuses (issue 14: the pool
// refused on Do but a Lease or a Pipeline over it let them through).
func TestPoolRawPathsRefuse(t *testing.T) {
	m := testserver.Mini(t)
	p := connectPool(t, pool.Options{Options: conn.Options{Addr: m.Addr()}, PoolSize: 2})
	testutil.Must(t, p.Set("k", "v"))
	ctx := context.Background()
	send := func(s conn.Sender, cmd *proto.Cmd) *deferred.Deferred[proto.Value] {
		return handle.Request(s, cmd, handle.Identity)
	}
	paths := map[string]func(args []string) *deferred.Deferred[proto.Value]{
		"DoCmd": func(args []string) *deferred.Deferred[proto.Value] { return p.DoCmd(raw(args)) },
		"Send":  func(args []string) *deferred.Deferred[proto.Value] { return send(p, raw(args)) },
		"SendBatch": func(args []string) *deferred.Deferred[proto.Value] {
			d := new(deferred.Deferred[proto.Value])
			p.SendBatch([]*proto.Cmd{proto.NewCmd("PING"), raw(args)}, []conn.Resolver{
				conn.ResolverFunc(func(proto.Value, error) {}),
				conn.ResolverFunc(func(v proto.Value, err error) { _ = d.Resolve(v, err) }),
			})
			return d
		},
		"Pipeline": func(args []string) *deferred.Deferred[proto.Value] {
			pl := p.Pipeline()
			d := send(pl, raw(args))
			pl.Execute()
			return d
		},
		"Lease": func(args []string) *deferred.Deferred[proto.Value] {
			l := testutil.Must(t, p.Lease(ctx))
			defer l.Release()
			return conn.NewCommands(l).DoCmd(raw(args))
		},
		"Tx": func(args []string) *deferred.Deferred[proto.Value] {
			tx := testutil.Must(t, p.Multi())
			defer tx.Discard()
			return send(tx, raw(args))
		},
	}
	for name, path := range paths {
		for _, args := range [][]string{
			{"MULTI"}, {"WATCH", "k"}, {"SELECT", "2"}, {"CLIENT", "REPLY", "SKIP"},
			{"MONITOR"}, {"SUBSCRIBE", "c"}, {"HELLO", "3"}, {"QUIT"},
		} {
			if _, err := testutil.Wait(t, path(args)); !errors.Is(err, conn.ErrBadArgs) {
				t.Errorf("%s %v: have %v, want ErrBadArgs", name, args, err)
			}
			if have := testutil.Must(t, p.Get("k")); have != "v" {
				t.Fatalf("after %s %v: GET answered %q", name, args, have)
			}
		}
	}
}

func raw(args []string) *proto.Cmd {
	cmd := proto.NewCmd(args[0])
	for _, a := range args[1:] {
		cmd.Arg(a)
	}
	return cmd
}
