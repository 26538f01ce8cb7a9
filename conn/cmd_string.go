package conn

import (
	"math"
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// SetArgs are the options of SET. At most one of EX, PX, EXAT, PXAT and
// KeepTTL may be given, and not both NX and XX. EX and EXAT are sent in
// whole seconds (EX must be a whole number of seconds), PX and PXAT in
// milliseconds.
type SetArgs struct {
	EX, PX     time.Duration // expire after (EX seconds, PX milliseconds)
	EXAT, PXAT time.Time     // expire at (EXAT seconds, PXAT milliseconds)
	NX, XX     bool          // only set if the key does not / does exist
	KeepTTL    bool          // keep the key's time to live
	Get        bool          // return the old value (SetGet sets it)
}

// setCmd builds SET with its options in the order of the Redis docs:
// SET key value [NX | XX] [GET] [EX | PX | EXAT | PXAT | KEEPTTL].
func setCmd(key string, value []byte, str string, a SetArgs) (*proto.Cmd, error) {
	n := 0
	for _, set := range []bool{a.EX != 0, a.PX != 0, !a.EXAT.IsZero(), !a.PXAT.IsZero(), a.KeepTTL} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return nil, plumb.BadArgs("SET", "at most one of EX, PX, EXAT, PXAT and KEEPTTL")
	case a.NX && a.XX:
		return nil, plumb.BadArgs("SET", "NX and XX are exclusive")
	case a.EX < 0 || a.PX < 0:
		return nil, plumb.BadArgs("SET", "negative expiry")
	}
	ex, okEX := wholeSeconds(a.EX)
	if a.EX != 0 && !okEX {
		return nil, plumb.BadArgs("SET", "EX %v is not a whole number of seconds (use PX)", a.EX)
	}
	px, okPX := wholeMillis(a.PX)
	if a.PX != 0 && !okPX {
		return nil, plumb.BadArgs("SET", "PX %v is not a whole number of milliseconds", a.PX)
	}
	cmd := proto.NewCmd("SET").Key(key)
	if value != nil {
		cmd.Bytes(value)
	} else {
		cmd.Arg(str)
	}
	switch {
	case a.NX:
		cmd.Arg("NX")
	case a.XX:
		cmd.Arg("XX")
	}
	if a.Get {
		cmd.Arg("GET")
	}
	switch {
	case a.EX != 0:
		cmd.Arg("EX").Int(ex)
	case a.PX != 0:
		cmd.Arg("PX").Int(px)
	case !a.EXAT.IsZero():
		cmd.Arg("EXAT").Int(a.EXAT.Unix())
	case !a.PXAT.IsZero():
		cmd.Arg("PXAT").Int(a.PXAT.UnixMilli())
	case a.KeepTTL:
		cmd.Arg("KEEPTTL")
	}
	return cmd, nil
}

// SetWithArgs sets key to value with the options of args and fires with
// true when it was set, false when an NX or XX condition kept it from
// being set. args.Get must be false: use SetGet for SET ... GET.
func (c Commands) SetWithArgs(key, value string, args SetArgs) *deferred.Deferred[bool] {
	if args.Get {
		return fail[bool]("SET", "use SetGet for the GET option")
	}
	cmd, err := setCmd(key, nil, value, args)
	if err != nil {
		return deferred.Fail[bool](err)
	}
	return request(c.s, cmd, asOK)
}

// SetGet sets key to value with the options of args (SET ... GET) and
// fires with the old value, not Valid when the key did not exist.
func (c Commands) SetGet(key, value string, args SetArgs) *deferred.Deferred[Nullable[string]] {
	args.Get = true
	cmd, err := setCmd(key, nil, value, args)
	if err != nil {
		return deferred.Fail[Nullable[string]](err)
	}
	return request(c.s, cmd, asNullString)
}

// SetBytes sets key to the bytes of value and fires with "OK".
func (c Commands) SetBytes(key string, value []byte) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("SET").Key(key).Bytes(value), asString)
}

// SetBytesWithArgs is SetWithArgs for a []byte value.
func (c Commands) SetBytesWithArgs(key string, value []byte, args SetArgs) *deferred.Deferred[bool] {
	if args.Get {
		return fail[bool]("SET", "use SetGet for the GET option")
	}
	if value == nil {
		value = []byte{}
	}
	cmd, err := setCmd(key, value, "", args)
	if err != nil {
		return deferred.Fail[bool](err)
	}
	return request(c.s, cmd, asOK)
}

// GetBytes returns the value of key as a new []byte; a missing key fails
// with proto.ErrNil.
func (c Commands) GetBytes(key string) *deferred.Deferred[[]byte] {
	return request(c.s, proto.NewCmd("GET").Key(key), asBytes)
}

// SetNX sets key to value only if it does not exist and fires with true
// when it did not (txredisapi's setnx).
func (c Commands) SetNX(key, value string) *deferred.Deferred[bool] {
	return request(c.s, proto.NewCmd("SETNX").Key(key).Arg(value), asBool)
}

// SetEx sets key to value with a time to live of ttl, in whole seconds,
// and fires with "OK".
func (c Commands) SetEx(key string, ttl time.Duration, value string) *deferred.Deferred[string] {
	s, ok := wholeSeconds(ttl)
	if !ok {
		return fail[string]("SETEX", "ttl %v is not a positive whole number of seconds", ttl)
	}
	return request(c.s, proto.NewCmd("SETEX").Key(key).Int(s).Arg(value), asString)
}

// PSetEx sets key to value with a time to live of ttl, in milliseconds,
// and fires with "OK".
func (c Commands) PSetEx(key string, ttl time.Duration, value string) *deferred.Deferred[string] {
	ms, ok := wholeMillis(ttl)
	if !ok {
		return fail[string]("PSETEX", "ttl %v is not a positive whole number of milliseconds", ttl)
	}
	return request(c.s, proto.NewCmd("PSETEX").Key(key).Int(ms).Arg(value), asString)
}

// GetSet sets key to value and fires with the old value; proto.ErrNil
// when there was none.
func (c Commands) GetSet(key, value string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("GETSET").Key(key).Arg(value), asString)
}

// GetDel deletes key and fires with its value; proto.ErrNil when missing.
func (c Commands) GetDel(key string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("GETDEL").Key(key), asString)
}

// GetExArgs are the options of GETEX: at most one of them.
type GetExArgs struct {
	EX, PX     time.Duration
	EXAT, PXAT time.Time
	Persist    bool
}

// GetEx fires with the value of key (proto.ErrNil when missing) and sets
// or removes its expiry as args say.
func (c Commands) GetEx(key string, args GetExArgs) *deferred.Deferred[string] {
	n := 0
	for _, set := range []bool{args.EX != 0, args.PX != 0, !args.EXAT.IsZero(), !args.PXAT.IsZero(), args.Persist} {
		if set {
			n++
		}
	}
	if n > 1 {
		return fail[string]("GETEX", "at most one of EX, PX, EXAT, PXAT and PERSIST")
	}
	cmd := proto.NewCmd("GETEX").Key(key)
	switch {
	case args.EX != 0:
		s, ok := wholeSeconds(args.EX)
		if !ok {
			return failed[string](cmd, plumb.BadArgs("GETEX", "EX %v is not a positive whole number of seconds", args.EX))
		}
		cmd.Arg("EX").Int(s)
	case args.PX != 0:
		ms, ok := wholeMillis(args.PX)
		if !ok {
			return failed[string](cmd, plumb.BadArgs("GETEX", "PX %v is not a positive whole number of milliseconds", args.PX))
		}
		cmd.Arg("PX").Int(ms)
	case !args.EXAT.IsZero():
		cmd.Arg("EXAT").Int(args.EXAT.Unix())
	case !args.PXAT.IsZero():
		cmd.Arg("PXAT").Int(args.PXAT.UnixMilli())
	case args.Persist:
		cmd.Arg("PERSIST")
	}
	return request(c.s, cmd, asString)
}

// GetRange fires with the substring of the value of key from start to end,
// both included, negative offsets counting from the end (also SUBSTR).
func (c Commands) GetRange(key string, start, end int64) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("GETRANGE").Key(key).Int(start).Int(end), asString)
}

// SetRange overwrites the value of key from offset with value and fires
// with the new length.
func (c Commands) SetRange(key string, offset int64, value string) *deferred.Deferred[int64] {
	if offset < 0 {
		return fail[int64]("SETRANGE", "negative offset %d", offset)
	}
	return request(c.s, proto.NewCmd("SETRANGE").Key(key).Int(offset).Arg(value), asInt)
}

// Append appends value to the value of key and fires with the new length.
func (c Commands) Append(key, value string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("APPEND").Key(key).Arg(value), asInt)
}

// StrLen fires with the length of the value of key (0 when missing).
func (c Commands) StrLen(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("STRLEN").Key(key), asInt)
}

// IncrBy increments the integer at key by n and fires with the new value.
func (c Commands) IncrBy(key string, n int64) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("INCRBY").Key(key).Int(n), asInt)
}

// Decr decrements the integer at key by one and fires with the new value.
func (c Commands) Decr(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("DECR").Key(key), asInt)
}

// DecrBy decrements the integer at key by n and fires with the new value.
func (c Commands) DecrBy(key string, n int64) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("DECRBY").Key(key).Int(n), asInt)
}

// IncrByFloat increments the number at key by f and fires with the new
// value. A NaN or infinite f, which the server refuses, fails with
// ErrBadArgs before anything is sent (as ZAdd refuses a NaN score).
func (c Commands) IncrByFloat(key string, f float64) *deferred.Deferred[float64] {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return deferred.Fail[float64](plumb.BadArgs("INCRBYFLOAT", "increment %v is not a finite number", f))
	}
	return request(c.s, proto.NewCmd("INCRBYFLOAT").Key(key).Float(f), asFloat)
}

// MGet fires with the values of keys, in order; a missing key is an
// element that is not Valid.
func (c Commands) MGet(keys ...string) *deferred.Deferred[[]Nullable[string]] {
	if len(keys) == 0 {
		return fail[[]Nullable[string]]("MGET", "no keys given")
	}
	return request(c.s, withKeys("MGET", keys), asNullStrings)
}

// pairsCmd builds name key value [key value ...], failing on odd or empty
// pairs.
func pairsCmd(name string, kv []string) (*proto.Cmd, error) {
	if len(kv) == 0 || len(kv)%2 != 0 {
		return nil, plumb.BadArgs(name, "want key, value pairs, got %d arguments", len(kv))
	}
	cmd := proto.NewCmd(name)
	for i := 0; i < len(kv); i += 2 {
		cmd.Key(kv[i]).Arg(kv[i+1])
	}
	return cmd, nil
}

// MSet sets each key to its value, given as key, value pairs, and fires
// with "OK".
func (c Commands) MSet(keysAndValues ...string) *deferred.Deferred[string] {
	cmd, err := pairsCmd("MSET", keysAndValues)
	if err != nil {
		return deferred.Fail[string](err)
	}
	return request(c.s, cmd, asString)
}

// MSetNX sets the key, value pairs only if none of the keys exists and
// fires with true when they were set.
func (c Commands) MSetNX(keysAndValues ...string) *deferred.Deferred[bool] {
	cmd, err := pairsCmd("MSETNX", keysAndValues)
	if err != nil {
		return deferred.Fail[bool](err)
	}
	return request(c.s, cmd, asBool)
}

// LCS fires with the longest common substring of the values of two keys.
func (c Commands) LCS(key1, key2 string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("LCS").Key(key1).Key(key2), asString)
}

// LCSLen fires with the length of the longest common substring of the
// values of two keys.
func (c Commands) LCSLen(key1, key2 string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("LCS").Key(key1).Key(key2).Arg("LEN"), asInt)
}

// LCSMatch is one match of LCS IDX: the ranges, both ends included, in the
// first and the second value, and its length (with WITHMATCHLEN).
type LCSMatch struct {
	A, B [2]int64
	Len  int64
}

// LCSIndex is the reply of LCS IDX.
type LCSIndex struct {
	Matches []LCSMatch
	Len     int64
}

// LCSIdx fires with the positions of the matches of the longest common
// substring of two keys' values, ignoring matches shorter than minMatchLen.
func (c Commands) LCSIdx(key1, key2 string, minMatchLen int64, withMatchLen bool) *deferred.Deferred[LCSIndex] {
	cmd := proto.NewCmd("LCS").Key(key1).Key(key2).Arg("IDX")
	if minMatchLen > 0 {
		cmd.Arg("MINMATCHLEN").Int(minMatchLen)
	}
	if withMatchLen {
		cmd.Arg("WITHMATCHLEN")
	}
	return request(c.s, cmd, asLCSIndex)
}

func asLCSIndex(v proto.Value) (LCSIndex, error) {
	var out LCSIndex
	elems, err := v.AsValues()
	if err != nil {
		return out, err
	}
	for i := 0; i+1 < len(elems); i += 2 {
		switch elems[i].Str {
		case "len":
			out.Len, err = elems[i+1].AsInt()
		case "matches":
			for _, m := range elems[i+1].Elems {
				var lm LCSMatch
				if len(m.Elems) < 2 || len(m.Elems[0].Elems) != 2 || len(m.Elems[1].Elems) != 2 {
					return out, proto.ErrConversion
				}
				lm.A[0], lm.A[1] = m.Elems[0].Elems[0].Int, m.Elems[0].Elems[1].Int
				lm.B[0], lm.B[1] = m.Elems[1].Elems[0].Int, m.Elems[1].Elems[1].Int
				if len(m.Elems) > 2 {
					lm.Len = m.Elems[2].Int
				}
				out.Matches = append(out.Matches, lm)
			}
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
