package conn_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// keywordCase is one enumerated argument of a command: the spellings
// Redis documents for it, how to send a command with one of them, and the
// arguments that must go on the wire for it (in its canonical spelling).
type keywordCase struct {
	name   string
	values []string
	send   func(c conn.Commands, v string)
	wire   func(v string) []string
}

// keywordCases lists every enumerated argument of the command set that
// Redis reads whatever its letter case.
func keywordCases() []keywordCase {
	units := []string{"m", "km", "mi", "ft"}
	sorts := []string{"ASC", "DESC"}
	aggregates := []string{"SUM", "MIN", "MAX"}
	flushModes := []string{"ASYNC", "SYNC"}
	sides := []string{"LEFT", "RIGHT"}
	zsides := []string{"MIN", "MAX"}
	bitUnits := []string{"BYTE", "BIT"}
	search := func(unit, sort string) conn.GeoSearchArgs {
		return conn.GeoSearchArgs{FromMember: "p", Radius: 5, Unit: unit, Sort: sort}
	}
	return []keywordCase{
		{"BITOP operation", []string{"AND", "OR", "XOR"},
			func(c conn.Commands, v string) { c.BitOp(v, "d", "a", "b") },
			func(v string) []string { return []string{"BITOP", v, "d", "a", "b"} }},
		{"BITOP NOT", []string{"NOT"},
			func(c conn.Commands, v string) { c.BitOp(v, "d", "a") },
			func(v string) []string { return []string{"BITOP", v, "d", "a"} }},
		{"BITCOUNT unit", bitUnits,
			func(c conn.Commands, v string) { c.BitCountRange("k", 1, 2, conn.BitUnit(v)) },
			func(v string) []string { return []string{"BITCOUNT", "k", "1", "2", v} }},
		{"BITPOS unit", bitUnits,
			func(c conn.Commands, v string) { c.BitPosRange("k", 1, 1, 2, conn.BitUnit(v)) },
			func(v string) []string { return []string{"BITPOS", "k", "1", "1", "2", v} }},
		{"BITFIELD GET", []string{"GET"},
			func(c conn.Commands, v string) { c.BitField("k", conn.BitFieldOp{Op: v, Encoding: "u8", Offset: "0"}) },
			func(v string) []string { return []string{"BITFIELD", "k", v, "u8", "0"} }},
		{"BITFIELD_RO GET", []string{"GET"},
			func(c conn.Commands, v string) {
				c.BitFieldRO("k", conn.BitFieldOp{Op: v, Encoding: "u8", Offset: "0"})
			},
			func(v string) []string { return []string{"BITFIELD_RO", "k", v, "u8", "0"} }},
		{"BITFIELD SET and INCRBY", []string{"SET", "INCRBY"},
			func(c conn.Commands, v string) {
				c.BitField("k", conn.BitFieldOp{Op: v, Encoding: "i16", Offset: "#1", Value: 3})
			},
			func(v string) []string { return []string{"BITFIELD", "k", v, "i16", "#1", "3"} }},
		{"BITFIELD OVERFLOW", []string{"OVERFLOW"},
			func(c conn.Commands, v string) { c.BitField("k", conn.BitFieldOp{Op: v, Overflow: "SAT"}) },
			func(v string) []string { return []string{"BITFIELD", "k", v, "SAT"} }},
		{"BITFIELD OVERFLOW behaviour", []string{"WRAP", "SAT", "FAIL"},
			func(c conn.Commands, v string) { c.BitField("k", conn.BitFieldOp{Op: "OVERFLOW", Overflow: v}) },
			func(v string) []string { return []string{"BITFIELD", "k", "OVERFLOW", v} }},
		{"GEODIST unit", units,
			func(c conn.Commands, v string) { c.GeoDist("g", "a", "b", v) },
			func(v string) []string { return []string{"GEODIST", "g", "a", "b", v} }},
		{"GEOSEARCH unit", units,
			func(c conn.Commands, v string) { c.GeoSearch("g", search(v, "")) },
			func(v string) []string { return []string{"GEOSEARCH", "g", "FROMMEMBER", "p", "BYRADIUS", "5", v} }},
		{"GEOSEARCH BYBOX unit", units,
			func(c conn.Commands, v string) {
				c.GeoSearch("g", conn.GeoSearchArgs{FromMember: "p", Width: 1, Height: 2, Unit: v})
			},
			func(v string) []string { return []string{"GEOSEARCH", "g", "FROMMEMBER", "p", "BYBOX", "1", "2", v} }},
		{"GEOSEARCH order", sorts,
			func(c conn.Commands, v string) { c.GeoSearch("g", search("km", v)) },
			func(v string) []string {
				return []string{"GEOSEARCH", "g", "FROMMEMBER", "p", "BYRADIUS", "5", "km", v}
			}},
		{"GEOSEARCHSTORE unit and order", sorts,
			func(c conn.Commands, v string) { c.GeoSearchStore("d", "g", search(strings.ToUpper("mi"), v), false) },
			func(v string) []string {
				return []string{"GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "p", "BYRADIUS", "5", "mi", v}
			}},
		{"GEORADIUS unit", units,
			func(c conn.Commands, v string) { c.GeoRadius("g", 1, 2, 3, v, conn.GeoRadiusArgs{}) },
			func(v string) []string { return []string{"GEORADIUS", "g", "1", "2", "3", v} }},
		{"GEORADIUS order", sorts,
			func(c conn.Commands, v string) { c.GeoRadius("g", 1, 2, 3, "km", conn.GeoRadiusArgs{Sort: v}) },
			func(v string) []string { return []string{"GEORADIUS", "g", "1", "2", "3", "km", v} }},
		{"GEORADIUS_RO unit and order", sorts,
			func(c conn.Commands, v string) { c.GeoRadiusRO("g", 1, 2, 3, "Ft", conn.GeoRadiusArgs{Sort: v}) },
			func(v string) []string { return []string{"GEORADIUS_RO", "g", "1", "2", "3", "ft", v} }},
		{"GEORADIUSBYMEMBER unit", units,
			func(c conn.Commands, v string) { c.GeoRadiusByMember("g", "p", 3, v, conn.GeoRadiusArgs{}) },
			func(v string) []string { return []string{"GEORADIUSBYMEMBER", "g", "p", "3", v} }},
		{"GEORADIUSBYMEMBER_RO order", sorts,
			func(c conn.Commands, v string) { c.GeoRadiusByMemberRO("g", "p", 3, "M", conn.GeoRadiusArgs{Sort: v}) },
			func(v string) []string { return []string{"GEORADIUSBYMEMBER_RO", "g", "p", "3", "m", v} }},
		{"GEORADIUS STORE unit", units,
			func(c conn.Commands, v string) { c.GeoRadiusStore("g", 1, 2, 3, v, conn.GeoRadiusArgs{Store: "d"}) },
			func(v string) []string { return []string{"GEORADIUS", "g", "1", "2", "3", v, "STORE", "d"} }},
		{"ZUNIONSTORE AGGREGATE", aggregates,
			func(c conn.Commands, v string) { c.ZUnionStore("d", conn.ZSetOpArgs{Aggregate: v}, "z", "z2") },
			func(v string) []string { return []string{"ZUNIONSTORE", "d", "2", "z", "z2", "AGGREGATE", v} }},
		{"ZINTERSTORE AGGREGATE", aggregates,
			func(c conn.Commands, v string) { c.ZInterStore("d", conn.ZSetOpArgs{Aggregate: v}, "z") },
			func(v string) []string { return []string{"ZINTERSTORE", "d", "1", "z", "AGGREGATE", v} }},
		{"ZUNION AGGREGATE", aggregates,
			func(c conn.Commands, v string) { c.ZUnionWithScores(conn.ZSetOpArgs{Aggregate: v}, "z") },
			func(v string) []string { return []string{"ZUNION", "1", "z", "AGGREGATE", v, "WITHSCORES"} }},
		{"ZINTER AGGREGATE", aggregates,
			func(c conn.Commands, v string) { c.ZInter(conn.ZSetOpArgs{Aggregate: v}, "z") },
			func(v string) []string { return []string{"ZINTER", "1", "z", "AGGREGATE", v} }},
		{"SCRIPT FLUSH mode", flushModes,
			func(c conn.Commands, v string) { c.ScriptFlush(conn.FlushMode(v)) },
			func(v string) []string { return []string{"SCRIPT", "FLUSH", v} }},
		{"FUNCTION FLUSH mode", flushModes,
			func(c conn.Commands, v string) { c.FunctionFlush(conn.FlushMode(v)) },
			func(v string) []string { return []string{"FUNCTION", "FLUSH", v} }},
		{"FLUSHDB mode", flushModes,
			func(c conn.Commands, v string) { c.FlushDB(conn.FlushMode(v)) },
			func(v string) []string { return []string{"FLUSHDB", v} }},
		{"FLUSHALL mode", flushModes,
			func(c conn.Commands, v string) { c.FlushAll(conn.FlushMode(v)) },
			func(v string) []string { return []string{"FLUSHALL", v} }},
		{"FUNCTION RESTORE policy", []string{"APPEND", "FLUSH", "REPLACE"},
			func(c conn.Commands, v string) { c.FunctionRestore("payload", v) },
			func(v string) []string { return []string{"FUNCTION", "RESTORE", "payload", v} }},
		{"LMOVE wherefrom", sides,
			func(c conn.Commands, v string) { c.LMove("a", "b", conn.Side(v), conn.Right) },
			func(v string) []string { return []string{"LMOVE", "a", "b", v, "RIGHT"} }},
		{"LMOVE whereto", sides,
			func(c conn.Commands, v string) { c.LMove("a", "b", conn.Left, conn.Side(v)) },
			func(v string) []string { return []string{"LMOVE", "a", "b", "LEFT", v} }},
		{"BLMOVE sides", sides,
			func(c conn.Commands, v string) { c.BLMove("a", "b", conn.Side(v), conn.Side(v), time.Second) },
			func(v string) []string { return []string{"BLMOVE", "a", "b", v, v, "1"} }},
		{"LMPOP side", sides,
			func(c conn.Commands, v string) { c.LMPop(conn.Side(v), 0, "a") },
			func(v string) []string { return []string{"LMPOP", "1", "a", v} }},
		{"BLMPOP side", sides,
			func(c conn.Commands, v string) { c.BLMPop(time.Second, conn.Side(v), 2, "a") },
			func(v string) []string { return []string{"BLMPOP", "1", "1", "a", v, "COUNT", "2"} }},
		{"ZMPOP side", zsides,
			func(c conn.Commands, v string) { c.ZMPop(conn.ZSide(v), 0, "z") },
			func(v string) []string { return []string{"ZMPOP", "1", "z", v} }},
		{"BZMPOP side", zsides,
			func(c conn.Commands, v string) { c.BZMPop(time.Second, conn.ZSide(v), 0, "z") },
			func(v string) []string { return []string{"BZMPOP", "1", "1", "z", v} }},
	}
}

// spellings returns v in lower, upper and mixed case.
func spellings(v string) []string {
	mixed := []rune(strings.ToLower(v))
	for i := range mixed {
		if i%2 == 0 {
			mixed[i] = unicode.ToUpper(mixed[i])
		}
	}
	return []string{strings.ToLower(v), strings.ToUpper(v), string(mixed)}
}

// Every enumerated argument is accepted in any letter case, as the server
// reads it, and goes on the wire in its canonical spelling; a word that
// is none of them still fails with ErrBadArgs before anything is sent.
func TestKeywordsAnyCase(t *testing.T) {
	for _, kc := range keywordCases() {
		for _, v := range kc.values {
			want := string(proto.AppendCommand(nil, kc.wire(v)...))
			for _, s := range spellings(v) {
				r := &recorder{reply: proto.NullValue()}
				kc.send(conn.NewCommands(r), s)
				if len(r.wire) != 1 {
					t.Errorf("%s %q: sent %d commands, want 1 (refused for its case?)", kc.name, s, len(r.wire))
					continue
				}
				if have := string(r.wire[0]); have != want {
					t.Errorf("%s %q:\nhave %q\nwant %q", kc.name, s, have, want)
				}
			}
		}
		r := &recorder{}
		kc.send(conn.NewCommands(r), "bogus")
		if len(r.wire) != 0 {
			t.Errorf("%s: a bogus keyword was sent: %q", kc.name, r.wire[0])
		}
	}
}

// The issue's examples, with the error they used to fail with.
func TestKeywordsIssueExamples(t *testing.T) {
	c := conn.NewCommands(&recorder{reply: proto.IntValue(1)})
	for name, err := range map[string]error{
		`BitOp("and")`:            errOf(c.BitOp("and", "d", "a", "b").Result()),
		`Aggregate: "min"`:        errOf(c.ZUnionStore("d", conn.ZSetOpArgs{Aggregate: "min"}, "a").Result()),
		`GeoDist("KM")`:           errOf(c.GeoDist("g", "a", "b", "KM").Result()),
		`Sort: "asc", Unit: "KM"`: errOf(c.GeoSearch("g", conn.GeoSearchArgs{FromMember: "p", Radius: 1, Unit: "KM", Sort: "asc"}).Result()),
		`BitCountRange("byte")`:   errOf(c.BitCountRange("k", 0, 1, "byte").Result()),
		`ScriptFlush("async")`:    errOf(c.ScriptFlush("async").Result()),
	} {
		if errors.Is(err, conn.ErrBadArgs) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func errOf[T any](_ T, err error, _ bool) error { return err }
