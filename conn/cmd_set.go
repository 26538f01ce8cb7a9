package conn

import (
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// The replies of set commands that return members ([]string) are in no
// particular order: sets are unordered.

// SAdd adds members to the set at key and fires with how many were new.
func (c Commands) SAdd(key string, members ...string) *deferred.Deferred[int64] {
	if len(members) == 0 {
		return fail[int64]("SADD", "no members given")
	}
	return request(c.s, withKeyArgs("SADD", key, members), asInt)
}

// SRem removes members from the set at key and fires with how many were
// there.
func (c Commands) SRem(key string, members ...string) *deferred.Deferred[int64] {
	if len(members) == 0 {
		return fail[int64]("SREM", "no members given")
	}
	return request(c.s, withKeyArgs("SREM", key, members), asInt)
}

// SCard fires with the number of members of the set at key.
func (c Commands) SCard(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("SCARD").Key(key), asInt)
}

// SIsMember fires with whether member is in the set at key.
func (c Commands) SIsMember(key, member string) *deferred.Deferred[bool] {
	return request(c.s, proto.NewCmd("SISMEMBER").Key(key).Arg(member), asBool)
}

// SMIsMember fires with whether each of members is in the set at key.
func (c Commands) SMIsMember(key string, members ...string) *deferred.Deferred[[]bool] {
	if len(members) == 0 {
		return fail[[]bool]("SMISMEMBER", "no members given")
	}
	return request(c.s, withKeyArgs("SMISMEMBER", key, members), asBools)
}

// SMembers fires with the members of the set at key, unordered.
func (c Commands) SMembers(key string) *deferred.Deferred[[]string] {
	return request(c.s, proto.NewCmd("SMEMBERS").Key(key), asStrings)
}

// SMove moves member from the set src to the set dst and fires with true
// when it was in src.
func (c Commands) SMove(src, dst, member string) *deferred.Deferred[bool] {
	return request(c.s, proto.NewCmd("SMOVE").Key(src).Key(dst).Arg(member), asBool)
}

// SPop removes a random member of the set at key and fires with it;
// proto.ErrNil when the set is empty.
func (c Commands) SPop(key string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("SPOP").Key(key), asString)
}

// SPopCount removes up to count random members and fires with them.
func (c Commands) SPopCount(key string, count int64) *deferred.Deferred[[]string] {
	if count < 0 {
		return fail[[]string]("SPOP", "negative count %d", count)
	}
	return request(c.s, proto.NewCmd("SPOP").Key(key).Int(count), asStrings)
}

// SRandMember fires with a random member of the set at key; proto.ErrNil
// when the set is empty.
func (c Commands) SRandMember(key string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("SRANDMEMBER").Key(key), asString)
}

// SRandMemberCount fires with up to count distinct random members (count
// < 0: exactly -count, possibly repeated).
func (c Commands) SRandMemberCount(key string, count int64) *deferred.Deferred[[]string] {
	return request(c.s, proto.NewCmd("SRANDMEMBER").Key(key).Int(count), asStrings)
}

func (c Commands) setOp(name string, keys []string) *deferred.Deferred[[]string] {
	if len(keys) == 0 {
		return fail[[]string](name, "no keys given")
	}
	return request(c.s, withKeys(name, keys), asStrings)
}

func (c Commands) setOpStore(name, dst string, keys []string) *deferred.Deferred[int64] {
	if len(keys) == 0 {
		return fail[int64](name, "no keys given")
	}
	cmd := proto.NewCmd(name).Key(dst)
	for _, k := range keys {
		cmd.Key(k)
	}
	return request(c.s, cmd, asInt)
}

// SDiff fires with the members of the first set that are in none of the
// others.
func (c Commands) SDiff(keys ...string) *deferred.Deferred[[]string] {
	return c.setOp("SDIFF", keys)
}

// SInter fires with the members common to all the sets.
func (c Commands) SInter(keys ...string) *deferred.Deferred[[]string] {
	return c.setOp("SINTER", keys)
}

// SUnion fires with the members of any of the sets.
func (c Commands) SUnion(keys ...string) *deferred.Deferred[[]string] {
	return c.setOp("SUNION", keys)
}

// SDiffStore stores SDiff of keys in dst and fires with its size.
func (c Commands) SDiffStore(dst string, keys ...string) *deferred.Deferred[int64] {
	return c.setOpStore("SDIFFSTORE", dst, keys)
}

// SInterStore stores SInter of keys in dst and fires with its size.
func (c Commands) SInterStore(dst string, keys ...string) *deferred.Deferred[int64] {
	return c.setOpStore("SINTERSTORE", dst, keys)
}

// SUnionStore stores SUnion of keys in dst and fires with its size.
func (c Commands) SUnionStore(dst string, keys ...string) *deferred.Deferred[int64] {
	return c.setOpStore("SUNIONSTORE", dst, keys)
}

// SInterCard fires with the size of the intersection of the sets, counting
// up to limit (0: no limit).
func (c Commands) SInterCard(limit int64, keys ...string) *deferred.Deferred[int64] {
	if len(keys) == 0 {
		return fail[int64]("SINTERCARD", "no keys given")
	}
	if limit < 0 {
		return fail[int64]("SINTERCARD", "negative limit %d", limit)
	}
	cmd := proto.NewCmd("SINTERCARD").Int(int64(len(keys)))
	for _, k := range keys {
		cmd.Key(k)
	}
	if limit > 0 {
		cmd.Arg("LIMIT").Int(limit)
	}
	return request(c.s, cmd, asInt)
}
