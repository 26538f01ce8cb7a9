package conn

import (
	"math"
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// Score and lex bounds (min, max of ZCOUNT, ZRANGEBYSCORE, ZRANGEBYLEX...)
// are strings in the syntax of Redis: "1.5", "(1.5" (exclusive), "-inf",
// "+inf" for scores; "[a", "(a", "-", "+" for lex ranges.

// ZAddArgs are the options of ZADD: NX, XX, GT, LT (NX excludes the
// others; GT excludes LT) and CH (count changed members, not only added).
type ZAddArgs struct {
	NX, XX, GT, LT, CH bool
}

func zaddCmd(key string, a ZAddArgs, incr bool, members []ZMember) (*proto.Cmd, error) {
	switch {
	case len(members) == 0:
		return nil, plumb.BadArgs("ZADD", "no members given")
	case a.NX && (a.XX || a.GT || a.LT):
		return nil, plumb.BadArgs("ZADD", "NX excludes XX, GT and LT")
	case a.GT && a.LT:
		return nil, plumb.BadArgs("ZADD", "GT and LT are exclusive")
	}
	cmd := proto.NewCmd("ZADD").Key(key)
	switch {
	case a.NX:
		cmd.Arg("NX")
	case a.XX:
		cmd.Arg("XX")
	}
	switch {
	case a.GT:
		cmd.Arg("GT")
	case a.LT:
		cmd.Arg("LT")
	}
	if a.CH {
		cmd.Arg("CH")
	}
	if incr {
		cmd.Arg("INCR")
	}
	for _, m := range members {
		if math.IsNaN(m.Score) {
			cmd.Release()
			return nil, plumb.BadArgs("ZADD", "score of %q is NaN", m.Member)
		}
		cmd.Float(m.Score).Arg(m.Member)
	}
	return cmd, nil
}

// ZAdd adds members with their scores to the sorted set at key (updating
// the scores of existing ones) and fires with how many were added.
func (c Commands) ZAdd(key string, members ...ZMember) *deferred.Deferred[int64] {
	return c.ZAddWithArgs(key, ZAddArgs{}, members...)
}

// ZAddWithArgs is ZAdd with the options of args; with CH it fires with how
// many members were added or changed.
func (c Commands) ZAddWithArgs(key string, args ZAddArgs, members ...ZMember) *deferred.Deferred[int64] {
	cmd, err := zaddCmd(key, args, false, members)
	if err != nil {
		return deferred.Fail[int64](err)
	}
	return request(c.s, cmd, asInt)
}

// ZAddIncr is ZADD ... INCR: it adds member.Score to the member's score
// and fires with the new score; proto.ErrNil when a condition of args
// stopped it.
func (c Commands) ZAddIncr(key string, args ZAddArgs, member ZMember) *deferred.Deferred[float64] {
	cmd, err := zaddCmd(key, args, true, []ZMember{member})
	if err != nil {
		return deferred.Fail[float64](err)
	}
	return request(c.s, cmd, asNullFloat)
}

// ZIncrBy increments the score of member by n and fires with the new score.
func (c Commands) ZIncrBy(key string, n float64, member string) *deferred.Deferred[float64] {
	return request(c.s, proto.NewCmd("ZINCRBY").Key(key).Float(n).Arg(member), asFloat)
}

// ZScore fires with the score of member; proto.ErrNil when absent.
func (c Commands) ZScore(key, member string) *deferred.Deferred[float64] {
	return request(c.s, proto.NewCmd("ZSCORE").Key(key).Arg(member), asFloat)
}

// ZMScore fires with the scores of members, not Valid for absent ones.
func (c Commands) ZMScore(key string, members ...string) *deferred.Deferred[[]Nullable[float64]] {
	if len(members) == 0 {
		return fail[[]Nullable[float64]]("ZMSCORE", "no members given")
	}
	return request(c.s, withKeyArgs("ZMSCORE", key, members), asNullFloats)
}

// ZCard fires with the number of members of the sorted set at key.
func (c Commands) ZCard(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("ZCARD").Key(key), asInt)
}

// ZCount fires with the number of members with a score between min and max.
func (c Commands) ZCount(key, min, max string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("ZCOUNT").Key(key).Arg(min).Arg(max), asInt)
}

// ZLexCount fires with the number of members between the lex bounds min and
// max.
func (c Commands) ZLexCount(key, min, max string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("ZLEXCOUNT").Key(key).Arg(min).Arg(max), asInt)
}

// ZRank fires with the rank of member by ascending score; proto.ErrNil when
// absent.
func (c Commands) ZRank(key, member string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("ZRANK").Key(key).Arg(member), asInt)
}

// ZRevRank fires with the rank of member by descending score.
func (c Commands) ZRevRank(key, member string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("ZREVRANK").Key(key).Arg(member), asInt)
}

// ZRem removes members and fires with how many were there.
func (c Commands) ZRem(key string, members ...string) *deferred.Deferred[int64] {
	if len(members) == 0 {
		return fail[int64]("ZREM", "no members given")
	}
	return request(c.s, withKeyArgs("ZREM", key, members), asInt)
}

// ZRemRangeByRank removes the members ranked start to stop and fires with
// how many.
func (c Commands) ZRemRangeByRank(key string, start, stop int64) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("ZREMRANGEBYRANK").Key(key).Int(start).Int(stop), asInt)
}

// ZRemRangeByScore removes the members scored min to max and fires with
// how many.
func (c Commands) ZRemRangeByScore(key, min, max string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("ZREMRANGEBYSCORE").Key(key).Arg(min).Arg(max), asInt)
}

// ZRemRangeByLex removes the members between the lex bounds and fires
// with how many.
func (c Commands) ZRemRangeByLex(key, min, max string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("ZREMRANGEBYLEX").Key(key).Arg(min).Arg(max), asInt)
}

func rankCmd(name, key string, start, stop int64, withScores bool) *proto.Cmd {
	cmd := proto.NewCmd(name).Key(key).Int(start).Int(stop)
	if withScores {
		cmd.Arg("WITHSCORES")
	}
	return cmd
}

// ZRange fires with the members ranked start to stop by ascending score.
func (c Commands) ZRange(key string, start, stop int64) *deferred.Deferred[[]string] {
	return request(c.s, rankCmd("ZRANGE", key, start, stop, false), asStrings)
}

// ZRangeWithScores is ZRange with the scores.
func (c Commands) ZRangeWithScores(key string, start, stop int64) *deferred.Deferred[[]ZMember] {
	return request(c.s, rankCmd("ZRANGE", key, start, stop, true), asZMembers)
}

// ZRevRange fires with the members ranked start to stop by descending
// score.
func (c Commands) ZRevRange(key string, start, stop int64) *deferred.Deferred[[]string] {
	return request(c.s, rankCmd("ZREVRANGE", key, start, stop, false), asStrings)
}

// ZRevRangeWithScores is ZRevRange with the scores.
func (c Commands) ZRevRangeWithScores(key string, start, stop int64) *deferred.Deferred[[]ZMember] {
	return request(c.s, rankCmd("ZREVRANGE", key, start, stop, true), asZMembers)
}

// ZRangeByScore fires with the members scored min to max, ascending.
func (c Commands) ZRangeByScore(key, min, max string, limit Limit) *deferred.Deferred[[]string] {
	return byRange(c, "ZRANGEBYSCORE", key, min, max, false, limit, asStrings)
}

// ZRangeByScoreWithScores is ZRangeByScore with the scores.
func (c Commands) ZRangeByScoreWithScores(key, min, max string, limit Limit) *deferred.Deferred[[]ZMember] {
	return byRange(c, "ZRANGEBYSCORE", key, min, max, true, limit, asZMembers)
}

// ZRevRangeByScore fires with the members scored max down to min.
func (c Commands) ZRevRangeByScore(key, max, min string, limit Limit) *deferred.Deferred[[]string] {
	return byRange(c, "ZREVRANGEBYSCORE", key, max, min, false, limit, asStrings)
}

// ZRevRangeByScoreWithScores is ZRevRangeByScore with the scores.
func (c Commands) ZRevRangeByScoreWithScores(key, max, min string, limit Limit) *deferred.Deferred[[]ZMember] {
	return byRange(c, "ZREVRANGEBYSCORE", key, max, min, true, limit, asZMembers)
}

// ZRangeByLex fires with the members between the lex bounds min and max.
func (c Commands) ZRangeByLex(key, min, max string, limit Limit) *deferred.Deferred[[]string] {
	return byRange(c, "ZRANGEBYLEX", key, min, max, false, limit, asStrings)
}

// ZRevRangeByLex fires with the members between the lex bounds max and
// min, descending.
func (c Commands) ZRevRangeByLex(key, max, min string, limit Limit) *deferred.Deferred[[]string] {
	return byRange(c, "ZREVRANGEBYLEX", key, max, min, false, limit, asStrings)
}

// ZRangeArgs are the arguments of the unified ZRANGE (Redis 6.2): Start
// and Stop are ranks, or score bounds with ByScore, or lex bounds with
// ByLex; Rev reverses the order; Limit (see its rule) needs ByScore or
// ByLex.
type ZRangeArgs struct {
	Start, Stop string
	ByScore     bool
	ByLex       bool
	Rev         bool
	Limit       Limit
}

func zrangeCmd(name, dst, key string, a ZRangeArgs, withScores bool) (*proto.Cmd, error) {
	if a.ByScore && a.ByLex {
		return nil, plumb.BadArgs(name, "BYSCORE and BYLEX are exclusive")
	}
	if a.Limit != (Limit{}) && !a.ByScore && !a.ByLex {
		return nil, plumb.BadArgs(name, "LIMIT needs BYSCORE or BYLEX")
	}
	cmd := proto.NewCmd(name)
	if dst != "" {
		cmd.Key(dst)
	}
	cmd.Key(key).Arg(a.Start).Arg(a.Stop)
	switch {
	case a.ByScore:
		cmd.Arg("BYSCORE")
	case a.ByLex:
		cmd.Arg("BYLEX")
	}
	if a.Rev {
		cmd.Arg("REV")
	}
	if err := appendLimit(name, cmd, a.Limit.Offset, a.Limit.Count); err != nil {
		cmd.Release()
		return nil, err
	}
	if withScores {
		cmd.Arg("WITHSCORES")
	}
	return cmd, nil
}

// ZRangeWithArgs fires with the members of the range args describes.
func (c Commands) ZRangeWithArgs(key string, args ZRangeArgs) *deferred.Deferred[[]string] {
	cmd, err := zrangeCmd("ZRANGE", "", key, args, false)
	if err != nil {
		return deferred.Fail[[]string](err)
	}
	return request(c.s, cmd, asStrings)
}

// ZRangeWithArgsScores is ZRangeWithArgs with the scores.
func (c Commands) ZRangeWithArgsScores(key string, args ZRangeArgs) *deferred.Deferred[[]ZMember] {
	cmd, err := zrangeCmd("ZRANGE", "", key, args, true)
	if err != nil {
		return deferred.Fail[[]ZMember](err)
	}
	return request(c.s, cmd, asZMembers)
}

// ZRangeStore stores the range args describes of src in dst and fires with
// its size.
func (c Commands) ZRangeStore(dst, src string, args ZRangeArgs) *deferred.Deferred[int64] {
	cmd, err := zrangeCmd("ZRANGESTORE", dst, src, args, false)
	if err != nil {
		return deferred.Fail[int64](err)
	}
	return request(c.s, cmd, asInt)
}

// ZPopMin removes and fires with up to count (0: one) members of lowest
// score.
func (c Commands) ZPopMin(key string, count int64) *deferred.Deferred[[]ZMember] {
	return c.zpop("ZPOPMIN", key, count)
}

// ZPopMax removes and fires with up to count (0: one) members of highest
// score.
func (c Commands) ZPopMax(key string, count int64) *deferred.Deferred[[]ZMember] {
	return c.zpop("ZPOPMAX", key, count)
}

func (c Commands) zpop(name, key string, count int64) *deferred.Deferred[[]ZMember] {
	if count < 0 {
		return fail[[]ZMember](name, "negative count %d", count)
	}
	cmd := proto.NewCmd(name).Key(key)
	if count > 0 {
		cmd.Int(count)
	}
	return request(c.s, cmd, asZMembers)
}

// ZRandMember fires with up to count random members (count < 0: exactly
// -count, possibly repeated).
func (c Commands) ZRandMember(key string, count int64) *deferred.Deferred[[]string] {
	return request(c.s, proto.NewCmd("ZRANDMEMBER").Key(key).Int(count), asStrings)
}

// ZRandMemberWithScores is ZRandMember with the scores.
func (c Commands) ZRandMemberWithScores(key string, count int64) *deferred.Deferred[[]ZMember] {
	return request(c.s, proto.NewCmd("ZRANDMEMBER").Key(key).Int(count).Arg("WITHSCORES"), asZMembers)
}

// ZSetOpArgs are the options of ZUNION, ZINTER and their STORE forms:
// one weight per key (or none) and the aggregate ("SUM", "MIN", "MAX" in
// any letter case; "" sends none).
type ZSetOpArgs struct {
	Weights   []float64
	Aggregate string
}

func zsetOpCmd(name, dst string, keys []string, a ZSetOpArgs, withScores bool) (*proto.Cmd, error) {
	if len(keys) == 0 {
		return nil, plumb.BadArgs(name, "no keys given")
	}
	if len(a.Weights) != 0 && len(a.Weights) != len(keys) {
		return nil, plumb.BadArgs(name, "%d weights for %d keys", len(a.Weights), len(keys))
	}
	aggregate, ok := keyword(a.Aggregate, "SUM", "MIN", "MAX")
	if !ok && a.Aggregate != "" {
		return nil, plumb.BadArgs(name, "aggregate %q is not SUM, MIN or MAX", a.Aggregate)
	}
	cmd := proto.NewCmd(name)
	if dst != "" {
		cmd.Key(dst)
	}
	cmd.Int(int64(len(keys)))
	for _, k := range keys {
		cmd.Key(k)
	}
	if len(a.Weights) > 0 {
		cmd.Arg("WEIGHTS")
		for _, w := range a.Weights {
			cmd.Float(w)
		}
	}
	if aggregate != "" {
		cmd.Arg("AGGREGATE").Arg(aggregate)
	}
	if withScores {
		cmd.Arg("WITHSCORES")
	}
	return cmd, nil
}

func (c Commands) zsetOp(name string, keys []string, a ZSetOpArgs) *deferred.Deferred[[]string] {
	cmd, err := zsetOpCmd(name, "", keys, a, false)
	if err != nil {
		return deferred.Fail[[]string](err)
	}
	return request(c.s, cmd, asStrings)
}

func (c Commands) zsetOpScores(name string, keys []string, a ZSetOpArgs) *deferred.Deferred[[]ZMember] {
	cmd, err := zsetOpCmd(name, "", keys, a, true)
	if err != nil {
		return deferred.Fail[[]ZMember](err)
	}
	return request(c.s, cmd, asZMembers)
}

func (c Commands) zsetOpStore(name, dst string, keys []string, a ZSetOpArgs) *deferred.Deferred[int64] {
	cmd, err := zsetOpCmd(name, dst, keys, a, false)
	if err != nil {
		return deferred.Fail[int64](err)
	}
	return request(c.s, cmd, asInt)
}

// ZUnion fires with the members of the union of the sorted sets.
func (c Commands) ZUnion(args ZSetOpArgs, keys ...string) *deferred.Deferred[[]string] {
	return c.zsetOp("ZUNION", keys, args)
}

// ZUnionWithScores is ZUnion with the aggregated scores.
func (c Commands) ZUnionWithScores(args ZSetOpArgs, keys ...string) *deferred.Deferred[[]ZMember] {
	return c.zsetOpScores("ZUNION", keys, args)
}

// ZUnionStore stores the union of the sorted sets in dst and fires with its
// size.
func (c Commands) ZUnionStore(dst string, args ZSetOpArgs, keys ...string) *deferred.Deferred[int64] {
	return c.zsetOpStore("ZUNIONSTORE", dst, keys, args)
}

// ZInter fires with the members of the intersection of the sorted sets.
func (c Commands) ZInter(args ZSetOpArgs, keys ...string) *deferred.Deferred[[]string] {
	return c.zsetOp("ZINTER", keys, args)
}

// ZInterWithScores is ZInter with the aggregated scores.
func (c Commands) ZInterWithScores(args ZSetOpArgs, keys ...string) *deferred.Deferred[[]ZMember] {
	return c.zsetOpScores("ZINTER", keys, args)
}

// ZInterStore stores the intersection in dst and fires with its size.
func (c Commands) ZInterStore(dst string, args ZSetOpArgs, keys ...string) *deferred.Deferred[int64] {
	return c.zsetOpStore("ZINTERSTORE", dst, keys, args)
}

// ZDiff fires with the members of the first sorted set in none of the
// others.
func (c Commands) ZDiff(keys ...string) *deferred.Deferred[[]string] {
	return c.zsetOp("ZDIFF", keys, ZSetOpArgs{})
}

// ZDiffWithScores is ZDiff with the scores.
func (c Commands) ZDiffWithScores(keys ...string) *deferred.Deferred[[]ZMember] {
	return c.zsetOpScores("ZDIFF", keys, ZSetOpArgs{})
}

// ZDiffStore stores ZDiff of keys in dst and fires with its size.
func (c Commands) ZDiffStore(dst string, keys ...string) *deferred.Deferred[int64] {
	return c.zsetOpStore("ZDIFFSTORE", dst, keys, ZSetOpArgs{})
}

// ZInterCard fires with the size of the intersection, counting up to limit
// (0: no limit).
func (c Commands) ZInterCard(limit int64, keys ...string) *deferred.Deferred[int64] {
	if len(keys) == 0 {
		return fail[int64]("ZINTERCARD", "no keys given")
	}
	if limit < 0 {
		return fail[int64]("ZINTERCARD", "negative limit %d", limit)
	}
	cmd := proto.NewCmd("ZINTERCARD").Int(int64(len(keys)))
	for _, k := range keys {
		cmd.Key(k)
	}
	if limit > 0 {
		cmd.Arg("LIMIT").Int(limit)
	}
	return request(c.s, cmd, asInt)
}

// ZSide is the end ZMPOP and BZMPOP pop from: Min or Max ("min" and
// "max" in any letter case are accepted too).
type ZSide string

// The ends of a sorted set.
const (
	Min ZSide = "MIN"
	Max ZSide = "MAX"
)

// canonical returns s as sent.
func (s ZSide) canonical() (string, bool) { return keyword(string(s), string(Min), string(Max)) }

// KeyZMembers is the reply of ZMPOP and BZMPOP.
type KeyZMembers struct {
	Key     string
	Members []ZMember
}

// KeyZMember is the reply of BZPOPMIN and BZPOPMAX.
type KeyZMember struct {
	Key string
	ZMember
}

func asKeyZMembers(v proto.Value) (KeyZMembers, error) {
	elems, err := v.AsValues()
	if err != nil {
		return KeyZMembers{}, err
	}
	if len(elems) != 2 {
		return KeyZMembers{}, proto.ErrConversion
	}
	key, err := elems[0].AsString()
	if err != nil {
		return KeyZMembers{}, err
	}
	ms, err := asZMembers(elems[1])
	return KeyZMembers{Key: key, Members: ms}, err
}

func asKeyZMember(v proto.Value) (KeyZMember, error) {
	elems, err := v.AsValues()
	if err != nil {
		return KeyZMember{}, err
	}
	if len(elems) != 3 {
		return KeyZMember{}, proto.ErrConversion
	}
	key, err := elems[0].AsString()
	if err != nil {
		return KeyZMember{}, err
	}
	m, err := zmember(elems[1], elems[2])
	return KeyZMember{Key: key, ZMember: m}, err
}

// ZMPop pops up to count (0: one) members from the side of the first
// non-empty sorted set of keys; proto.ErrNil when all are empty.
func (c Commands) ZMPop(side ZSide, count int64, keys ...string) *deferred.Deferred[KeyZMembers] {
	s, ok := side.canonical()
	if !ok {
		return fail[KeyZMembers]("ZMPOP", "side must be Min or Max, not %q", side)
	}
	cmd, err := mpopCmd("ZMPOP", keys, s, count)
	if err != nil {
		return deferred.Fail[KeyZMembers](err)
	}
	return request(c.s, cmd, asKeyZMembers)
}

// BZMPop is ZMPop waiting up to timeout (0: forever); it is marked
// blocking.
func (c Commands) BZMPop(timeout time.Duration, side ZSide, count int64, keys ...string) *deferred.Deferred[KeyZMembers] {
	s, ok := side.canonical()
	if !ok {
		return fail[KeyZMembers]("BZMPOP", "side must be Min or Max, not %q", side)
	}
	if timeout < 0 || count < 0 || len(keys) == 0 {
		return fail[KeyZMembers]("BZMPOP", "want keys and a non-negative timeout and count")
	}
	cmd := blockSeconds(proto.NewCmd("BZMPOP"), timeout).Int(int64(len(keys)))
	for _, k := range keys {
		cmd.Key(k)
	}
	cmd.Arg(s)
	if count > 0 {
		cmd.Arg("COUNT").Int(count)
	}
	return request(c.s, cmd, asKeyZMembers)
}

// BZPopMin pops the member of lowest score of the first non-empty sorted
// set of keys, waiting up to timeout; proto.ErrNil when it passes.
func (c Commands) BZPopMin(timeout time.Duration, keys ...string) *deferred.Deferred[KeyZMember] {
	cmd, err := blockingKeys("BZPOPMIN", keys, timeout)
	if err != nil {
		return deferred.Fail[KeyZMember](err)
	}
	return request(c.s, cmd, asKeyZMember)
}

// BZPopMax is BZPopMin for the highest score.
func (c Commands) BZPopMax(timeout time.Duration, keys ...string) *deferred.Deferred[KeyZMember] {
	cmd, err := blockingKeys("BZPOPMAX", keys, timeout)
	if err != nil {
		return deferred.Fail[KeyZMember](err)
	}
	return request(c.s, cmd, asKeyZMember)
}
