package conn_test

import (
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// TestWireBytes pins the bytes typed commands send to the forms in the
// Redis docs.
func TestWireBytes(t *testing.T) {
	at := time.Unix(1700000000, 0)
	for _, tc := range []struct {
		name string
		send func(c conn.Commands)
		want []string
	}{
		{"SET", func(c conn.Commands) { c.Set("k", "v") }, []string{"SET", "k", "v"}},
		{"SET PX NX", func(c conn.Commands) { c.SetWithArgs("k", "v", conn.SetArgs{PX: 1500 * time.Millisecond, NX: true}) },
			[]string{"SET", "k", "v", "NX", "PX", "1500"}},
		{"SET XX EX", func(c conn.Commands) { c.SetWithArgs("k", "v", conn.SetArgs{EX: 10 * time.Second, XX: true}) },
			[]string{"SET", "k", "v", "XX", "EX", "10"}},
		{"SET EXAT", func(c conn.Commands) { c.SetWithArgs("k", "v", conn.SetArgs{EXAT: at}) },
			[]string{"SET", "k", "v", "EXAT", "1700000000"}},
		{"SET PXAT", func(c conn.Commands) { c.SetWithArgs("k", "v", conn.SetArgs{PXAT: at.Add(5 * time.Millisecond)}) },
			[]string{"SET", "k", "v", "PXAT", "1700000000005"}},
		{"SET KEEPTTL GET", func(c conn.Commands) { c.SetGet("k", "v", conn.SetArgs{KeepTTL: true}) },
			[]string{"SET", "k", "v", "GET", "KEEPTTL"}},
		{"SET NX GET EX", func(c conn.Commands) { c.SetGet("k", "v", conn.SetArgs{NX: true, EX: time.Minute}) },
			[]string{"SET", "k", "v", "NX", "GET", "EX", "60"}},
		{"SET bytes", func(c conn.Commands) { c.SetBytes("k", []byte{0, '\r', '\n'}) }, []string{"SET", "k", "\x00\r\n"}},
		{"ZADD", func(c conn.Commands) {
			c.ZAddWithArgs("z", conn.ZAddArgs{XX: true, GT: true, CH: true}, conn.ZMember{Member: "a", Score: 1.5}, conn.ZMember{Member: "b", Score: -2})
		}, []string{"ZADD", "z", "XX", "GT", "CH", "1.5", "a", "-2", "b"}},
		{"ZADD INCR", func(c conn.Commands) { c.ZAddIncr("z", conn.ZAddArgs{NX: true}, conn.ZMember{Member: "m", Score: 3}) },
			[]string{"ZADD", "z", "NX", "INCR", "3", "m"}},
		{"XADD", func(c conn.Commands) {
			c.XAdd("s", conn.XAddArgs{NoMkStream: true, Trim: conn.XTrimArgs{MaxLen: 1000, Approx: true, Limit: 100}}, "f", "v", "g", "w")
		}, []string{"XADD", "s", "NOMKSTREAM", "MAXLEN", "~", "1000", "LIMIT", "100", "*", "f", "v", "g", "w"}},
		{"XADD MINID ID", func(c conn.Commands) {
			c.XAdd("s", conn.XAddArgs{Trim: conn.XTrimArgs{MinID: "0-1"}, ID: "5-0"}, "f", "v")
		}, []string{"XADD", "s", "MINID", "=", "0-1", "5-0", "f", "v"}},
		{"GEOSEARCH", func(c conn.Commands) {
			c.GeoSearch("g", conn.GeoSearchArgs{FromLonLat: conn.GeoPos{Longitude: 15, Latitude: 37}, Radius: 200, Unit: "km",
				Sort: "ASC", Count: 3, Any: true, WithCoord: true, WithDist: true, WithHash: true})
		}, []string{"GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC", "COUNT", "3", "ANY", "WITHCOORD", "WITHDIST", "WITHHASH"}},
		{"GEOSEARCH BYBOX", func(c conn.Commands) {
			c.GeoSearch("g", conn.GeoSearchArgs{FromMember: "Palermo", Width: 400, Height: 100.5, Unit: "mi"})
		}, []string{"GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYBOX", "400", "100.5", "mi"}},
		{"GEOSEARCHSTORE", func(c conn.Commands) {
			c.GeoSearchStore("d", "g", conn.GeoSearchArgs{FromMember: "m", Radius: 1, Unit: "m"}, true)
		}, []string{"GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "m", "BYRADIUS", "1", "m", "STOREDIST"}},
		{"BLPOP", func(c conn.Commands) { c.BLPop(1500*time.Millisecond, "a", "b") }, []string{"BLPOP", "a", "b", "1.5"}},
		{"BLMPOP", func(c conn.Commands) { c.BLMPop(2*time.Second, conn.Left, 3, "a", "b") },
			[]string{"BLMPOP", "2", "2", "a", "b", "LEFT", "COUNT", "3"}},
		{"XREADGROUP", func(c conn.Commands) {
			c.XReadGroup("g", "c", conn.XReadArgs{Streams: []string{"s1", "s2"}, IDs: []string{">", ">"}, Count: 5, Block: time.Second, NoAck: true})
		}, []string{"XREADGROUP", "GROUP", "g", "c", "COUNT", "5", "BLOCK", "1000", "NOACK", "STREAMS", "s1", "s2", ">", ">"}},
		{"EVAL", func(c conn.Commands) { c.Eval("return 1", []string{"k1", "k2"}, "a") },
			[]string{"EVAL", "return 1", "2", "k1", "k2", "a"}},
		{"SCAN", func(c conn.Commands) { c.Scan(17, conn.ScanArgs{Match: "a*", Count: 100, Type: "hash"}) },
			[]string{"SCAN", "17", "MATCH", "a*", "COUNT", "100", "TYPE", "hash"}},
		{"SORT", func(c conn.Commands) {
			c.SortStore("l", "d", conn.SortArgs{By: "w_*", Offset: 1, Count: 2, Get: []string{"#", "o_*"}, Desc: true, Alpha: true})
		}, []string{"SORT", "l", "BY", "w_*", "LIMIT", "1", "2", "GET", "#", "GET", "o_*", "DESC", "ALPHA", "STORE", "d"}},
		{"ZUNIONSTORE", func(c conn.Commands) {
			c.ZUnionStore("d", conn.ZSetOpArgs{Weights: []float64{1, 2.5}, Aggregate: "MIN"}, "a", "b")
		}, []string{"ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2.5", "AGGREGATE", "MIN"}},
	} {
		r := &recorder{reply: proto.SimpleValue("OK")}
		tc.send(conn.NewCommands(r))
		if have, want := r.last(t), string(proto.AppendCommand(nil, tc.want...)); have != want {
			t.Errorf("%s:\nhave %q\nwant %q", tc.name, have, want)
		}
	}
}

// TestTypedKeysMatchTable checks that the keys typed methods mark are those
// the command table finds, so routers see the same keys either way.
func TestTypedKeysMatchTable(t *testing.T) {
	r := &recorder{reply: proto.SimpleValue("OK")}
	c := conn.NewCommands(r)
	c.MSet("a", "1", "b", "2")
	c.ZUnionStore("d", conn.ZSetOpArgs{}, "a", "b")
	c.XRead(conn.XReadArgs{Streams: []string{"s1", "s2"}, IDs: []string{"0", "0"}})
	c.Eval("return 1", []string{"k1"}, "a")
	c.BLMPop(time.Second, conn.Left, 0, "l1", "l2")
	c.GeoSearchStore("d", "g", conn.GeoSearchArgs{FromMember: "m", Radius: 1, Unit: "m"}, false)
	c.SortStore("l", "d", conn.SortArgs{})
	c.XInfoStream("s")
	c.SInterCard(0, "a", "b")
	c.BitOp("AND", "d", "a", "b")
	c.Migrate("h", 1, 0, time.Second, conn.MigrateArgs{}, "a", "b")
	for i, wire := range r.wire {
		v, err := proto.NewReader(bufioReader(wire), proto.ReaderOptions{}).ReadValue()
		if err != nil {
			t.Fatal(err)
		}
		args, _ := v.AsStrings()
		have := r.keys[i]
		cmd := proto.NewCmd(args[0])
		for _, a := range args[1:] {
			cmd.Arg(a)
		}
		want := keysOf(cmd)
		cmd.Release()
		if len(have) != len(want) {
			t.Errorf("%v: marked keys %v, table %v", args, have, want)
			continue
		}
		for j := range have {
			if have[j] != want[j] {
				t.Errorf("%v: marked keys %v, table %v", args, have, want)
			}
		}
	}
}

// TestBlockingMarks checks that the blocking methods mark their commands
// with their timeout, and others are not marked.
func TestBlockingMarks(t *testing.T) {
	r := &recorder{reply: proto.NullValue()}
	c := conn.NewCommands(r)
	c.BLPop(time.Second, "l")
	c.BRPop(0, "l")
	c.BRPopLPush("a", "b", time.Second)
	c.BLMove("a", "b", conn.Left, conn.Right, time.Second)
	c.BLMPop(time.Second, conn.Left, 0, "l")
	c.BZPopMin(time.Second, "z")
	c.BZPopMax(time.Second, "z")
	c.BZMPop(time.Second, conn.Min, 0, "z")
	c.XRead(conn.XReadArgs{Streams: []string{"s"}, IDs: []string{"$"}, BlockForever: true})
	c.XReadGroup("g", "c", conn.XReadArgs{Streams: []string{"s"}, IDs: []string{">"}, Block: time.Second})
	c.Wait(1, time.Second)
	for i, b := range r.blocking {
		if !b {
			t.Errorf("%s is not marked blocking", r.names[i])
		}
	}
	n := len(r.blocking)
	c.XRead(conn.XReadArgs{Streams: []string{"s"}, IDs: []string{"0"}})
	c.LPop("l")
	for i := n; i < len(r.blocking); i++ {
		if r.blocking[i] {
			t.Errorf("%s is marked blocking", r.names[i])
		}
	}
}
