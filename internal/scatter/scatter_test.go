package scatter

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// fakeRouter groups keys by their first byte and answers each part as a
// server holding value "v:<key>" for every key would; group 'x' fails.
func fakeRouter(sent *[]string) Router {
	return Router{
		Group: func(key []byte) int { return int(key[0]) },
		Send: func(group int, cmd *proto.Cmd, r conn.Resolver) {
			var args []string
			for i := 1; i < cmd.Len(); i++ {
				args = append(args, string(cmd.ArgBytes(i)))
			}
			*sent = append(*sent, cmd.Name()+" "+strings.Join(args, " "))
			name := cmd.Name()
			cmd.Release()
			if group == 'x' {
				r.Resolve(proto.ErrorValue("ERR part failed"), nil)
				return
			}
			switch name {
			case "MGET":
				vals := make([]proto.Value, len(args))
				for i, a := range args {
					vals[i] = proto.BulkValue("v:" + a)
				}
				r.Resolve(proto.ArrayValue(vals...), nil)
			case "MSET":
				r.Resolve(proto.SimpleValue("OK"), nil)
			default:
				r.Resolve(proto.IntValue(int64(len(args))), nil)
			}
		},
		Wrap: func(group int, err error) error { return fmt.Errorf("group %c: %w", group, err) },
	}
}

func split(t *testing.T, rt Router, args ...string) (proto.Value, error) {
	t.Helper()
	cmd := proto.NewCmd(args[0])
	var keys []int
	for i, a := range args[1:] {
		if args[0] != "MSET" || i%2 == 0 {
			cmd.Key(a)
			keys = append(keys, i+1)
		} else {
			cmd.Arg(a)
		}
	}
	if !Splittable(cmd, keys) {
		t.Fatalf("%v is not splittable", args)
	}
	var have proto.Value
	var herr error
	fired := 0
	Split(cmd, keys, rt, conn.ResolverFunc(func(v proto.Value, err error) { have, herr = v, err; fired++ }))
	if fired != 1 {
		t.Fatalf("resolved %d times", fired)
	}
	return have, herr
}

func TestSplitGathers(t *testing.T) {
	var sent []string
	rt := fakeRouter(&sent)
	v, err := split(t, rt, "MGET", "a1", "b1", "a2", "c1", "b2")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"v:a1", "v:b1", "v:a2", "v:c1", "v:b2"}
	for i, e := range v.Elems {
		if e.Str != want[i] {
			t.Fatalf("MGET in key order: have %v, want %v", v, want)
		}
	}
	if fmt.Sprint(sent) != "[MGET a1 a2 MGET b1 b2 MGET c1]" {
		t.Fatalf("parts %v", sent)
	}
	if v, err := split(t, rt, "DEL", "a1", "b1", "a2"); err != nil || v.Int != 3 {
		t.Fatalf("DEL sum: %v, %v", v, err)
	}
	sent = nil
	if v, err := split(t, rt, "MSET", "a1", "1", "b1", "2"); err != nil || v.Str != "OK" {
		t.Fatalf("MSET: %v, %v", v, err)
	}
	if fmt.Sprint(sent) != "[MSET a1 1 MSET b1 2]" {
		t.Fatalf("MSET parts keep each value with its key: %v", sent)
	}
}

func TestSplitPartErrorsAreNamedAndJoined(t *testing.T) {
	var sent []string
	_, err := split(t, fakeRouter(&sent), "MGET", "a1", "x1", "b1")
	var perr *proto.Error
	if !errors.As(err, &perr) || !strings.Contains(err.Error(), "group x") {
		t.Fatalf("have %v, want the part's server error naming its group", err)
	}
}

func TestSplittable(t *testing.T) {
	for _, tc := range []struct {
		args []string
		keys []int
		want bool
	}{
		{[]string{"MGET", "a", "b"}, []int{1, 2}, true},
		{[]string{"MSET", "a", "1", "b", "2"}, []int{1, 3}, true},
		{[]string{"MSET", "a", "1", "b"}, []int{1, 3}, false},
		{[]string{"SUNION", "a", "b"}, []int{1, 2}, false},
		{[]string{"DEL", "a", "b"}, []int{1}, false}, // not every argument a key
	} {
		cmd := proto.NewCmd(tc.args[0])
		for _, a := range tc.args[1:] {
			cmd.Arg(a)
		}
		if have := Splittable(cmd, tc.keys); have != tc.want {
			t.Errorf("Splittable%v %v = %v, want %v", tc.args, tc.keys, have, tc.want)
		}
		cmd.Release()
	}
}
