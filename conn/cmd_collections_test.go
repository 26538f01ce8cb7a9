package conn_test

import (
	"errors"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func TestSetCommands(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		if n := testutil.Must(t, c.SAdd("s1", "a", "b", "c")); n != 3 {
			t.Errorf("SADD: %d", n)
		}
		testutil.Must(t, c.SAdd("s2", "b", "c", "d"))
		if m := sorted(testutil.Must(t, c.SMembers("s1"))); !reflect.DeepEqual(m, []string{"a", "b", "c"}) {
			t.Errorf("SMEMBERS: %v", m)
		}
		if ok := testutil.Must(t, c.SIsMember("s1", "a")); !ok {
			t.Error("SISMEMBER a: false")
		}
		if ok := testutil.Must(t, c.SIsMember("s1", "z")); ok {
			t.Error("SISMEMBER z: true")
		}
		if bs := testutil.Must(t, c.SMIsMember("s1", "a", "z")); !reflect.DeepEqual(bs, []bool{true, false}) {
			t.Errorf("SMISMEMBER: %v", bs)
		}
		if m := sorted(testutil.Must(t, c.SInter("s1", "s2"))); !reflect.DeepEqual(m, []string{"b", "c"}) {
			t.Errorf("SINTER: %v", m)
		}
		if m := sorted(testutil.Must(t, c.SUnion("s1", "s2"))); len(m) != 4 {
			t.Errorf("SUNION: %v", m)
		}
		if m := testutil.Must(t, c.SDiff("s1", "s2")); !reflect.DeepEqual(m, []string{"a"}) {
			t.Errorf("SDIFF: %v", m)
		}
		if n := testutil.Must(t, c.SInterStore("si", "s1", "s2")); n != 2 {
			t.Errorf("SINTERSTORE: %d", n)
		}
		if n := testutil.Must(t, c.SUnionStore("su", "s1", "s2")); n != 4 {
			t.Errorf("SUNIONSTORE: %d", n)
		}
		if n := testutil.Must(t, c.SDiffStore("sd", "s1", "s2")); n != 1 {
			t.Errorf("SDIFFSTORE: %d", n)
		}
		if n := testutil.Must(t, c.SInterCard(1, "s1", "s2")); n != 1 {
			t.Errorf("SINTERCARD LIMIT 1: %d", n)
		}
		if ok := testutil.Must(t, c.SMove("s1", "s2", "a")); !ok {
			t.Error("SMOVE: false")
		}
		if n := testutil.Must(t, c.SCard("s2")); n != 4 {
			t.Errorf("SCARD: %d", n)
		}
		if n := testutil.Must(t, c.SRem("s2", "a", "z")); n != 1 {
			t.Errorf("SREM: %d", n)
		}
		if m := testutil.Must(t, c.SRandMember("s2")); m == "" {
			t.Error("SRANDMEMBER: empty")
		}
		if m := testutil.Must(t, c.SRandMemberCount("s2", -5)); len(m) != 5 {
			t.Errorf("SRANDMEMBER -5: %v", m)
		}
		if m := testutil.Must(t, c.SPopCount("s2", 2)); len(m) != 2 {
			t.Errorf("SPOP 2: %v", m)
		}
		testutil.Must(t, c.SPop("s2"))
		if _, err := testutil.Wait(t, c.SPop("s2")); !errors.Is(err, proto.ErrNil) {
			t.Errorf("SPOP of an empty set: %v", err)
		}
	})
}

func TestHashCommands(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		if n := testutil.Must(t, c.HSet("h", "a", "1", "b", "2")); n != 2 {
			t.Errorf("HSET: %d", n)
		}
		testutil.Must(t, c.HMSet("h", map[string]string{"c": "3"}))
		if m := testutil.Must(t, c.HGetAll("h")); !reflect.DeepEqual(m, map[string]string{"a": "1", "b": "2", "c": "3"}) {
			t.Errorf("HGETALL: %v", m)
		}
		if m := testutil.Must(t, c.HGetAll("missing")); len(m) != 0 {
			t.Errorf("HGETALL missing: %v", m)
		}
		if v := testutil.Must(t, c.HMGet("h", "a", "nope")); !reflect.DeepEqual(v, []conn.Nullable[string]{{V: "1", Valid: true}, {}}) {
			t.Errorf("HMGET: %+v", v)
		}
		if v := testutil.Must(t, c.HGet("h", "b")); v != "2" {
			t.Errorf("HGET: %q", v)
		}
		if _, err := testutil.Wait(t, c.HGet("h", "nope")); !errors.Is(err, proto.ErrNil) {
			t.Errorf("HGET missing: %v", err)
		}
		if ok := testutil.Must(t, c.HExists("h", "a")); !ok {
			t.Error("HEXISTS: false")
		}
		if ok := testutil.Must(t, c.HSetNX("h", "a", "x")); ok {
			t.Error("HSETNX over a field: true")
		}
		if n := testutil.Must(t, c.HIncrBy("h", "a", 10)); n != 11 {
			t.Errorf("HINCRBY: %d", n)
		}
		if f := testutil.Must(t, c.HIncrByFloat("h", "f", 0.5)); f != 0.5 {
			t.Errorf("HINCRBYFLOAT: %v", f)
		}
		if k := sorted(testutil.Must(t, c.HKeys("h"))); !reflect.DeepEqual(k, []string{"a", "b", "c", "f"}) {
			t.Errorf("HKEYS: %v", k)
		}
		if v := testutil.Must(t, c.HVals("h")); len(v) != 4 {
			t.Errorf("HVALS: %v", v)
		}
		if n := testutil.Must(t, c.HLen("h")); n != 4 {
			t.Errorf("HLEN: %d", n)
		}
		if n := testutil.Must(t, c.HStrLen("h", "a")); n != 2 {
			t.Errorf("HSTRLEN: %d", n)
		}
		if fv := testutil.Must(t, c.HRandFieldWithValues("h", 2)); len(fv) != 2 || fv[0].Field == "" {
			t.Errorf("HRANDFIELD WITHVALUES: %+v", fv)
		}
		if f := testutil.Must(t, c.HRandField("h", 1)); len(f) != 1 {
			t.Errorf("HRANDFIELD: %v", f)
		}
		if n := testutil.Must(t, c.HDel("h", "a", "nope")); n != 1 {
			t.Errorf("HDEL: %d", n)
		}
	})
}

func TestListCommands(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		testutil.Must(t, c.RPush("l", "a", "b", "c"))
		testutil.Must(t, c.LPush("l", "z"))
		if l := testutil.Must(t, c.LRange("l", 0, -1)); !reflect.DeepEqual(l, []string{"z", "a", "b", "c"}) {
			t.Errorf("LRANGE: %v", l)
		}
		if n := testutil.Must(t, c.LPushX("nolist", "x")); n != 0 {
			t.Errorf("LPUSHX on a missing list: %d", n)
		}
		testutil.Must(t, c.RPushX("l", "d"))
		if n := testutil.Must(t, c.LLen("l")); n != 5 {
			t.Errorf("LLEN: %d", n)
		}
		if v := testutil.Must(t, c.LIndex("l", -1)); v != "d" {
			t.Errorf("LINDEX -1: %q", v)
		}
		if n := testutil.Must(t, c.LInsert("l", true, "a", "a2")); n != 6 {
			t.Errorf("LINSERT AFTER: %d", n)
		}
		if i := testutil.Must(t, c.LPos("l", "b", conn.LPosArgs{})); i != 3 {
			t.Errorf("LPOS: %d", i)
		}
		if _, err := testutil.Wait(t, c.LPos("l", "nope", conn.LPosArgs{})); !errors.Is(err, proto.ErrNil) {
			t.Errorf("LPOS missing: %v", err)
		}
		if is := testutil.Must(t, c.LPosCount("l", "b", 0, conn.LPosArgs{})); !reflect.DeepEqual(is, []int64{3}) {
			t.Errorf("LPOS COUNT: %v", is)
		}
		testutil.Must(t, c.LSet("l", 0, "y"))
		if n := testutil.Must(t, c.LRem("l", 0, "a2")); n != 1 {
			t.Errorf("LREM: %d", n)
		}
		testutil.Must(t, c.LTrim("l", 0, 3))
		if v := testutil.Must(t, c.LPop("l")); v != "y" {
			t.Errorf("LPOP: %q", v)
		}
		if v := testutil.Must(t, c.RPop("l")); v != "c" {
			t.Errorf("RPOP: %q", v)
		}
		if v := testutil.Must(t, c.LMove("l", "l2", conn.Left, conn.Right)); v != "a" {
			t.Errorf("LMOVE: %q", v)
		}
		if v := testutil.Must(t, c.RPopLPush("l", "l2")); v != "b" {
			t.Errorf("RPOPLPUSH: %q", v)
		}
		if _, err := testutil.Wait(t, c.LPop("l")); !errors.Is(err, proto.ErrNil) {
			t.Errorf("LPOP of an empty list: %v", err)
		}
		if kv := testutil.Must(t, c.LMPop(conn.Left, 5, "l", "l2")); kv.Key != "l2" || !reflect.DeepEqual(kv.Values, []string{"b", "a"}) {
			t.Errorf("LMPOP: %+v", kv)
		}
		testutil.Must(t, c.RPush("l3", "1", "2", "3"))
		if v := testutil.Must(t, c.LPopCount("l3", 2)); !reflect.DeepEqual(v, []string{"1", "2"}) {
			t.Errorf("LPOP 2: %v", v)
		}
		if v := testutil.Must(t, c.RPopCount("l3", 2)); !reflect.DeepEqual(v, []string{"3"}) {
			t.Errorf("RPOP 2: %v", v)
		}
		// Blocking pops: an element that is there, and a timeout.
		testutil.Must(t, c.RPush("bl", "x"))
		if kv := testutil.Must(t, c.BLPop(time.Second, "empty", "bl")); kv != (conn.KeyValue{Key: "bl", Value: "x"}) {
			t.Errorf("BLPOP: %+v", kv)
		}
		start := time.Now()
		if _, err := testutil.Wait(t, c.BRPop(100*time.Millisecond, "empty")); !errors.Is(err, proto.ErrNil) {
			t.Errorf("BRPOP timeout: %v", err)
		}
		if time.Since(start) < 90*time.Millisecond {
			t.Error("BRPOP returned before its timeout")
		}
		testutil.Must(t, c.RPush("bl", "y", "z"))
		if v := testutil.Must(t, c.BRPopLPush("bl", "bl2", time.Second)); v != "z" {
			t.Errorf("BRPOPLPUSH: %q", v)
		}
		if v := testutil.Must(t, c.BLMove("bl", "bl2", conn.Left, conn.Left, time.Second)); v != "y" {
			t.Errorf("BLMOVE: %q", v)
		}
		if kv := testutil.Must(t, c.BLMPop(time.Second, conn.Right, 1, "bl2")); kv.Key != "bl2" || len(kv.Values) != 1 {
			t.Errorf("BLMPOP: %+v", kv)
		}
	})
}

// TestBlockingPopWakes checks that a blocking pop waiting on one
// connection fires when another pushes.
func TestBlockingPopWakes(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		d := c.BLPop(0, "wake")
		other := connectTo(t, conn.Options{Addr: c.Options().Addr})
		testutil.Eventually(t, func() error {
			if d.Fired() {
				return nil
			}
			if n := testutil.Must(t, other.LPush("wake", "v")); n == 0 {
				return errors.New("push failed")
			}
			return nil
		})
		if kv := testutil.Must(t, d); kv.Value != "v" {
			t.Errorf("BLPOP woke with %+v", kv)
		}
	})
}

func TestSortedSetCommands(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		n := testutil.Must(t, c.ZAdd("z", conn.ZMember{Member: "a", Score: 1}, conn.ZMember{Member: "b", Score: 2}, conn.ZMember{Member: "c", Score: 3.5}))
		if n != 3 {
			t.Errorf("ZADD: %d", n)
		}
		if n := testutil.Must(t, c.ZAddWithArgs("z", conn.ZAddArgs{GT: true, CH: true}, conn.ZMember{Member: "a", Score: 0}, conn.ZMember{Member: "b", Score: 5})); n != 1 {
			t.Errorf("ZADD GT CH: %d", n)
		}
		if f := testutil.Must(t, c.ZAddIncr("z", conn.ZAddArgs{}, conn.ZMember{Member: "a", Score: 1})); f != 2 {
			t.Errorf("ZADD INCR: %v", f)
		}
		if _, err := testutil.Wait(t, c.ZAddIncr("z", conn.ZAddArgs{NX: true}, conn.ZMember{Member: "a", Score: 1})); !errors.Is(err, proto.ErrNil) {
			t.Errorf("ZADD NX INCR on an existing member: %v", err)
		}
		if f := testutil.Must(t, c.ZScore("z", "c")); f != 3.5 {
			t.Errorf("ZSCORE: %v", f)
		}
		if _, err := testutil.Wait(t, c.ZScore("z", "nope")); !errors.Is(err, proto.ErrNil) {
			t.Errorf("ZSCORE missing: %v", err)
		}
		want := []conn.ZMember{{Member: "a", Score: 2}, {Member: "c", Score: 3.5}, {Member: "b", Score: 5}}
		if ms := testutil.Must(t, c.ZRangeWithScores("z", 0, -1)); !reflect.DeepEqual(ms, want) {
			t.Errorf("ZRANGE WITHSCORES: %+v", ms)
		}
		if ms := testutil.Must(t, c.ZRevRange("z", 0, 0)); !reflect.DeepEqual(ms, []string{"b"}) {
			t.Errorf("ZREVRANGE: %v", ms)
		}
		if ms := testutil.Must(t, c.ZRevRangeWithScores("z", 0, 0)); ms[0] != want[2] {
			t.Errorf("ZREVRANGE WITHSCORES: %+v", ms)
		}
		if ms := testutil.Must(t, c.ZRangeByScore("z", "(2", "+inf", conn.Limit{})); !reflect.DeepEqual(ms, []string{"c", "b"}) {
			t.Errorf("ZRANGEBYSCORE: %v", ms)
		}
		if ms := testutil.Must(t, c.ZRangeByScoreWithScores("z", "-inf", "+inf", conn.Limit{Offset: 1, Count: 1})); !reflect.DeepEqual(ms, want[1:2]) {
			t.Errorf("ZRANGEBYSCORE LIMIT: %+v", ms)
		}
		if ms := testutil.Must(t, c.ZRevRangeByScore("z", "+inf", "3", conn.Limit{})); !reflect.DeepEqual(ms, []string{"b", "c"}) {
			t.Errorf("ZREVRANGEBYSCORE: %v", ms)
		}
		if ms := testutil.Must(t, c.ZRevRangeByScoreWithScores("z", "5", "5", conn.Limit{})); !reflect.DeepEqual(ms, want[2:]) {
			t.Errorf("ZREVRANGEBYSCORE WITHSCORES: %+v", ms)
		}
		if ms := testutil.Must(t, c.ZRangeWithArgs("z", conn.ZRangeArgs{Start: "0", Stop: "(5", ByScore: true, Rev: false})); !reflect.DeepEqual(ms, []string{"a", "c"}) {
			t.Errorf("ZRANGE BYSCORE: %v", ms)
		}
		if ms := testutil.Must(t, c.ZRangeWithArgsScores("z", conn.ZRangeArgs{Start: "0", Stop: "0", Rev: true})); !reflect.DeepEqual(ms, want[2:]) {
			t.Errorf("ZRANGE REV WITHSCORES: %+v", ms)
		}
		if n := testutil.Must(t, c.ZRangeStore("zs", "z", conn.ZRangeArgs{Start: "0", Stop: "1"})); n != 2 {
			t.Errorf("ZRANGESTORE: %d", n)
		}
		if n := testutil.Must(t, c.ZCard("z")); n != 3 {
			t.Errorf("ZCARD: %d", n)
		}
		if n := testutil.Must(t, c.ZCount("z", "2", "3.5")); n != 2 {
			t.Errorf("ZCOUNT: %d", n)
		}
		if r := testutil.Must(t, c.ZRank("z", "b")); r != 2 {
			t.Errorf("ZRANK: %d", r)
		}
		if r := testutil.Must(t, c.ZRevRank("z", "b")); r != 0 {
			t.Errorf("ZREVRANK: %d", r)
		}
		if f := testutil.Must(t, c.ZIncrBy("z", 0.5, "a")); f != 2.5 {
			t.Errorf("ZINCRBY: %v", f)
		}
		ms := testutil.Must(t, c.ZMScore("z", "a", "nope"))
		if !reflect.DeepEqual(ms, []conn.Nullable[float64]{{V: 2.5, Valid: true}, {}}) {
			t.Errorf("ZMSCORE: %+v", ms)
		}
		testutil.Must(t, c.ZAdd("lex", conn.ZMember{Member: "a"}, conn.ZMember{Member: "b"}, conn.ZMember{Member: "c"}))
		if ms := testutil.Must(t, c.ZRangeByLex("lex", "[b", "+", conn.Limit{})); !reflect.DeepEqual(ms, []string{"b", "c"}) {
			t.Errorf("ZRANGEBYLEX: %v", ms)
		}
		if ms := testutil.Must(t, c.ZRevRangeByLex("lex", "+", "(a", conn.Limit{})); !reflect.DeepEqual(ms, []string{"c", "b"}) {
			t.Errorf("ZREVRANGEBYLEX: %v", ms)
		}
		if n := testutil.Must(t, c.ZLexCount("lex", "-", "+")); n != 3 {
			t.Errorf("ZLEXCOUNT: %d", n)
		}
		if n := testutil.Must(t, c.ZRemRangeByLex("lex", "[a", "[a")); n != 1 {
			t.Errorf("ZREMRANGEBYLEX: %d", n)
		}
		testutil.Must(t, c.ZAdd("z2", conn.ZMember{Member: "a", Score: 10}, conn.ZMember{Member: "x", Score: 1}))
		if ms := testutil.Must(t, c.ZUnionWithScores(conn.ZSetOpArgs{Aggregate: "MAX"}, "z", "z2")); len(ms) != 4 || ms[3] != (conn.ZMember{Member: "a", Score: 10}) {
			t.Errorf("ZUNION AGGREGATE MAX WITHSCORES: %+v", ms)
		}
		if ms := testutil.Must(t, c.ZInter(conn.ZSetOpArgs{}, "z", "z2")); !reflect.DeepEqual(ms, []string{"a"}) {
			t.Errorf("ZINTER: %v", ms)
		}
		if ms := testutil.Must(t, c.ZInterWithScores(conn.ZSetOpArgs{Weights: []float64{2, 1}}, "z", "z2")); ms[0].Score != 15 {
			t.Errorf("ZINTER WEIGHTS: %+v", ms)
		}
		if ms := testutil.Must(t, c.ZUnion(conn.ZSetOpArgs{}, "z", "z2")); len(ms) != 4 {
			t.Errorf("ZUNION: %v", ms)
		}
		if n := testutil.Must(t, c.ZUnionStore("zu", conn.ZSetOpArgs{}, "z", "z2")); n != 4 {
			t.Errorf("ZUNIONSTORE: %d", n)
		}
		if n := testutil.Must(t, c.ZInterStore("zi", conn.ZSetOpArgs{}, "z", "z2")); n != 1 {
			t.Errorf("ZINTERSTORE: %d", n)
		}
		if ms := testutil.Must(t, c.ZDiff("z", "z2")); !reflect.DeepEqual(ms, []string{"c", "b"}) {
			t.Errorf("ZDIFF: %v", ms)
		}
		if ms := testutil.Must(t, c.ZDiffWithScores("z", "z2")); len(ms) != 2 {
			t.Errorf("ZDIFF WITHSCORES: %v", ms)
		}
		if n := testutil.Must(t, c.ZDiffStore("zd", "z", "z2")); n != 2 {
			t.Errorf("ZDIFFSTORE: %d", n)
		}
		if n := testutil.Must(t, c.ZInterCard(0, "z", "z2")); n != 1 {
			t.Errorf("ZINTERCARD: %d", n)
		}
		if ms := testutil.Must(t, c.ZRandMemberWithScores("z", 1)); len(ms) != 1 {
			t.Errorf("ZRANDMEMBER WITHSCORES: %+v", ms)
		}
		if ms := testutil.Must(t, c.ZRandMember("z", 2)); len(ms) != 2 {
			t.Errorf("ZRANDMEMBER: %v", ms)
		}
		if ms := testutil.Must(t, c.ZPopMin("zu", 0)); len(ms) != 1 || ms[0].Member != "x" {
			t.Errorf("ZPOPMIN: %+v", ms)
		}
		if ms := testutil.Must(t, c.ZPopMax("zu", 2)); len(ms) != 2 || ms[0].Member != "a" {
			t.Errorf("ZPOPMAX 2: %+v", ms)
		}
		if kz := testutil.Must(t, c.ZMPop(conn.Min, 1, "empty", "zu")); kz.Key != "zu" || len(kz.Members) != 1 {
			t.Errorf("ZMPOP: %+v", kz)
		}
		if kz := testutil.Must(t, c.BZMPop(time.Second, conn.Max, 0, "zd")); kz.Key != "zd" || kz.Members[0].Member != "b" {
			t.Errorf("BZMPOP: %+v", kz)
		}
		if kz := testutil.Must(t, c.BZPopMin(time.Second, "zd")); kz.Key != "zd" || kz.Member != "c" || kz.Score != 3.5 {
			t.Errorf("BZPOPMIN: %+v", kz)
		}
		if _, err := testutil.Wait(t, c.BZPopMax(50*time.Millisecond, "zd")); !errors.Is(err, proto.ErrNil) {
			t.Errorf("BZPOPMAX timeout: %v", err)
		}
		if n := testutil.Must(t, c.ZRem("z", "a", "nope")); n != 1 {
			t.Errorf("ZREM: %d", n)
		}
		if n := testutil.Must(t, c.ZRemRangeByRank("z", 0, 0)); n != 1 {
			t.Errorf("ZREMRANGEBYRANK: %d", n)
		}
		if n := testutil.Must(t, c.ZRemRangeByScore("z", "-inf", "+inf")); n != 1 {
			t.Errorf("ZREMRANGEBYSCORE: %d", n)
		}
	})
}

// TestScanAllPages checks that the ScanAll helpers follow the cursor over
// many pages and return each element once.
func TestScanAllPages(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		const n = 300
		var kv, members, fieldvals []string
		var zm []conn.ZMember
		for i := 0; i < n; i++ {
			s := strconv.Itoa(i)
			kv = append(kv, "key:"+s, s)
			members = append(members, "m"+s)
			fieldvals = append(fieldvals, "f"+s, s)
			zm = append(zm, conn.ZMember{Member: "m" + s, Score: float64(i)})
		}
		testutil.Must(t, c.MSet(kv...))
		testutil.Must(t, c.SAdd("set", members...))
		testutil.Must(t, c.HSet("hash", fieldvals...))
		testutil.Must(t, c.ZAdd("zset", zm...))
		page := testutil.Must(t, c.Scan(0, conn.ScanArgs{Match: "key:*", Count: 10}))
		if page.Cursor == 0 {
			t.Fatal("first SCAN page of 300 keys with COUNT 10 ended the iteration")
		}
		keys := testutil.Must(t, c.ScanAll(conn.ScanArgs{Match: "key:*", Count: 10}))
		if len(keys) != n {
			t.Errorf("ScanAll: %d keys, want %d", len(keys), n)
		}
		if typed := testutil.Must(t, c.ScanAll(conn.ScanArgs{Type: "zset"})); !reflect.DeepEqual(typed, []string{"zset"}) {
			t.Errorf("ScanAll TYPE zset: %v", typed)
		}
		if ms := testutil.Must(t, c.SScanAll("set", conn.ScanArgs{Count: 10})); len(ms) != n {
			t.Errorf("SScanAll: %d", len(ms))
		}
		if h := testutil.Must(t, c.HScanAll("hash", conn.ScanArgs{Count: 10})); len(h) != n || h["f7"] != "7" {
			t.Errorf("HScanAll: %d fields, f7=%q", len(h), h["f7"])
		}
		zs := testutil.Must(t, c.ZScanAll("zset", conn.ScanArgs{Count: 10, Match: "m1*"}))
		for _, m := range zs {
			if strconv.Itoa(int(m.Score)) != m.Member[1:] {
				t.Errorf("ZScanAll pair %+v", m)
			}
		}
		if len(zs) != 111 { // m1, m10-m19, m100-m199
			t.Errorf("ZScanAll MATCH m1*: %d", len(zs))
		}
	})
}

func TestSortAndKeys(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		testutil.Must(t, c.RPush("nums", "3", "1", "2"))
		if s := testutil.Must(t, c.Sort("nums", conn.SortArgs{})); !reflect.DeepEqual(s, []string{"1", "2", "3"}) {
			t.Errorf("SORT: %v", s)
		}
		testutil.Must(t, c.MSet("w_1", "30", "w_2", "20", "w_3", "10", "o_1", "one", "o_3", "three"))
		if s := testutil.Must(t, c.Sort("nums", conn.SortArgs{By: "w_*", Get: []string{"o_*", "#"}})); !reflect.DeepEqual(s, []string{"three", "3", "", "2", "one", "1"}) {
			t.Errorf("SORT BY GET: %q", s)
		}
		if s := testutil.Must(t, c.SortRO("nums", conn.SortArgs{Desc: true, Offset: 0, Count: 2})); !reflect.DeepEqual(s, []string{"3", "2"}) {
			t.Errorf("SORT_RO DESC LIMIT: %v", s)
		}
		if n := testutil.Must(t, c.SortStore("nums", "sorted", conn.SortArgs{Alpha: true})); n != 3 {
			t.Errorf("SORT STORE: %d", n)
		}
		if typ := testutil.Must(t, c.Type("sorted")); typ != "list" {
			t.Errorf("TYPE: %q", typ)
		}
		if n := testutil.Must(t, c.Exists("nums", "nums", "nope")); n != 2 {
			t.Errorf("EXISTS: %d", n)
		}
		if k := testutil.Must(t, c.Keys("w_*")); len(k) != 3 {
			t.Errorf("KEYS: %v", k)
		}
		if ok := testutil.Must(t, c.Expire("nums", 100*time.Second)); !ok {
			t.Error("EXPIRE: false")
		}
		if ok := testutil.Must(t, c.ExpireWithArgs("nums", 10*time.Second, conn.ExpireArgs{GT: true})); ok {
			t.Error("EXPIRE GT with a smaller ttl: true")
		}
		if ts := testutil.Must(t, c.ExpireTime("nums")); ts < time.Now().Unix() {
			t.Errorf("EXPIRETIME: %d", ts)
		}
		if ts := testutil.Must(t, c.PExpireTime("nums")); ts < time.Now().UnixMilli() {
			t.Errorf("PEXPIRETIME: %d", ts)
		}
		if ok := testutil.Must(t, c.Persist("nums")); !ok {
			t.Error("PERSIST: false")
		}
		testutil.Must(t, c.PExpire("nums", 100*time.Second))
		testutil.Must(t, c.ExpireAt("nums", time.Now().Add(time.Hour)))
		testutil.Must(t, c.PExpireAt("nums", time.Now().Add(time.Hour)))
		testutil.Must(t, c.PExpireAtWithArgs("nums", time.Now().Add(time.Hour), conn.ExpireArgs{XX: true}))
		testutil.Must(t, c.ExpireAtWithArgs("nums", time.Now().Add(time.Hour), conn.ExpireArgs{XX: true}))
		testutil.Must(t, c.PExpireWithArgs("nums", time.Hour, conn.ExpireArgs{LT: true}))
		if ttl := testutil.Must(t, c.TTL("nums")); ttl <= 0 || ttl > time.Hour {
			t.Errorf("TTL: %v", ttl)
		}
		testutil.Must(t, c.Rename("sorted", "sorted2"))
		if ok := testutil.Must(t, c.RenameNX("sorted2", "nums")); ok {
			t.Error("RENAMENX over an existing key: true")
		}
		if ok := testutil.Must(t, c.Copy("sorted2", "copy", false)); !ok {
			t.Error("COPY: false")
		}
		if ok := testutil.Must(t, c.CopyToDB("sorted2", "copy", 1, true)); !ok {
			t.Error("COPY DB 1: false")
		}
		if ok := testutil.Must(t, c.Move("copy", 2)); !ok {
			t.Error("MOVE: false")
		}
		dump := testutil.Must(t, c.Dump("sorted2"))
		testutil.Must(t, c.Restore("restored", 0, dump, conn.RestoreArgs{}))
		if l := testutil.Must(t, c.LRange("restored", 0, -1)); !reflect.DeepEqual(l, []string{"1", "2", "3"}) {
			t.Errorf("RESTORE: %v", l)
		}
		if enc := testutil.Must(t, c.ObjectEncoding("restored")); enc == "" {
			t.Error("OBJECT ENCODING: empty")
		}
		if rc := testutil.Must(t, c.ObjectRefCount("restored")); rc < 1 {
			t.Errorf("OBJECT REFCOUNT: %d", rc)
		}
		testutil.Must(t, c.ObjectIdleTime("restored"))
		if _, err := testutil.Wait(t, c.ObjectFreq("restored")); err == nil {
			t.Error("OBJECT FREQ without an LFU policy succeeded")
		}
		if n := testutil.Must(t, c.Touch("restored", "nope")); n != 1 {
			t.Errorf("TOUCH: %d", n)
		}
		if k := testutil.Must(t, c.RandomKey()); k == "" {
			t.Error("RANDOMKEY: empty")
		}
		if n := testutil.Must(t, c.Unlink("restored", "nope")); n != 1 {
			t.Errorf("UNLINK: %d", n)
		}
		if n := testutil.Must(t, c.Wait(0, 0)); n != 0 {
			t.Errorf("WAIT 0 0: %d", n)
		}
	})
}
