package handle_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/proto"
)

// answer is a Sender that resolves every command with one reply.
type answer struct {
	v   proto.Value
	err error
	n   int
}

func (a *answer) Send(cmd *proto.Cmd, r conn.Resolver) {
	a.n++
	cmd.Release()
	r.Resolve(a.v, a.err)
}

func TestRequest(t *testing.T) {
	ctx := context.Background()
	convErr := errors.New("conv")
	for _, tc := range []struct {
		name    string
		a       answer
		conv    func(proto.Value) (string, error)
		want    string
		wantErr func(error) bool
	}{
		{"value converted", answer{v: proto.BulkValue("v")}, proto.Value.AsString, "v", nil},
		{"server error", answer{v: proto.ErrorValue("WRONGTYPE bad")},
			func(proto.Value) (string, error) { t.Error("conv saw an error reply"); return "", nil }, "",
			func(err error) bool { var pe *proto.Error; return errors.As(err, &pe) && pe.Prefix == "WRONGTYPE" }},
		{"conversion error", answer{v: proto.IntValue(1)}, func(proto.Value) (string, error) { return "", convErr }, "",
			func(err error) bool { return errors.Is(err, convErr) }},
		{"transport error", answer{err: conn.ErrClosed},
			func(proto.Value) (string, error) { t.Error("conv saw a failed command"); return "", nil }, "",
			func(err error) bool { return errors.Is(err, conn.ErrClosed) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := handle.Request(&tc.a, proto.NewCmd("GET").Key("k"), tc.conv).Wait(ctx)
			if tc.a.n != 1 {
				t.Fatalf("sent %d times, want 1", tc.a.n)
			}
			if tc.wantErr == nil && (err != nil || v != tc.want) {
				t.Fatalf("have %q, %v; want %q", v, err, tc.want)
			}
			if tc.wantErr != nil && !tc.wantErr(err) {
				t.Fatalf("have %q, %v: not the expected error", v, err)
			}
		})
	}
	v, err := handle.Request(&answer{v: proto.IntValue(7)}, proto.NewCmd("X"), handle.Identity).Wait(ctx)
	if err != nil || v.Int != 7 {
		t.Fatalf("Identity: have %v, %v", v, err)
	}
}

func TestFailedAndBadArgs(t *testing.T) {
	err := handle.BadArgs("ZADD", "score %v is not a number", "NaN")
	if !errors.Is(err, conn.ErrBadArgs) || err.Error() != "txredis: invalid arguments: ZADD: score NaN is not a number" {
		t.Fatalf("BadArgs: %v", err)
	}
	for _, cmd := range []*proto.Cmd{nil, proto.NewCmd("ZADD").Key("k")} {
		d := handle.Failed[int64](cmd, err)
		if _, ferr := d.Wait(context.Background()); ferr != err {
			t.Fatalf("Failed fired with %v, want %v", ferr, err)
		}
	}
}

func TestRefuseShared(t *testing.T) {
	refused := [][]string{
		{"SUBSCRIBE", "c"}, {"PSUBSCRIBE", "p*"}, {"SSUBSCRIBE", "s"}, {"UNSUBSCRIBE"}, {"PUNSUBSCRIBE"}, {"SUNSUBSCRIBE"},
		{"MONITOR"}, {"SYNC"}, {"PSYNC", "?", "-1"}, {"REPLCONF", "x"}, {"QUIT"}, {"RESET"},
		{"AUTH", "pw"}, {"SELECT", "1"}, {"HELLO", "3"}, {"MULTI"}, {"EXEC"}, {"DISCARD"}, {"WATCH", "k"},
		{"UNWATCH"}, {"CLIENT", "REPLY", "OFF"}, {"CLIENT", "reply", "skip"}, {"SCRIPT", "DEBUG", "YES"},
	}
	allowed := [][]string{
		{"GET", "k"}, {"HELLO"}, {"CLIENT", "ID"}, {"CLIENT", "SETNAME", "x"}, {"SCRIPT", "LOAD", "return 1"},
		{"SET", "SUBSCRIBE", "MULTI"}, {"PUBLISH", "c", "m"}, {"AUTHX"},
	}
	build := func(args []string) *proto.Cmd {
		cmd := proto.NewCmd(args[0])
		for _, a := range args[1:] {
			cmd.Arg(a)
		}
		return cmd
	}
	for _, args := range refused {
		cmd := build(args)
		if err := handle.RefuseShared(cmd); !errors.Is(err, conn.ErrBadArgs) || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%v: have %v, want a refusal naming it", args, err)
		}
		cmd.Release()
	}
	for _, args := range allowed {
		cmd := build(args)
		if err := handle.RefuseShared(cmd); err != nil {
			t.Errorf("%v refused: %v", args, err)
		}
		cmd.Release()
	}
}

func TestMarkBlocking(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want time.Duration
		ok   bool
	}{
		{[]string{"BLPOP", "a", "b", "1.5"}, 1500 * time.Millisecond, true},
		{[]string{"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"}, 0, true},
		{[]string{"XREAD", "COUNT", "1", "BLOCK", "250", "STREAMS", "s", "$"}, 250 * time.Millisecond, true},
		{[]string{"WAIT", "1", "100"}, 100 * time.Millisecond, true},
		{[]string{"WAITAOF", "1", "0", "200"}, 200 * time.Millisecond, true},
		{[]string{"XREAD", "STREAMS", "s", "0"}, 0, false},
		{[]string{"GET", "k"}, 0, false},
	} {
		cmd := proto.NewCmd(tc.args[0])
		for _, a := range tc.args[1:] {
			cmd.Arg(a)
		}
		handle.MarkBlocking(cmd)
		d, ok := cmd.Blocking()
		if ok != tc.ok || d != tc.want {
			t.Errorf("%v: blocking %v %v, want %v %v", tc.args, ok, d, tc.ok, tc.want)
		}
		cmd.Release()
	}
}

func TestAddresses(t *testing.T) {
	for _, tc := range []struct{ in, network, addr string }{
		{"127.0.0.1:6379", "tcp", "127.0.0.1:6379"},
		{"tcp://[::1]:6380", "tcp", "[::1]:6380"},
		{"/tmp/redis.sock", "unix", "/tmp/redis.sock"},
		{"unix:///tmp/redis.sock", "unix", "/tmp/redis.sock"},
	} {
		if n, a := handle.Network(tc.in); n != tc.network || a != tc.addr {
			t.Errorf("Network(%q) = %q %q, want %q %q", tc.in, n, a, tc.network, tc.addr)
		}
	}
	const pw = "s3cr3t-pw"
	for _, tc := range []struct{ in, want string }{
		{"127.0.0.1:6379", "127.0.0.1:6379"},
		{"redis://u:" + pw + "@h:1/2?client_name=" + pw, "redis://u:xxxxx@h:1/2"},
		{"rediss://:" + pw + "@h", "rediss://:xxxxx@h"},
		{"redis://u:" + pw + "@h:p:x/%zz", "redis://xxxxx@h:p:x/%zz"},
	} {
		got := handle.RedactAddr(tc.in)
		if got != tc.want || (tc.in != tc.want && strings.Contains(got, pw)) {
			t.Errorf("RedactAddr(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// printed has a Format method through WriteFormatted.
type printed struct{ secret string }

func (p printed) Format(f fmt.State, verb rune) {
	handle.WriteFormatted(f, verb, "printed{"+handle.Redacted+"}")
}

func TestWriteFormatted(t *testing.T) {
	p := printed{secret: "pw"}
	for verb, want := range map[string]string{"%v": "printed{[redacted]}", "%+v": "printed{[redacted]}", "%#v": "printed{[redacted]}", "%q": `"printed{[redacted]}"`, "%x": "printed{[redacted]}"} {
		if got := fmt.Sprintf(verb, p); got != want {
			t.Errorf("%s: %s, want %s", verb, got, want)
		}
	}
}

// TestRedactedIsWhatOptionsPrint: conn prints handle.Redacted for a
// password, so a handle printing its own options matches it.
func TestRedactedIsWhatOptionsPrint(t *testing.T) {
	out := fmt.Sprint(conn.Options{Password: "pw-1234"})
	if !strings.Contains(out, "Password:"+handle.Redacted) || strings.Contains(out, "pw-1234") {
		t.Fatalf("conn.Options prints %s; want Password:%s", out, handle.Redacted)
	}
}
