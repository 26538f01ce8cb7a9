package conn

import (
	"encoding/binary"
	"errors"
	"maps"
	"slices"
	"strconv"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// The read methods of a cached view. Each is the method of the same name
// of Commands, answered from the cache of the connection that serves the
// key when it can. A read's entry is named by its key and its signature:
// the command name and the arguments after the key, each argument
// prefixed by its length so that no two reads share a signature.

var (
	sigGET     = []byte("GET")
	sigSTRLEN  = []byte("STRLEN")
	sigEXISTS  = []byte("EXISTS")
	sigHGETALL = []byte("HGETALL")
	sigHLEN    = []byte("HLEN")
	sigSMEMB   = []byte("SMEMBERS")
	sigSCARD   = []byte("SCARD")
	sigZCARD   = []byte("ZCARD")
	sigLLEN    = []byte("LLEN")
)

// sigArgs appends the length-prefixed args to a signature.
func sigArgs(b []byte, args ...string) []byte {
	for _, a := range args {
		b = binary.AppendUvarint(b, uint64(len(a)))
		b = append(b, a...)
	}
	return b
}

// sigInts appends integer arguments to a signature.
func sigInts(b []byte, ns ...int64) []byte {
	for _, n := range ns {
		b = append(b, ' ')
		b = strconv.AppendInt(b, n, 10)
	}
	return b
}

// Get is Commands.Get through the cache: the value of key, proto.ErrNil
// when it is missing (a missing key is cached too).
func (v *Cached) Get(key string) *deferred.Deferred[string] {
	t, ok := v.route(key)
	if t == nil {
		return v.Commands.Get(key)
	}
	if d := hit[string](t, key, sigGET); d != nil {
		return d
	}
	return miss(v, t, ok, key, sigGET, proto.NewCmd("GET").Key(key), asString, nil)
}

// MGet is Commands.MGet through the cache, key by key: each key is
// cached as by Get (on the connection that serves it), so the keys may
// live on different nodes of a ring or a cluster.
func (v *Cached) MGet(keys ...string) *deferred.Deferred[[]Nullable[string]] {
	if len(keys) == 0 {
		return fail[[]Nullable[string]]("MGET", "no keys given")
	}
	out := make([]Nullable[string], len(keys))
	var ds []*deferred.Deferred[string]
	var at []int
	for i, k := range keys {
		d := v.Get(k)
		val, err, ok := d.Result()
		if !ok {
			ds = append(ds, d)
			at = append(at, i)
			continue
		}
		switch {
		case err == nil:
			out[i] = Nullable[string]{V: val, Valid: true}
		case !errors.Is(err, proto.ErrNil):
			return deferred.Fail[[]Nullable[string]](err)
		}
	}
	if len(ds) == 0 {
		return deferred.Succeed(out)
	}
	return deferred.Then(deferred.List(ds, deferred.ListOptions{}), func(outs []deferred.Outcome[string]) ([]Nullable[string], error) {
		for j, o := range outs {
			switch {
			case o.OK:
				out[at[j]] = Nullable[string]{V: o.Value, Valid: true}
			case !errors.Is(o.Err, proto.ErrNil):
				return nil, o.Err
			}
		}
		return out, nil
	})
}

// StrLen is Commands.StrLen through the cache.
func (v *Cached) StrLen(key string) *deferred.Deferred[int64] {
	return v.keyRead(key, sigSTRLEN, "STRLEN")
}

// Exists is Commands.Exists through the cache, key by key: it fires with
// how many of keys exist.
func (v *Cached) Exists(keys ...string) *deferred.Deferred[int64] {
	if len(keys) == 0 {
		return fail[int64]("EXISTS", "no keys given")
	}
	if len(keys) == 1 {
		return v.exists(keys[0])
	}
	ds := make([]*deferred.Deferred[int64], len(keys))
	for i, k := range keys {
		ds[i] = v.exists(k)
	}
	return deferred.Then(deferred.All(ds...), func(ns []int64) (int64, error) {
		var sum int64
		for _, n := range ns {
			sum += n
		}
		return sum, nil
	})
}

func (v *Cached) exists(key string) *deferred.Deferred[int64] {
	return v.keyRead(key, sigEXISTS, "EXISTS")
}

// keyRead is a cached read of an integer that takes the key only.
func (v *Cached) keyRead(key string, sig []byte, name string) *deferred.Deferred[int64] {
	t, ok := v.route(key)
	if t == nil {
		return request(v.r, proto.NewCmd(name).Key(key), asInt)
	}
	if d := hit[int64](t, key, sig); d != nil {
		return d
	}
	return miss(v, t, ok, key, sig, proto.NewCmd(name).Key(key), asInt, nil)
}

// HGet is Commands.HGet through the cache.
func (v *Cached) HGet(key, field string) *deferred.Deferred[string] {
	t, ok := v.route(key)
	if t == nil {
		return v.Commands.HGet(key, field)
	}
	var buf [64]byte
	sig := sigArgs(append(buf[:0], "HGET"...), field)
	if d := hit[string](t, key, sig); d != nil {
		return d
	}
	return miss(v, t, ok, key, sig, proto.NewCmd("HGET").Key(key).Arg(field), asString, nil)
}

// HMGet is Commands.HMGet through the cache: one entry per list of
// fields.
func (v *Cached) HMGet(key string, fields ...string) *deferred.Deferred[[]Nullable[string]] {
	if len(fields) == 0 {
		return fail[[]Nullable[string]]("HMGET", "no fields given")
	}
	t, ok := v.route(key)
	if t == nil {
		return v.Commands.HMGet(key, fields...)
	}
	var buf [128]byte
	sig := sigArgs(append(buf[:0], "HMGET"...), fields...)
	if d := hitCopy(t, key, sig, slices.Clone[[]Nullable[string]]); d != nil {
		return d
	}
	return miss(v, t, ok, key, sig, withKeyArgs("HMGET", key, fields), asNullStrings, slices.Clone[[]Nullable[string]])
}

// HGetAll is Commands.HGetAll through the cache; each caller gets its
// own map.
func (v *Cached) HGetAll(key string) *deferred.Deferred[map[string]string] {
	t, ok := v.route(key)
	if t == nil {
		return v.Commands.HGetAll(key)
	}
	if d := hitCopy(t, key, sigHGETALL, maps.Clone[map[string]string]); d != nil {
		return d
	}
	return miss(v, t, ok, key, sigHGETALL, proto.NewCmd("HGETALL").Key(key), asMap, maps.Clone[map[string]string])
}

// HExists is Commands.HExists through the cache.
func (v *Cached) HExists(key, field string) *deferred.Deferred[bool] {
	return v.memberRead(key, field, "HEXISTS")
}

// HLen is Commands.HLen through the cache.
func (v *Cached) HLen(key string) *deferred.Deferred[int64] {
	return v.keyRead(key, sigHLEN, "HLEN")
}

// SMembers is Commands.SMembers through the cache; each caller gets its
// own slice.
func (v *Cached) SMembers(key string) *deferred.Deferred[[]string] {
	t, ok := v.route(key)
	if t == nil {
		return v.Commands.SMembers(key)
	}
	if d := hitCopy(t, key, sigSMEMB, slices.Clone[[]string]); d != nil {
		return d
	}
	return miss(v, t, ok, key, sigSMEMB, proto.NewCmd("SMEMBERS").Key(key), asStrings, slices.Clone[[]string])
}

// SIsMember is Commands.SIsMember through the cache.
func (v *Cached) SIsMember(key, member string) *deferred.Deferred[bool] {
	return v.memberRead(key, member, "SISMEMBER")
}

// SCard is Commands.SCard through the cache.
func (v *Cached) SCard(key string) *deferred.Deferred[int64] {
	return v.keyRead(key, sigSCARD, "SCARD")
}

// memberRead is a cached read of a boolean that takes a key and one
// argument.
func (v *Cached) memberRead(key, arg, name string) *deferred.Deferred[bool] {
	t, ok := v.route(key)
	if t == nil {
		return request(v.r, proto.NewCmd(name).Key(key).Arg(arg), asBool)
	}
	var buf [64]byte
	sig := sigArgs(append(buf[:0], name...), arg)
	if d := hit[bool](t, key, sig); d != nil {
		return d
	}
	return miss(v, t, ok, key, sig, proto.NewCmd(name).Key(key).Arg(arg), asBool, nil)
}

// ZScore is Commands.ZScore through the cache.
func (v *Cached) ZScore(key, member string) *deferred.Deferred[float64] {
	t, ok := v.route(key)
	if t == nil {
		return v.Commands.ZScore(key, member)
	}
	var buf [64]byte
	sig := sigArgs(append(buf[:0], "ZSCORE"...), member)
	if d := hit[float64](t, key, sig); d != nil {
		return d
	}
	return miss(v, t, ok, key, sig, proto.NewCmd("ZSCORE").Key(key).Arg(member), asFloat, nil)
}

// ZCard is Commands.ZCard through the cache.
func (v *Cached) ZCard(key string) *deferred.Deferred[int64] {
	return v.keyRead(key, sigZCARD, "ZCARD")
}

// ZRange is Commands.ZRange through the cache; each caller gets its own
// slice.
func (v *Cached) ZRange(key string, start, stop int64) *deferred.Deferred[[]string] {
	return v.rangeRead(key, "ZRANGE", start, stop)
}

// ZRangeWithScores is Commands.ZRangeWithScores through the cache; each
// caller gets its own slice.
func (v *Cached) ZRangeWithScores(key string, start, stop int64) *deferred.Deferred[[]ZMember] {
	t, ok := v.route(key)
	if t == nil {
		return v.Commands.ZRangeWithScores(key, start, stop)
	}
	var buf [64]byte
	sig := sigInts(append(buf[:0], "ZRANGE WITHSCORES"...), start, stop)
	if d := hitCopy(t, key, sig, slices.Clone[[]ZMember]); d != nil {
		return d
	}
	return miss(v, t, ok, key, sig, rankCmd("ZRANGE", key, start, stop, true), asZMembers, slices.Clone[[]ZMember])
}

// LLen is Commands.LLen through the cache.
func (v *Cached) LLen(key string) *deferred.Deferred[int64] {
	return v.keyRead(key, sigLLEN, "LLEN")
}

// LRange is Commands.LRange through the cache; each caller gets its own
// slice.
func (v *Cached) LRange(key string, start, stop int64) *deferred.Deferred[[]string] {
	return v.rangeRead(key, "LRANGE", start, stop)
}

// rangeRead is a cached read of a list of strings by index range.
func (v *Cached) rangeRead(key, name string, start, stop int64) *deferred.Deferred[[]string] {
	t, ok := v.route(key)
	if t == nil {
		return request(v.r, proto.NewCmd(name).Key(key).Int(start).Int(stop), asStrings)
	}
	var buf [64]byte
	sig := sigInts(append(buf[:0], name...), start, stop)
	if d := hitCopy(t, key, sig, slices.Clone[[]string]); d != nil {
		return d
	}
	return miss(v, t, ok, key, sig, proto.NewCmd(name).Key(key).Int(start).Int(stop), asStrings, slices.Clone[[]string])
}
