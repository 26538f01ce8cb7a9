package conn

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// Nullable is an element of a reply that may hold nils, such as MGET's
// or HMGET's: Valid is false where the server sent a nil (a missing key
// or field), and V holds the value otherwise. It is the element type of
// every array reply with holes, like database/sql's Null.
type Nullable[T any] struct {
	V     T
	Valid bool
}

// String returns V as fmt prints it, or "<nil>" when not Valid (where
// txredisapi has None).
func (n Nullable[T]) String() string { return fmt.Sprint(n) }

// Format prints a Nullable as the value it holds, with the verb and flags
// given (%q of a Valid Nullable[string] quotes it), and "<nil>", padded to
// the width, when not Valid: []Nullable[string] prints as [a <nil> c].
// %#v prints Go syntax.
func (n Nullable[T]) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "conn.Nullable[%T]{V:%#v, Valid:%t}", n.V, n.V, n.Valid)
	case n.Valid:
		fmt.Fprintf(f, fmt.FormatString(f, verb), n.V)
	default:
		const null = "<nil>"
		w, _ := f.Width()
		pad := strings.Repeat(" ", max(w-len(null), 0))
		if f.Flag('-') {
			fmt.Fprint(f, null, pad)
		} else {
			fmt.Fprint(f, pad, null)
		}
	}
}

// ZMember is a sorted-set member with its score (WITHSCORES replies,
// ZADD arguments).
type ZMember struct {
	Member string
	Score  float64
}

// The conversions of the command methods: static functions, so that a
// command costs one allocation (its request) plus what its reply holds.
var (
	asString  = proto.Value.AsString
	asInt     = proto.Value.AsInt
	asFloat   = proto.Value.AsFloat
	asBool    = proto.Value.AsBool
	asStrings = proto.Value.AsStrings
	asMap     = proto.Value.AsMap
	asBytes   = proto.Value.AsBytes
)

// asOK fires with true for "OK" and false for a nil reply (SET NX that did
// not set, RENAMENX...).
func asOK(v proto.Value) (bool, error) {
	if v.IsNull() {
		return false, nil
	}
	return v.AsBool()
}

// asNullString converts a reply that may be nil.
func asNullString(v proto.Value) (Nullable[string], error) {
	if v.IsNull() {
		return Nullable[string]{}, nil
	}
	s, err := v.AsString()
	return Nullable[string]{V: s, Valid: err == nil}, err
}

// asNullStrings converts an array with holes (MGET, HMGET).
func asNullStrings(v proto.Value) ([]Nullable[string], error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]Nullable[string], len(elems))
	for i, e := range elems {
		if e.IsNull() {
			continue
		}
		if out[i].V, err = e.AsString(); err != nil {
			return nil, err
		}
		out[i].Valid = true
	}
	return out, nil
}

// asNullFloats converts an array of scores with holes (ZMSCORE).
func asNullFloats(v proto.Value) ([]Nullable[float64], error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]Nullable[float64], len(elems))
	for i, e := range elems {
		if e.IsNull() {
			continue
		}
		if out[i].V, err = e.AsFloat(); err != nil {
			return nil, err
		}
		out[i].Valid = true
	}
	return out, nil
}

// asNullInts converts an array of integers with holes (BITFIELD, LPOS).
func asNullInts(v proto.Value) ([]Nullable[int64], error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]Nullable[int64], len(elems))
	for i, e := range elems {
		if e.IsNull() {
			continue
		}
		if out[i].V, err = e.AsInt(); err != nil {
			return nil, err
		}
		out[i].Valid = true
	}
	return out, nil
}

// asInts converts an array of integers.
func asInts(v proto.Value) ([]int64, error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(elems))
	for i, e := range elems {
		if out[i], err = e.AsInt(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// asBools converts an array of 1/0 (SMISMEMBER, SCRIPT EXISTS).
func asBools(v proto.Value) ([]bool, error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(elems))
	for i, e := range elems {
		if out[i], err = e.AsBool(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// asNullFloat converts a score that may be nil (ZADD INCR aborted by a
// condition, ZSCORE of a missing member) to proto.ErrNil.
var asNullFloat = asFloat

// asZMembers converts a WITHSCORES reply: a RESP2 flat array of member,
// score, or a RESP3 array of [member, score] pairs.
func asZMembers(v proto.Value) ([]ZMember, error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	if len(elems) > 0 && elems[0].Kind == proto.Array {
		out := make([]ZMember, len(elems))
		for i, e := range elems {
			if len(e.Elems) != 2 {
				return nil, proto.ErrConversion
			}
			if out[i], err = zmember(e.Elems[0], e.Elems[1]); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if len(elems)%2 != 0 {
		return nil, proto.ErrConversion
	}
	out := make([]ZMember, len(elems)/2)
	for i := range out {
		if out[i], err = zmember(elems[2*i], elems[2*i+1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func zmember(m, s proto.Value) (ZMember, error) {
	member, err := m.AsString()
	if err != nil {
		return ZMember{}, err
	}
	score, err := s.AsFloat()
	return ZMember{Member: member, Score: score}, err
}

// asUnixTime converts a Unix time in seconds (LASTSAVE).
func asUnixTime(v proto.Value) (time.Time, error) {
	n, err := v.AsInt()
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(n, 0), nil
}

// asSecondsTTL converts a TTL reply in the given unit; -1 (no expiry) and
// -2 (no key) are returned as those many units, as the server sends them.
func asSecondsTTL(v proto.Value) (time.Duration, error) {
	n, err := v.AsInt()
	if n < 0 {
		return time.Duration(n), err
	}
	return time.Duration(n) * time.Second, err
}

func asMillisTTL(v proto.Value) (time.Duration, error) {
	n, err := v.AsInt()
	if n < 0 {
		return time.Duration(n), err
	}
	return time.Duration(n) * time.Millisecond, err
}

// withKeys returns a command name followed by keys.
func withKeys(name string, keys []string) *proto.Cmd {
	cmd := proto.NewCmd(name)
	for _, k := range keys {
		cmd.Key(k)
	}
	return cmd
}

// withKeyArgs returns a command name followed by one key and args.
func withKeyArgs(name, key string, args []string) *proto.Cmd {
	cmd := proto.NewCmd(name).Key(key)
	for _, a := range args {
		cmd.Arg(a)
	}
	return cmd
}

// keyword returns the one of words that s equals ignoring case, as words
// spells it, and reports whether there is one. Redis reads the keyword
// arguments of its commands (units, sort orders, sides, modes...)
// whatever their letter case, so the command methods accept any case and
// send the canonical form.
func keyword(s string, words ...string) (string, bool) {
	for _, w := range words {
		if strings.EqualFold(s, w) {
			return w, true
		}
	}
	return "", false
}

// fail returns a Deferred failed with BadArgs before anything is sent.
func fail[T any](command, format string, a ...any) *deferred.Deferred[T] {
	return deferred.Fail[T](plumb.BadArgs(command, format, a...))
}

// wholeSeconds returns d in seconds when it is a whole, positive number.
func wholeSeconds(d time.Duration) (int64, bool) {
	return int64(d / time.Second), d > 0 && d%time.Second == 0
}

// wholeMillis returns d in milliseconds when it is a positive whole number.
func wholeMillis(d time.Duration) (int64, bool) {
	return int64(d / time.Millisecond), d > 0 && d%time.Millisecond == 0
}

// blockSeconds returns a blocking timeout in the seconds that BLPOP and
// friends take (decimal since Redis 6); 0 blocks forever.
func blockSeconds(cmd *proto.Cmd, timeout time.Duration) *proto.Cmd {
	if timeout <= 0 {
		cmd.Arg("0")
	} else {
		cmd.Arg(strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64))
	}
	cmd.SetBlocking(timeout)
	return cmd
}
