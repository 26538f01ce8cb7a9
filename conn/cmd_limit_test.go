package conn_test

import (
	"errors"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// limitCase is a command with a LIMIT offset count: how to send it with
// a Limit, and its arguments before and after the LIMIT.
type limitCase struct {
	name         string
	send         func(c conn.Commands, l conn.Limit) error
	before, tail []string
}

func limitCases() []limitCase {
	sortArgs := func(l conn.Limit) conn.SortArgs { return conn.SortArgs{Offset: l.Offset, Count: l.Count} }
	byScore := func(l conn.Limit) conn.ZRangeArgs {
		return conn.ZRangeArgs{Start: "-inf", Stop: "+inf", ByScore: true, Limit: l}
	}
	return []limitCase{
		{"SORT", func(c conn.Commands, l conn.Limit) error { return errOf(c.Sort("k", sortArgs(l)).Result()) },
			[]string{"SORT", "k"}, nil},
		{"SORT_RO", func(c conn.Commands, l conn.Limit) error { return errOf(c.SortRO("k", sortArgs(l)).Result()) },
			[]string{"SORT_RO", "k"}, nil},
		{"SORT STORE", func(c conn.Commands, l conn.Limit) error { return errOf(c.SortStore("k", "d", sortArgs(l)).Result()) },
			[]string{"SORT", "k"}, []string{"STORE", "d"}},
		{"ZRANGEBYSCORE", func(c conn.Commands, l conn.Limit) error {
			return errOf(c.ZRangeByScore("z", "-inf", "+inf", l).Result())
		}, []string{"ZRANGEBYSCORE", "z", "-inf", "+inf"}, nil},
		{"ZRANGEBYSCORE WITHSCORES", func(c conn.Commands, l conn.Limit) error {
			return errOf(c.ZRangeByScoreWithScores("z", "-inf", "+inf", l).Result())
		}, []string{"ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES"}, nil},
		{"ZREVRANGEBYSCORE", func(c conn.Commands, l conn.Limit) error {
			return errOf(c.ZRevRangeByScore("z", "+inf", "-inf", l).Result())
		}, []string{"ZREVRANGEBYSCORE", "z", "+inf", "-inf"}, nil},
		{"ZREVRANGEBYSCORE WITHSCORES", func(c conn.Commands, l conn.Limit) error {
			return errOf(c.ZRevRangeByScoreWithScores("z", "+inf", "-inf", l).Result())
		}, []string{"ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES"}, nil},
		{"ZRANGEBYLEX", func(c conn.Commands, l conn.Limit) error {
			return errOf(c.ZRangeByLex("z", "-", "+", l).Result())
		}, []string{"ZRANGEBYLEX", "z", "-", "+"}, nil},
		{"ZREVRANGEBYLEX", func(c conn.Commands, l conn.Limit) error {
			return errOf(c.ZRevRangeByLex("z", "+", "-", l).Result())
		}, []string{"ZREVRANGEBYLEX", "z", "+", "-"}, nil},
		{"ZRANGE BYSCORE", func(c conn.Commands, l conn.Limit) error {
			return errOf(c.ZRangeWithArgs("z", byScore(l)).Result())
		}, []string{"ZRANGE", "z", "-inf", "+inf", "BYSCORE"}, nil},
		{"ZRANGE BYSCORE WITHSCORES", func(c conn.Commands, l conn.Limit) error {
			return errOf(c.ZRangeWithArgsScores("z", byScore(l)).Result())
		}, []string{"ZRANGE", "z", "-inf", "+inf", "BYSCORE"}, []string{"WITHSCORES"}},
		{"ZRANGE BYLEX REV", func(c conn.Commands, l conn.Limit) error {
			return errOf(c.ZRangeWithArgs("z", conn.ZRangeArgs{Start: "+", Stop: "-", ByLex: true, Rev: true, Limit: l}).Result())
		}, []string{"ZRANGE", "z", "+", "-", "BYLEX", "REV"}, nil},
		{"ZRANGESTORE", func(c conn.Commands, l conn.Limit) error {
			return errOf(c.ZRangeStore("d", "z", byScore(l)).Result())
		}, []string{"ZRANGESTORE", "d", "z", "-inf", "+inf", "BYSCORE"}, nil},
	}
}

// A half-given LIMIT means what it says, the same way for every command
// that takes one: Count alone is the first Count, Offset alone is all
// from Offset (it used to send no LIMIT to SORT, and LIMIT offset 0, an
// empty reply, to the sorted-set ranges).
func TestLimitHalfGiven(t *testing.T) {
	for _, lc := range limitCases() {
		for _, tc := range []struct {
			limit conn.Limit
			want  []string // the LIMIT arguments; nil: none
		}{
			{conn.Limit{}, nil},
			{conn.Limit{Offset: 3}, []string{"LIMIT", "3", "-1"}},
			{conn.Limit{Count: 2}, []string{"LIMIT", "0", "2"}},
			{conn.Limit{Offset: 3, Count: 2}, []string{"LIMIT", "3", "2"}},
			{conn.Limit{Offset: 3, Count: -5}, []string{"LIMIT", "3", "-1"}},
		} {
			r := &recorder{reply: proto.ArrayValue()}
			lc.send(conn.NewCommands(r), tc.limit)
			args := append(append(append([]string{}, lc.before...), tc.want...), lc.tail...)
			want := string(proto.AppendCommand(nil, args...))
			if len(r.wire) != 1 {
				t.Errorf("%s %+v: sent %d commands", lc.name, tc.limit, len(r.wire))
				continue
			}
			if have := string(r.wire[0]); have != want {
				t.Errorf("%s %+v:\nhave %q\nwant %q", lc.name, tc.limit, have, want)
			}
		}
		r := &recorder{}
		if err := lc.send(conn.NewCommands(r), conn.Limit{Offset: -1, Count: 2}); !errors.Is(err, conn.ErrBadArgs) || len(r.wire) != 0 {
			t.Errorf("%s with a negative offset: %v, %d sent; want ErrBadArgs before sending", lc.name, err, len(r.wire))
		}
	}
}

// The other counts (COUNT, LIMIT with one number) follow one rule: 0 sends
// none, a positive number is sent, a negative one fails with ErrBadArgs
// before anything is sent. A LIMIT that needs another option without it
// fails too.
func TestCountsOneRule(t *testing.T) {
	for _, tc := range []struct {
		name string
		send func(c conn.Commands, n int64) error
		none []string // the command with n = 0
		with func(n string) []string
	}{
		{"GEOSEARCH COUNT", func(c conn.Commands, n int64) error {
			return errOf(c.GeoSearch("g", conn.GeoSearchArgs{FromMember: "p", Radius: 1, Unit: "km", Count: n}).Result())
		}, []string{"GEOSEARCH", "g", "FROMMEMBER", "p", "BYRADIUS", "1", "km"},
			func(n string) []string {
				return []string{"GEOSEARCH", "g", "FROMMEMBER", "p", "BYRADIUS", "1", "km", "COUNT", n}
			}},
		{"GEORADIUS COUNT", func(c conn.Commands, n int64) error {
			return errOf(c.GeoRadius("g", 1, 2, 3, "m", conn.GeoRadiusArgs{Count: n}).Result())
		}, []string{"GEORADIUS", "g", "1", "2", "3", "m"},
			func(n string) []string { return []string{"GEORADIUS", "g", "1", "2", "3", "m", "COUNT", n} }},
		{"XRANGE COUNT", func(c conn.Commands, n int64) error { return errOf(c.XRange("s", "-", "+", n).Result()) },
			[]string{"XRANGE", "s", "-", "+"},
			func(n string) []string { return []string{"XRANGE", "s", "-", "+", "COUNT", n} }},
		{"XREVRANGE COUNT", func(c conn.Commands, n int64) error { return errOf(c.XRevRange("s", "+", "-", n).Result()) },
			[]string{"XREVRANGE", "s", "+", "-"},
			func(n string) []string { return []string{"XREVRANGE", "s", "+", "-", "COUNT", n} }},
		{"XREAD COUNT", func(c conn.Commands, n int64) error {
			return errOf(c.XRead(conn.XReadArgs{Streams: []string{"s"}, IDs: []string{"0"}, Count: n}).Result())
		}, []string{"XREAD", "STREAMS", "s", "0"},
			func(n string) []string { return []string{"XREAD", "COUNT", n, "STREAMS", "s", "0"} }},
		{"XAUTOCLAIM COUNT", func(c conn.Commands, n int64) error {
			return errOf(c.XAutoClaim("s", "g", "c", time.Second, "0", n).Result())
		}, []string{"XAUTOCLAIM", "s", "g", "c", "1000", "0"},
			func(n string) []string { return []string{"XAUTOCLAIM", "s", "g", "c", "1000", "0", "COUNT", n} }},
		{"SCAN COUNT", func(c conn.Commands, n int64) error { return errOf(c.Scan(0, conn.ScanArgs{Count: n}).Result()) },
			[]string{"SCAN", "0"},
			func(n string) []string { return []string{"SCAN", "0", "COUNT", n} }},
		{"ZINTERCARD LIMIT", func(c conn.Commands, n int64) error { return errOf(c.ZInterCard(n, "a").Result()) },
			[]string{"ZINTERCARD", "1", "a"},
			func(n string) []string { return []string{"ZINTERCARD", "1", "a", "LIMIT", n} }},
		{"SINTERCARD LIMIT", func(c conn.Commands, n int64) error { return errOf(c.SInterCard(n, "a").Result()) },
			[]string{"SINTERCARD", "1", "a"},
			func(n string) []string { return []string{"SINTERCARD", "1", "a", "LIMIT", n} }},
		{"ZMPOP COUNT", func(c conn.Commands, n int64) error { return errOf(c.ZMPop(conn.Min, n, "z").Result()) },
			[]string{"ZMPOP", "1", "z", "MIN"},
			func(n string) []string { return []string{"ZMPOP", "1", "z", "MIN", "COUNT", n} }},
		{"LMPOP COUNT", func(c conn.Commands, n int64) error { return errOf(c.LMPop(conn.Left, n, "l").Result()) },
			[]string{"LMPOP", "1", "l", "LEFT"},
			func(n string) []string { return []string{"LMPOP", "1", "l", "LEFT", "COUNT", n} }},
	} {
		for n, want := range map[int64][]string{0: tc.none, 7: tc.with("7")} {
			r := &recorder{reply: proto.NullValue()}
			tc.send(conn.NewCommands(r), n)
			if len(r.wire) != 1 || string(r.wire[0]) != string(proto.AppendCommand(nil, want...)) {
				t.Errorf("%s %d: have %q, want %q", tc.name, n, r.wire, proto.AppendCommand(nil, want...))
			}
		}
		r := &recorder{}
		if err := tc.send(conn.NewCommands(r), -1); !errors.Is(err, conn.ErrBadArgs) || len(r.wire) != 0 {
			t.Errorf("%s -1: %v, %d sent; want ErrBadArgs before sending", tc.name, err, len(r.wire))
		}
	}
	for name, err := range map[string]error{
		"GEOSEARCH ANY without COUNT": errOf(conn.NewCommands(&recorder{}).GeoSearch("g",
			conn.GeoSearchArgs{FromMember: "p", Radius: 1, Unit: "km", Any: true}).Result()),
		"ZRANGE LIMIT without BYSCORE": errOf(conn.NewCommands(&recorder{}).ZRangeWithArgs("z",
			conn.ZRangeArgs{Start: "0", Stop: "-1", Limit: conn.Limit{Count: 1}}).Result()),
		"XTRIM LIMIT without ~": errOf(conn.NewCommands(&recorder{}).XTrim("s",
			conn.XTrimArgs{MaxLen: 10, Limit: 5}).Result()),
	} {
		if !errors.Is(err, conn.ErrBadArgs) {
			t.Errorf("%s: %v, want ErrBadArgs", name, err)
		}
	}
}
