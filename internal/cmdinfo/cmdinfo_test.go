package cmdinfo_test

import (
	"bufio"
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/txredis/txredis/internal/cmdinfo"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/proto"
)

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		name, want, group string
	}{
		{"get", "GET", "string"},
		{"GET", "GET", "string"},
		{"client|setname", "CLIENT|SETNAME", "connection"},
		{"CLIENT SETNAME", "CLIENT|SETNAME", "connection"},
		{"xinfo stream", "XINFO|STREAM", "stream"},
		{"client nosuchsub", "CLIENT", "connection"},
		{"zadd", "ZADD", "sorted-set"},
	} {
		info, ok := cmdinfo.Lookup(tc.name)
		if !ok || info.Name != tc.want || info.Group != tc.group {
			t.Errorf("Lookup(%q) = %q group %q, %v; want %q group %q", tc.name, info.Name, info.Group, ok, tc.want, tc.group)
		}
	}
	if _, ok := cmdinfo.Lookup("nosuchcommand"); ok {
		t.Error("Lookup of an unknown command succeeded")
	}
}

func TestFlags(t *testing.T) {
	blpop, _ := cmdinfo.Lookup("BLPOP")
	if !blpop.Blocking() || !blpop.Write() || blpop.ReadOnly() {
		t.Errorf("BLPOP flags %v", blpop.Flags)
	}
	get, _ := cmdinfo.Lookup("get")
	if get.Blocking() || !get.ReadOnly() || !get.Has(cmdinfo.FlagFast) {
		t.Errorf("GET flags %v", get.Flags)
	}
	if get.FirstKey != 1 || get.LastKey != 1 || get.Step != 1 || get.Arity != 2 {
		t.Errorf("GET legacy keys %d %d %d arity %d", get.FirstKey, get.LastKey, get.Step, get.Arity)
	}
	if got := get.Flags.String(); got != "readonly fast" {
		t.Errorf("GET flags string %q", got)
	}
	setname, _ := cmdinfo.Lookup("client setname")
	if setname.Parent != "CLIENT" || setname.Subcommand() != "SETNAME" {
		t.Errorf("CLIENT SETNAME parent %q sub %q", setname.Parent, setname.Subcommand())
	}
}

func cmdOf(args ...string) *proto.Cmd {
	c := proto.NewCmd(args[0])
	for _, a := range args[1:] {
		c.Arg(a)
	}
	return c
}

// keyCases are commands whose keys are found in each of the ways the key
// specifications allow.
var keyCases = [][]string{
	{"GET", "k"},
	{"SET", "k", "v", "PX", "100"},
	{"MSET", "a", "1", "b", "2", "c", "3"},
	{"MGET", "a", "b", "c"},
	{"DEL", "a", "b"},
	{"EVAL", "return 1", "2", "k1", "k2", "a1"},
	{"EVALSHA", "0123456789012345678901234567890123456789", "0", "a1"},
	{"FCALL", "f", "1", "k1", "a"},
	{"ZUNIONSTORE", "dst", "2", "z1", "z2", "WEIGHTS", "1", "2"},
	{"ZUNION", "2", "z1", "z2"},
	{"LMPOP", "2", "l1", "l2", "LEFT"},
	{"BLMPOP", "0", "2", "l1", "l2", "LEFT", "COUNT", "2"},
	{"SINTERCARD", "2", "s1", "s2", "LIMIT", "1"},
	{"XREAD", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"},
	{"XREADGROUP", "GROUP", "g", "c", "BLOCK", "10", "STREAMS", "s1", "s2", ">", ">"},
	{"SORT", "k", "BY", "w_*", "STORE", "dst"},
	{"SORT", "k", "LIMIT", "0", "1", "GET", "store", "STORE", "d2"},
	{"SORT_RO", "k", "GET", "#"},
	{"MIGRATE", "h", "6379", "k", "0", "100", "AUTH", "keys"},
	{"MIGRATE", "h", "6379", "", "0", "100", "KEYS", "a", "b"},
	{"XINFO", "STREAM", "s"},
	{"OBJECT", "ENCODING", "k"},
	{"BLPOP", "l1", "l2", "0"},
	{"GEORADIUS", "g", "0", "0", "1", "km", "STORE", "dst"},
	{"BITOP", "AND", "dst", "a", "b"},
	{"RENAME", "a", "b"},
	{"CLIENT", "SETNAME", "x"},
	{"PING"},
	{"PUBLISH", "ch", "m"},
	{"SMOVE", "a", "b", "m"},
}

// TestKeysMatchServer compares Keys with the server's own COMMAND GETKEYS.
func TestKeysMatchServer(t *testing.T) {
	srv := testserver.Start(t)
	nc, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	r := proto.NewReader(bufio.NewReader(nc), proto.ReaderOptions{})
	for _, args := range keyCases {
		if _, err := nc.Write(proto.AppendCommand(nil, append([]string{"COMMAND", "GETKEYS"}, args...)...)); err != nil {
			t.Fatal(err)
		}
		v, err := r.ReadValue()
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		if !v.IsError() {
			want, _ = v.AsStrings()
		}
		cmd := cmdOf(args...)
		var have []string
		for _, i := range cmdinfo.Keys(cmd) {
			have = append(have, args[i])
		}
		cmd.Release()
		if strings.Join(have, " ") != strings.Join(want, " ") {
			t.Errorf("%v: have keys %q, server says %q (%v)", args, have, want, v)
		}
	}
}

func TestKeysOf(t *testing.T) {
	args := [][]byte{[]byte("xread"), []byte("streams"), []byte("a"), []byte("b"), []byte("0"), []byte("0")}
	if have, want := cmdinfo.KeysOf(args), []int{2, 3}; !reflect.DeepEqual(have, want) {
		t.Errorf("KeysOf(xread) = %v, want %v", have, want)
	}
	if have := cmdinfo.KeysOf([][]byte{[]byte("EVAL"), []byte("s"), []byte("x")}); have != nil {
		t.Errorf("EVAL with a bad numkeys: keys %v, want none", have)
	}
	if have := cmdinfo.KeysOf([][]byte{[]byte("NOSUCH"), []byte("k")}); have != nil {
		t.Errorf("unknown command: keys %v", have)
	}
}

// TestTableMatchesServer checks the generated table against a live
// server of the same major version: every top-level command is known.
func TestTableMatchesServer(t *testing.T) {
	srv := testserver.Start(t)
	nc, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	r := proto.NewReader(bufio.NewReader(nc), proto.ReaderOptions{})
	if _, err := nc.Write(proto.AppendCommand(nil, "COMMAND", "LIST")); err != nil {
		t.Fatal(err)
	}
	v, err := r.ReadValue()
	if err != nil {
		t.Fatal(err)
	}
	names, err := v.AsStrings()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Write(proto.AppendCommand(nil, "INFO", "server")); err != nil {
		t.Fatal(err)
	}
	iv, err := r.ReadValue()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(iv.Str, "redis_version:"+cmdinfo.RedisVersion[:2]) {
		t.Skipf("server is not Redis %s.x", cmdinfo.RedisVersion[:1])
	}
	for _, n := range names {
		if _, ok := cmdinfo.Lookup(n); !ok {
			t.Errorf("server command %q missing from the table", n)
		}
	}
	// COMMAND LIST names subcommands too ("client|setname").
	if n := len(cmdinfo.All()); n != len(names) {
		t.Errorf("table has %d commands and subcommands, server %d", n, len(names))
	}
}
