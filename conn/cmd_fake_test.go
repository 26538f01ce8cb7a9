package conn_test

import (
	"bufio"
	"bytes"
	"reflect"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// recorder is a Sender without a network: it keeps the wire bytes, key
// indexes and blocking timeout of each command and answers with reply.
type recorder struct {
	reply    proto.Value
	wire     [][]byte
	keys     [][]int
	blocking []bool
	names    []string
}

func (r *recorder) Send(cmd *proto.Cmd, res conn.Resolver) {
	r.wire = append(r.wire, cmd.AppendTo(nil))
	r.keys = append(r.keys, cmd.KeyIndexes())
	_, b := cmd.Blocking()
	r.blocking = append(r.blocking, b)
	r.names = append(r.names, cmd.Name())
	cmd.Release()
	res.Resolve(r.reply, nil)
}

// last returns the wire bytes of the last command sent.
func (r *recorder) last(t testing.TB) string {
	t.Helper()
	if len(r.wire) == 0 {
		t.Fatal("nothing sent")
	}
	return string(r.wire[len(r.wire)-1])
}

func TestDoMarksKeys(t *testing.T) {
	for _, tc := range []struct {
		args []any
		keys []int
	}{
		{[]any{"GET", "k"}, []int{1}},
		{[]any{"mset", "a", 1, "b", 2}, []int{1, 3}},
		{[]any{"EVAL", "return 1", 2, "k1", []byte("k2"), "arg"}, []int{3, 4}},
		{[]any{"XREAD", "COUNT", 1, "STREAMS", "s1", "s2", "0", "0"}, []int{4, 5}},
		{[]any{"ZUNIONSTORE", "d", 2, "a", "b"}, []int{1, 3, 4}},
		{[]any{"XINFO", "STREAM", "s"}, []int{2}},
		{[]any{"PING"}, []int{}},
		{[]any{"NOSUCHCOMMAND", "x"}, []int{}},
	} {
		r := &recorder{reply: proto.SimpleValue("OK")}
		testutil.Must(t, conn.NewCommands(r).Do(tc.args...))
		if len(r.keys[0]) != len(tc.keys) || (len(tc.keys) > 0 && !reflect.DeepEqual(r.keys[0], tc.keys)) {
			t.Errorf("Do%v: keys %v, want %v", tc.args, r.keys[0], tc.keys)
		}
		want := []string{}
		for _, a := range tc.args {
			c := proto.NewCmd("X")
			_ = c.Any(a)
			want = append(want, string(c.ArgBytes(1)))
			c.Release()
		}
		want[0] = r.names[0]
		if have := r.last(t); have != string(proto.AppendCommand(nil, want...)) {
			t.Errorf("Do%v sent %q", tc.args, have)
		}
	}
}

func TestDoMarksBlocking(t *testing.T) {
	r := &recorder{reply: proto.NullValue()}
	testutil.Must(t, conn.NewCommands(r).Do("BLPOP", "a", "b", 1))
	if !r.blocking[0] || !reflect.DeepEqual(r.keys[0], []int{1, 2}) {
		t.Errorf("BLPOP via Do: blocking %v keys %v", r.blocking[0], r.keys[0])
	}
	// WAITAOF (Redis 7.2) is newer than the command table: Do knows it
	// blocks, so that a pool gives it a connection of its own.
	testutil.Must(t, conn.NewCommands(r).Do("WAITAOF", 1, 0, 100))
	if !r.blocking[1] {
		t.Error("WAITAOF via Do is not marked blocking")
	}
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(b)) }

// keysOf is cmdinfo.Keys, reached through Do's marking: it sends cmd's
// arguments through Do on a recorder and returns the keys marked.
func keysOf(cmd *proto.Cmd) []int {
	r := &recorder{reply: proto.SimpleValue("OK")}
	args := []any{cmd.Name()}
	for i := 1; i < cmd.Len(); i++ {
		args = append(args, string(cmd.ArgBytes(i)))
	}
	conn.NewCommands(r).Do(args...)
	return r.keys[0]
}
