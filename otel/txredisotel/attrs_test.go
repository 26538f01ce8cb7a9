package txredisotel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

func TestSanitizedQuery(t *testing.T) {
	long := strings.Repeat("k", 70)
	for _, tc := range []struct {
		cmd  *proto.Cmd
		want string
	}{
		{proto.NewCmd("SET").Key("user:1").Arg("secret value"), "SET user:1 ?"},
		{proto.NewCmd("HSET").Key("h").Arg("f").Arg("v"), "HSET h ? ?"},
		{proto.NewCmd("AUTH").Arg("user").Arg("pw"), "AUTH ? ?"},
		{proto.NewCmd("HELLO").Arg("3").Arg("AUTH").Arg("u").Arg("pw"), "HELLO ? ? ? ?"},
		{proto.NewCmd("MIGRATE").Arg("h").Arg("1").Key("k").Arg("0").Arg("5").Arg("AUTH").Arg("pw"), "MIGRATE ? ? k ? ? ? ?"},
		{proto.NewCmd("GET").Key("with space"), `GET "with space"`},
		{proto.NewCmd("GET").Key(long), "GET " + long[:64] + "..."},
		{proto.NewCmd("PING"), "PING"},
		{proto.NewCmd("MGET").Key("a").Key("b"), "MGET a b"},
	} {
		if have := SanitizedQuery(tc.cmd); have != tc.want {
			t.Errorf("have %q, want %q", have, tc.want)
		}
	}
	many := proto.NewCmd("DEL")
	for i := 0; i < 20; i++ {
		many.Key(fmt.Sprint("k", i))
	}
	if have := SanitizedQuery(many); !strings.HasSuffix(have, " k15 ...") {
		t.Errorf("long command: %q", have)
	}
}

func TestStoredProcedure(t *testing.T) {
	if p, ok := storedProcedure(proto.NewCmd("EVALSHA").Arg("abc123").Arg("0")); !ok || p != "abc123" {
		t.Errorf("EVALSHA: %q %v", p, ok)
	}
	if p, ok := storedProcedure(proto.NewCmd("FCALL").Arg("myfunc").Arg("0")); !ok || p != "myfunc" {
		t.Errorf("FCALL: %q %v", p, ok)
	}
	if _, ok := storedProcedure(proto.NewCmd("EVAL").Arg("return 1").Arg("0")); ok {
		t.Error("EVAL has no stored procedure")
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err             error
		errType, status string
	}{
		{nil, "", ""},
		{proto.NewError("WRONGTYPE Operation against a key"), "WRONGTYPE", "WRONGTYPE"},
		{fmt.Errorf("wrapped: %w", proto.NewError("MOVED 1 a:1")), "MOVED", "MOVED"},
		{&conn.ConnectionError{Op: "reply timeout", Err: conn.ErrTimeout}, "timeout", ""},
		{context.DeadlineExceeded, "timeout", ""},
		{conn.ErrWatch, "conn.ErrWatch", ""},
		{&conn.ConnectionError{Op: "closed", Err: conn.ErrClosed}, "conn.ErrClosed", ""},
		{&pool.ExhaustedError{}, "pool.ErrExhausted", ""},
		{&conn.ConnectionError{Op: "lost connection", Err: errors.New("EOF")}, "conn.ConnectionError", ""},
		{&net.OpError{Op: "dial", Err: errors.New("refused")}, "net.OpError", ""},
		{errors.New("something"), "_OTHER", ""},
		{context.Canceled, "context.Canceled", ""},
	} {
		et, st := classify(tc.err)
		if et != tc.errType || st != tc.status {
			t.Errorf("%v: have %q, %q; want %q, %q", tc.err, et, st, tc.errType, tc.status)
		}
	}
}
