package conn

import (
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// Side is the end of a list that LMOVE, BLMOVE, LMPOP and BLMPOP take
// from or push to: Left or Right ("left" and "right" in any letter case
// are accepted too).
type Side string

// The ends of a list.
const (
	Left  Side = "LEFT"
	Right Side = "RIGHT"
)

// canonical returns s as sent.
func (s Side) canonical() (string, bool) { return keyword(string(s), string(Left), string(Right)) }

// KeyValue is the reply of BLPOP and BRPOP: the key popped from and the
// element.
type KeyValue struct {
	Key, Value string
}

// KeyValues is the reply of LMPOP and BLMPOP: the key popped from and the
// elements.
type KeyValues struct {
	Key    string
	Values []string
}

func asKeyValue(v proto.Value) (KeyValue, error) {
	s, err := v.AsStrings()
	if err != nil {
		return KeyValue{}, err
	}
	if len(s) != 2 {
		return KeyValue{}, proto.ErrConversion
	}
	return KeyValue{Key: s[0], Value: s[1]}, nil
}

func asKeyValues(v proto.Value) (KeyValues, error) {
	elems, err := v.AsValues()
	if err != nil {
		return KeyValues{}, err
	}
	if len(elems) != 2 {
		return KeyValues{}, proto.ErrConversion
	}
	key, err := elems[0].AsString()
	if err != nil {
		return KeyValues{}, err
	}
	vals, err := elems[1].AsStrings()
	return KeyValues{Key: key, Values: vals}, err
}

// LPush inserts values at the head of the list at key and fires with its
// new length.
func (c Commands) LPush(key string, values ...string) *deferred.Deferred[int64] {
	if len(values) == 0 {
		return fail[int64]("LPUSH", "no values given")
	}
	return request(c.s, withKeyArgs("LPUSH", key, values), asInt)
}

// RPush appends values to the list at key and fires with its new length.
func (c Commands) RPush(key string, values ...string) *deferred.Deferred[int64] {
	if len(values) == 0 {
		return fail[int64]("RPUSH", "no values given")
	}
	return request(c.s, withKeyArgs("RPUSH", key, values), asInt)
}

// LPushX is LPush only when the list exists; it fires with the length (0
// when missing).
func (c Commands) LPushX(key string, values ...string) *deferred.Deferred[int64] {
	if len(values) == 0 {
		return fail[int64]("LPUSHX", "no values given")
	}
	return request(c.s, withKeyArgs("LPUSHX", key, values), asInt)
}

// RPushX is RPush only when the list exists.
func (c Commands) RPushX(key string, values ...string) *deferred.Deferred[int64] {
	if len(values) == 0 {
		return fail[int64]("RPUSHX", "no values given")
	}
	return request(c.s, withKeyArgs("RPUSHX", key, values), asInt)
}

// LPop removes the first element of the list at key and fires with it;
// proto.ErrNil when the list is empty.
func (c Commands) LPop(key string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("LPOP").Key(key), asString)
}

// RPop removes the last element of the list at key and fires with it;
// proto.ErrNil when the list is empty.
func (c Commands) RPop(key string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("RPOP").Key(key), asString)
}

// LPopCount removes up to count elements from the head; proto.ErrNil when
// the list is missing.
func (c Commands) LPopCount(key string, count int64) *deferred.Deferred[[]string] {
	if count < 0 {
		return fail[[]string]("LPOP", "negative count %d", count)
	}
	return request(c.s, proto.NewCmd("LPOP").Key(key).Int(count), asStrings)
}

// RPopCount removes up to count elements from the tail; proto.ErrNil when
// the list is missing.
func (c Commands) RPopCount(key string, count int64) *deferred.Deferred[[]string] {
	if count < 0 {
		return fail[[]string]("RPOP", "negative count %d", count)
	}
	return request(c.s, proto.NewCmd("RPOP").Key(key).Int(count), asStrings)
}

// LLen fires with the length of the list at key.
func (c Commands) LLen(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("LLEN").Key(key), asInt)
}

// LIndex fires with the element at index (negative: from the end);
// proto.ErrNil when out of range.
func (c Commands) LIndex(key string, index int64) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("LINDEX").Key(key).Int(index), asString)
}

// LInsert inserts value before (or, with after, after) pivot and fires
// with the new length; -1 when pivot is not found.
func (c Commands) LInsert(key string, after bool, pivot, value string) *deferred.Deferred[int64] {
	where := "BEFORE"
	if after {
		where = "AFTER"
	}
	return request(c.s, proto.NewCmd("LINSERT").Key(key).Arg(where).Arg(pivot).Arg(value), asInt)
}

// LRange fires with the elements from start to stop, both included.
func (c Commands) LRange(key string, start, stop int64) *deferred.Deferred[[]string] {
	return request(c.s, proto.NewCmd("LRANGE").Key(key).Int(start).Int(stop), asStrings)
}

// LRem removes count occurrences of element (count < 0: from the tail, 0:
// all) and fires with how many were removed.
func (c Commands) LRem(key string, count int64, element string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("LREM").Key(key).Int(count).Arg(element), asInt)
}

// LSet sets the element at index and fires with "OK".
func (c Commands) LSet(key string, index int64, element string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("LSET").Key(key).Int(index).Arg(element), asString)
}

// LTrim keeps only the elements from start to stop and fires with "OK".
func (c Commands) LTrim(key string, start, stop int64) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("LTRIM").Key(key).Int(start).Int(stop), asString)
}

// LPosArgs are the options of LPOS: RANK (which match, negative from the
// tail; 0 is not sent) and MAXLEN (compare at most this many; 0: all).
type LPosArgs struct {
	Rank, MaxLen int64
}

func lposCmd(key, element string, a LPosArgs) (*proto.Cmd, error) {
	if a.MaxLen < 0 {
		return nil, plumb.BadArgs("LPOS", "negative MAXLEN %d", a.MaxLen)
	}
	cmd := proto.NewCmd("LPOS").Key(key).Arg(element)
	if a.Rank != 0 {
		cmd.Arg("RANK").Int(a.Rank)
	}
	if a.MaxLen > 0 {
		cmd.Arg("MAXLEN").Int(a.MaxLen)
	}
	return cmd, nil
}

// LPos fires with the index of element in the list at key; proto.ErrNil
// when absent.
func (c Commands) LPos(key, element string, args LPosArgs) *deferred.Deferred[int64] {
	cmd, err := lposCmd(key, element, args)
	if err != nil {
		return deferred.Fail[int64](err)
	}
	return request(c.s, cmd, asInt)
}

// LPosCount fires with the indexes of up to count matches (0: all).
func (c Commands) LPosCount(key, element string, count int64, args LPosArgs) *deferred.Deferred[[]int64] {
	if count < 0 {
		return fail[[]int64]("LPOS", "negative COUNT %d", count)
	}
	cmd, err := lposCmd(key, element, args)
	if err != nil {
		return deferred.Fail[[]int64](err)
	}
	return request(c.s, cmd.Arg("COUNT").Int(count), asInts)
}

// LMove pops an element from the from end of src, pushes it at the to end
// of dst and fires with it; proto.ErrNil when src is empty.
func (c Commands) LMove(src, dst string, from, to Side) *deferred.Deferred[string] {
	f, fromOK := from.canonical()
	t, toOK := to.canonical()
	if !fromOK || !toOK {
		return fail[string]("LMOVE", "sides must be Left or Right, not %q, %q", from, to)
	}
	return request(c.s, proto.NewCmd("LMOVE").Key(src).Key(dst).Arg(f).Arg(t), asString)
}

// RPopLPush is LMove(src, dst, Right, Left) (deprecated by Redis in favour
// of LMOVE).
func (c Commands) RPopLPush(src, dst string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("RPOPLPUSH").Key(src).Key(dst), asString)
}

func mpopCmd(name string, keys []string, side string, count int64) (*proto.Cmd, error) {
	if len(keys) == 0 {
		return nil, plumb.BadArgs(name, "no keys given")
	}
	if count < 0 {
		return nil, plumb.BadArgs(name, "negative count %d", count)
	}
	cmd := proto.NewCmd(name)
	cmd.Int(int64(len(keys)))
	for _, k := range keys {
		cmd.Key(k)
	}
	cmd.Arg(side)
	if count > 0 {
		cmd.Arg("COUNT").Int(count)
	}
	return cmd, nil
}

// LMPop pops up to count (0: one) elements from the side of the first
// non-empty list of keys and fires with it; proto.ErrNil when all are
// empty.
func (c Commands) LMPop(side Side, count int64, keys ...string) *deferred.Deferred[KeyValues] {
	s, ok := side.canonical()
	if !ok {
		return fail[KeyValues]("LMPOP", "side must be Left or Right, not %q", side)
	}
	cmd, err := mpopCmd("LMPOP", keys, s, count)
	if err != nil {
		return deferred.Fail[KeyValues](err)
	}
	return request(c.s, cmd, asKeyValues)
}

// The blocking list commands wait on the server for up to timeout (0:
// forever) and fail with proto.ErrNil when it passes. They are marked
// blocking: a connection gives them their own reply timeout, and pools
// lease a connection for them. Timeouts are sent in seconds with
// millisecond precision.

func blockingKeys(name string, keys []string, timeout time.Duration) (*proto.Cmd, error) {
	if len(keys) == 0 {
		return nil, plumb.BadArgs(name, "no keys given")
	}
	if timeout < 0 {
		return nil, plumb.BadArgs(name, "negative timeout")
	}
	return blockSeconds(withKeys(name, keys), timeout), nil
}

// BLPop pops the first element of the first non-empty list of keys,
// waiting up to timeout, and fires with the key and element.
func (c Commands) BLPop(timeout time.Duration, keys ...string) *deferred.Deferred[KeyValue] {
	cmd, err := blockingKeys("BLPOP", keys, timeout)
	if err != nil {
		return deferred.Fail[KeyValue](err)
	}
	return request(c.s, cmd, asKeyValue)
}

// BRPop is BLPop from the tail.
func (c Commands) BRPop(timeout time.Duration, keys ...string) *deferred.Deferred[KeyValue] {
	cmd, err := blockingKeys("BRPOP", keys, timeout)
	if err != nil {
		return deferred.Fail[KeyValue](err)
	}
	return request(c.s, cmd, asKeyValue)
}

// BRPopLPush is RPopLPush waiting up to timeout for an element.
func (c Commands) BRPopLPush(src, dst string, timeout time.Duration) *deferred.Deferred[string] {
	if timeout < 0 {
		return fail[string]("BRPOPLPUSH", "negative timeout")
	}
	return request(c.s, blockSeconds(proto.NewCmd("BRPOPLPUSH").Key(src).Key(dst), timeout), asString)
}

// BLMove is LMove waiting up to timeout for an element.
func (c Commands) BLMove(src, dst string, from, to Side, timeout time.Duration) *deferred.Deferred[string] {
	f, fromOK := from.canonical()
	t, toOK := to.canonical()
	if !fromOK || !toOK {
		return fail[string]("BLMOVE", "sides must be Left or Right, not %q, %q", from, to)
	}
	if timeout < 0 {
		return fail[string]("BLMOVE", "negative timeout")
	}
	cmd := proto.NewCmd("BLMOVE").Key(src).Key(dst).Arg(f).Arg(t)
	return request(c.s, blockSeconds(cmd, timeout), asString)
}

// BLMPop is LMPop waiting up to timeout for an element.
func (c Commands) BLMPop(timeout time.Duration, side Side, count int64, keys ...string) *deferred.Deferred[KeyValues] {
	s, ok := side.canonical()
	if !ok {
		return fail[KeyValues]("BLMPOP", "side must be Left or Right, not %q", side)
	}
	if timeout < 0 {
		return fail[KeyValues]("BLMPOP", "negative timeout")
	}
	if len(keys) == 0 {
		return fail[KeyValues]("BLMPOP", "no keys given")
	}
	if count < 0 {
		return fail[KeyValues]("BLMPOP", "negative count %d", count)
	}
	cmd := blockSeconds(proto.NewCmd("BLMPOP"), timeout).Int(int64(len(keys)))
	for _, k := range keys {
		cmd.Key(k)
	}
	cmd.Arg(s)
	if count > 0 {
		cmd.Arg("COUNT").Int(count)
	}
	return request(c.s, cmd, asKeyValues)
}
