package conn_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// unmatched are commands whose replies do not answer them one to one, or
// that change the connection under other callers' commands (and would be
// undone silently by a redial): none may go through a raw path.
var unmatched = [][]string{
	{"CLIENT", "REPLY", "SKIP"},
	{"CLIENT", "REPLY", "OFF"},
	{"client", "reply", "on"},
	{"MONITOR"},
	{"SUBSCRIBE", "ch"},
	{"PSUBSCRIBE", "p*"},
	{"SSUBSCRIBE", "sch"},
	{"UNSUBSCRIBE"},
	{"PUNSUBSCRIBE"},
	{"SUNSUBSCRIBE"},
	{"RESET"},
	{"HELLO", "3"},
	{"QUIT"},
	{"SYNC"},
	{"PSYNC", "?", "-1"},
	{"REPLCONF", "ACK", "0"},
	{"SCRIPT", "DEBUG", "YES"},
	{"MULTI"},
	{"EXEC"},
	{"DISCARD"},
	{"WATCH", "k"},
	{"UNWATCH"},
	{"SELECT", "1"},
	{"AUTH", "pw"},
}

func rawCmd(args []string) *proto.Cmd {
	cmd := proto.NewCmd(args[0])
	for _, a := range args[1:] {
		cmd.Arg(a)
	}
	return cmd
}

func anyArgs(args []string) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
	}
	return out
}

// rawPath sends one raw command through one way a handle offers.
type rawPath struct {
	name string
	send func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value]
}

// sendVia sends cmd through s and returns the Deferred of its reply.
func sendVia(s conn.Sender, cmd *proto.Cmd) *deferred.Deferred[proto.Value] {
	d := new(deferred.Deferred[proto.Value])
	s.Send(cmd, conn.ResolverFunc(func(v proto.Value, err error) {
		if err == nil && v.IsError() {
			err = v.Err()
		}
		_ = d.Resolve(v, err)
	}))
	return d
}

var rawPaths = []rawPath{
	{"Do", func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value] {
		return c.Do(anyArgs(args)...)
	}},
	{"DoCmd", func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value] {
		return c.DoCmd(rawCmd(args))
	}},
	{"Send", func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value] {
		return sendVia(c, rawCmd(args))
	}},
	{"SendBatch", func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value] {
		d := new(deferred.Deferred[proto.Value])
		c.SendBatch([]*proto.Cmd{rawCmd(args)}, []conn.Resolver{conn.ResolverFunc(func(v proto.Value, err error) { _ = d.Resolve(v, err) })})
		return d
	}},
	{"Commands.Sender", func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value] {
		return sendVia(c.Sender(), rawCmd(args))
	}},
	{"Pipeline.Do", func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value] {
		p := c.Pipeline()
		d := p.Do(anyArgs(args)...)
		p.Execute()
		return d
	}},
	{"Pipeline.Send", func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value] {
		p := c.Pipeline()
		d := sendVia(p, rawCmd(args))
		p.Execute()
		return d
	}},
	{"Lease.Send", func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value] {
		l := testutil.Must(t, c.Lease(context.Background()))
		defer l.Release()
		return sendVia(l, rawCmd(args))
	}},
	{"Lease commands", func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value] {
		l := testutil.Must(t, c.Lease(context.Background()))
		defer l.Release()
		return conn.NewCommands(l).Do(anyArgs(args)...)
	}},
	{"Tx.Do", func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value] {
		tx := testutil.Must(t, c.Multi())
		d := tx.Do(anyArgs(args)...)
		testutil.Wait(t, d)
		testutil.Must(t, tx.Discard())
		return d
	}},
	{"Tx.Send", func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value] {
		tx := testutil.Must(t, c.Watch("w"))
		d := sendVia(tx, rawCmd(args))
		testutil.Wait(t, d)
		testutil.Must(t, tx.Discard())
		return d
	}},
	{"SendNoReply", func(t *testing.T, c *conn.Conn, args []string) *deferred.Deferred[proto.Value] {
		if err := c.SendNoReply(rawCmd(args)); err != nil {
			return deferred.Fail[proto.Value](err)
		}
		return deferred.Succeed(proto.Value{})
	}},
}

// TestRawCommandsKeepRepliesMatched is issue 14's first item: CLIENT
// REPLY SKIP through Do shifted every later reply by two for the life of
// the connection, REPLY OFF hung everything after it, DoCmd(MONITOR) and
// DoCmd(SUBSCRIBE) delivered monitor lines and messages to PINGs, and a
// Conn, a Lease and a Pipeline let state-changing commands through. Every
// raw path of a Conn must refuse them before writing anything, and the
// replies after must answer their own commands.
func TestRawCommandsKeepRepliesMatched(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr()})
	for i := range 3 {
		testutil.Must(t, c.Set("m"+strconv.Itoa(i), "v"+strconv.Itoa(i)))
	}
	for _, path := range rawPaths {
		for _, args := range unmatched {
			_, err := testutil.Wait(t, path.send(t, c, args))
			if !errors.Is(err, conn.ErrBadArgs) {
				t.Errorf("%s %v: have %v, want ErrBadArgs", path.name, args, err)
			}
			// The connection is as it was: every reply answers its command.
			for i := range 3 {
				have, err := testutil.Wait(t, c.Get("m"+strconv.Itoa(i)))
				if want := "v" + strconv.Itoa(i); err != nil || have != want {
					t.Fatalf("after %s %v: GET m%d = %q, %v; want %q", path.name, args, i, have, err, want)
				}
			}
		}
	}
	// Typed commands and harmless raw ones still go through.
	if have := testutil.Must(t, c.Do("CLIENT", "SETNAME", "matched")); have.Str != "OK" {
		t.Fatalf("CLIENT SETNAME: %v", have)
	}
	if have := testutil.Must(t, c.Do("HELLO")); have.Kind != proto.Array && have.Kind != proto.Map {
		t.Fatalf("HELLO without arguments: %v", have)
	}
	if _, err := testutil.Wait(t, c.Do("")); !errors.Is(err, conn.ErrBadArgs) {
		t.Errorf(`Do(""): have %v, want ErrBadArgs before anything is sent`, err)
	}
	if _, err := testutil.Wait(t, c.DoCmd(proto.NewCmd(""))); !errors.Is(err, conn.ErrBadArgs) {
		t.Errorf(`DoCmd(""): have %v, want ErrBadArgs before anything is sent`, err)
	}
}

// TestClientReplySkipProbe reproduces the fault campaign's probe: after
// CLIENT REPLY SKIP is attempted, 160 GETs must each get their own value.
func TestClientReplySkipProbe(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr()})
	for _, mode := range []string{"SKIP", "OFF"} {
		testutil.Wait(t, c.Do("CLIENT", "REPLY", mode))
		ds := make([]*deferred.Deferred[string], 160)
		for i := range ds {
			k := "probe" + strconv.Itoa(i)
			c.Set(k, k)
			ds[i] = c.Get(k)
		}
		wrong := 0
		for i, d := range ds {
			if have, err := testutil.Wait(t, d); err != nil || have != "probe"+strconv.Itoa(i) {
				wrong++
			}
		}
		if wrong != 0 {
			t.Errorf("after CLIENT REPLY %s: %d of 160 probes got a wrong reply", mode, wrong)
		}
	}
}
