package cmdinfo_test

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/txredis/txredis/internal/cmdinfo"
	"github.com/txredis/txredis/proto"
)

// Replies of COMMAND INFO from servers newer than the table, in RESP2 form.
var (
	bulk = proto.BulkValue
	num  = func(n int64) proto.Value { return proto.Value{Kind: proto.Integer, Int: n} }
	arr  = func(e ...proto.Value) proto.Value { return proto.Value{Kind: proto.Array, Elems: e} }
	sim  = func(ss ...string) proto.Value {
		var out []proto.Value
		for _, s := range ss {
			out = append(out, proto.SimpleValue(s))
		}
		return arr(out...)
	}
	rangeSpec = func(begin, last, step, limit int64, flags ...string) proto.Value {
		return arr(bulk("flags"), sim(flags...),
			bulk("begin_search"), arr(bulk("type"), bulk("index"), bulk("spec"), arr(bulk("index"), num(begin))),
			bulk("find_keys"), arr(bulk("type"), bulk("range"), bulk("spec"), arr(bulk("lastkey"), num(last), bulk("keystep"), num(step), bulk("limit"), num(limit))))
	}
	entry = func(name string, arity int64, flags []string, first, last, step int64, specs ...proto.Value) proto.Value {
		return arr(bulk(name), num(arity), sim(flags...), num(first), num(last), num(step), sim("@write"), arr(), arr(specs...), arr())
	}
	// Redis 7.4: HEXPIRE key seconds [NX|XX|GT|LT] FIELDS numfields field...
	hexpireInfo = arr(entry("hexpire", -6, []string{"write", "fast"}, 1, 1, 1, rangeSpec(1, 0, 1, 0, "RW", "UPDATE")))
	// Redis 7.2: WAITAOF numlocal numreplicas timeout, no key.
	waitaofInfo = arr(entry("waitaof", 4, []string{"noscript", "blocking"}, 0, 0, 0))
	// A module command registered with legacy key positions only.
	jsonMGetInfo = arr(entry("json.mget", -3, []string{"readonly", "module"}, 1, -2, 1))
	// A module command whose keys only the server can find.
	movableInfo = arr(entry("mod.movable", -2, []string{"module", "movablekeys"}, 0, 0, 0))
)

// scripted answers each asked command from replies, by its first
// arguments, and counts what it was asked.
type scripted struct {
	mu      sync.Mutex
	asked   []string
	replies map[string]proto.Value
	err     error // answer every ask with this connection error
}

func (s *scripted) ask(cmd *proto.Cmd, done func(proto.Value, error)) {
	var args []string
	for i := 0; i < cmd.Len(); i++ {
		args = append(args, string(cmd.ArgBytes(i)))
	}
	cmd.Release()
	line := strings.Join(args, " ")
	s.mu.Lock()
	s.asked = append(s.asked, line)
	err := s.err
	v, ok := s.replies[line]
	if !ok {
		v, ok = s.replies[strings.Join(args[:min(3, len(args))], " ")]
	}
	s.mu.Unlock()
	if err != nil {
		done(proto.Value{}, err)
		return
	}
	if !ok {
		v = arr(proto.Value{Kind: proto.Null})
	}
	done(v, nil)
}

func keysOf(t *testing.T, l *cmdinfo.Learner, s *scripted, args ...string) ([]string, error) {
	t.Helper()
	cmd := cmdOf(args...)
	defer cmd.Release()
	if cmdinfo.Known(cmd) {
		t.Fatalf("%v: Known, the Learner is not for it", args)
	}
	var have []string
	var herr error
	called := 0
	l.Keys(cmd, s.ask, func(keys []int, err error) {
		called++
		herr = err
		for _, k := range keys {
			have = append(have, args[k])
		}
	})
	if called != 1 {
		t.Fatalf("%v: done called %d times", args, called)
	}
	return have, herr
}

func TestLearnerKeys(t *testing.T) {
	s := &scripted{replies: map[string]proto.Value{
		"COMMAND INFO HEXPIRE":                hexpireInfo,
		"COMMAND INFO WAITAOF":                waitaofInfo,
		"COMMAND INFO JSON.MGET":              jsonMGetInfo,
		"COMMAND INFO MOD.MOVABLE":            movableInfo,
		"COMMAND INFO REFUSED":                proto.ErrorValue("NOPERM this user has no permissions to run the 'command|info' command"),
		"COMMAND GETKEYS MOD.MOVABLE a":       arr(bulk("k2"), bulk("k1")),
		"COMMAND GETKEYS MOD.MOVABLE k1 x k2": arr(bulk("k2"), bulk("k1")),
		"COMMAND GETKEYS MOD.MOVABLE none":    proto.ErrorValue("ERR The command has no key arguments"),
		"COMMAND GETKEYS MOD.MOVABLE bad":     proto.ErrorValue("ERR Invalid arguments specified for command"),
	}}
	var l cmdinfo.Learner
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"HEXPIRE", "h", "10", "FIELDS", "1", "f"}, []string{"h"}},
		{[]string{"hexpire", "h2", "10", "NX", "FIELDS", "2", "f", "g"}, []string{"h2"}},
		{[]string{"WAITAOF", "1", "0", "100"}, nil},
		{[]string{"JSON.MGET", "a", "b", "c", "$.x"}, []string{"a", "b", "c"}},
		{[]string{"MOD.MOVABLE", "k1", "x", "k2"}, []string{"k1", "k2"}},
		{[]string{"MOD.MOVABLE", "none"}, nil},
		{[]string{"MOD.MOVABLE", "bad"}, []string{"bad"}},      // refused: fallback
		{[]string{"JSON.GET", "doc", "$"}, []string{"doc"}},    // unknown to the server: fallback
		{[]string{"REFUSED", "k", "v"}, []string{"k"}},         // COMMAND refused: fallback
		{[]string{"CLIENT", "NO-TOUCH", "on"}, []string{"on"}}, // new subcommand: asks CLIENT|NO-TOUCH, fallback after it
		{[]string{"NOARGS"}, nil},                              // fallback without an argument: no key
	} {
		have, err := keysOf(t, &l, s, tc.args...)
		if err != nil || !reflect.DeepEqual(have, tc.want) {
			t.Errorf("%v: keys %q, %v; want %q", tc.args, have, err, tc.want)
		}
	}
	// Each name was asked once; a second HEXPIRE and MOD.MOVABLE used what
	// was learned (MOD.MOVABLE asks GETKEYS each time, by design).
	infos := 0
	for _, a := range s.asked {
		if strings.HasPrefix(a, "COMMAND INFO") {
			infos++
		}
	}
	if infos != 8 {
		t.Errorf("asked COMMAND INFO %d times, want once per name (8): %q", infos, s.asked)
	}
	if !contains(s.asked, "COMMAND INFO CLIENT|NO-TOUCH") {
		t.Errorf("a new subcommand was not asked as CLIENT|NO-TOUCH: %q", s.asked)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// A connection error is reported and not remembered: the next command
// asks again. Commands waiting for the same name share one question.
func TestLearnerErrorsAndWaiters(t *testing.T) {
	lost := errors.New("lost connection")
	s := &scripted{err: lost, replies: map[string]proto.Value{"COMMAND INFO HEXPIRE": hexpireInfo}}
	var l cmdinfo.Learner
	if _, err := keysOf(t, &l, s, "HEXPIRE", "h", "1", "FIELDS", "1", "f"); !errors.Is(err, lost) {
		t.Fatalf("err %v, want the connection error", err)
	}
	s.mu.Lock()
	s.err = nil
	s.mu.Unlock()
	if have, err := keysOf(t, &l, s, "HEXPIRE", "h", "1", "FIELDS", "1", "f"); err != nil || len(have) != 1 {
		t.Fatalf("after the error: %q, %v", have, err)
	}
	if len(s.asked) != 2 {
		t.Errorf("asked %q; want the question asked again after the error", s.asked)
	}

	// Held replies: every command waiting on the name gets the answer.
	var held []func()
	hold := func(cmd *proto.Cmd, done func(proto.Value, error)) {
		cmd.Release()
		held = append(held, func() { done(hexpireInfo, nil) })
	}
	var l2 cmdinfo.Learner
	results := make([][]int, 3)
	for i := range results {
		cmd := cmdOf("HEXPIRE", "k", "1", "FIELDS", "1", "f")
		defer cmd.Release()
		l2.Keys(cmd, hold, func(keys []int, err error) { results[i] = keys })
	}
	if len(held) != 1 {
		t.Fatalf("%d questions for 3 waiting commands, want 1", len(held))
	}
	held[0]()
	for i, r := range results {
		if !reflect.DeepEqual(r, []int{1}) {
			t.Errorf("waiter %d: keys %v", i, r)
		}
	}
}
