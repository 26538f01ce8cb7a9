package conn_test

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

func TestBitmapAndHyperLogLog(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		testutil.Must(t, c.Set("a", "\xff\x0f"))
		testutil.Must(t, c.Set("b", "\x0f\xff"))
		if n := testutil.Must(t, c.BitOp("AND", "and", "a", "b")); n != 2 {
			t.Errorf("BITOP AND: %d", n)
		}
		if v := testutil.Must(t, c.Get("and")); v != "\x0f\x0f" {
			t.Errorf("BITOP AND value: %q", v)
		}
		testutil.Must(t, c.BitOp("OR", "or", "a", "b"))
		testutil.Must(t, c.BitOp("XOR", "xor", "a", "b"))
		testutil.Must(t, c.BitOp("NOT", "not", "a"))
		if v := testutil.Must(t, c.Get("not")); v != "\x00\xf0" {
			t.Errorf("BITOP NOT value: %q", v)
		}
		if v := testutil.Must(t, c.Get("xor")); v != "\xf0\xf0" {
			t.Errorf("BITOP XOR value: %q", v)
		}
		if n := testutil.Must(t, c.BitCount("a")); n != 12 {
			t.Errorf("BITCOUNT: %d", n)
		}
		if n := testutil.Must(t, c.BitCountRange("a", 0, 3, conn.Bit)); n != 4 {
			t.Errorf("BITCOUNT BIT: %d", n)
		}
		if p := testutil.Must(t, c.BitPos("a", 0)); p != 8 {
			t.Errorf("BITPOS 0: %d", p)
		}
		if p := testutil.Must(t, c.BitPosRange("a", 1, 1, 1, conn.Byte)); p != 12 {
			t.Errorf("BITPOS 1 1 1 BYTE: %d", p)
		}
		if old := testutil.Must(t, c.SetBit("bits", 7, 1)); old != 0 {
			t.Errorf("SETBIT: %d", old)
		}
		if b := testutil.Must(t, c.GetBit("bits", 7)); b != 1 {
			t.Errorf("GETBIT: %d", b)
		}
		res := testutil.Must(t, c.BitField("bf",
			conn.BitFieldOp{Op: "SET", Encoding: "u8", Offset: "0", Value: 250},
			conn.BitFieldOp{Op: "OVERFLOW", Overflow: "FAIL"},
			conn.BitFieldOp{Op: "INCRBY", Encoding: "u8", Offset: "0", Value: 10},
			conn.BitFieldOp{Op: "GET", Encoding: "u8", Offset: "0"}))
		want := []conn.Nullable[int64]{{V: 0, Valid: true}, {}, {V: 250, Valid: true}}
		if !reflect.DeepEqual(res, want) {
			t.Errorf("BITFIELD: %+v", res)
		}
		if res := testutil.Must(t, c.BitFieldRO("bf", conn.BitFieldOp{Op: "GET", Encoding: "u4", Offset: "#0"})); res[0].V != 15 {
			t.Errorf("BITFIELD_RO: %+v", res)
		}
		if ok := testutil.Must(t, c.PFAdd("h1", "a", "b", "c")); !ok {
			t.Error("PFADD: false")
		}
		if ok := testutil.Must(t, c.PFAdd("h1", "a")); ok {
			t.Error("PFADD of a known element: true")
		}
		testutil.Must(t, c.PFAdd("h2", "c", "d"))
		if n := testutil.Must(t, c.PFCount("h1", "h2")); n != 4 {
			t.Errorf("PFCOUNT: %d", n)
		}
		testutil.Must(t, c.PFMerge("h3", "h1", "h2"))
		if n := testutil.Must(t, c.PFCount("h3")); n != 4 {
			t.Errorf("PFMERGE count: %d", n)
		}
	})
}

func TestGeoCommands(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		n := testutil.Must(t, c.GeoAdd("sicily", conn.GeoAddArgs{},
			conn.GeoLocation{Name: "Palermo", GeoPos: conn.GeoPos{Longitude: 13.361389, Latitude: 38.115556}},
			conn.GeoLocation{Name: "Catania", GeoPos: conn.GeoPos{Longitude: 15.087269, Latitude: 37.502669}}))
		if n != 2 {
			t.Errorf("GEOADD: %d", n)
		}
		if d := testutil.Must(t, c.GeoDist("sicily", "Palermo", "Catania", "km")); math.Abs(d-166.2742) > 0.01 {
			t.Errorf("GEODIST: %v", d)
		}
		if _, err := testutil.Wait(t, c.GeoDist("sicily", "Palermo", "Rome", "km")); !errors.Is(err, proto.ErrNil) {
			t.Errorf("GEODIST of a missing member: %v", err)
		}
		h := testutil.Must(t, c.GeoHash("sicily", "Palermo", "Rome"))
		if !h[0].Valid || h[0].V != "sqc8b49rny0" || h[1].Valid {
			t.Errorf("GEOHASH: %+v", h)
		}
		pos := testutil.Must(t, c.GeoPos("sicily", "Catania", "Rome"))
		if !pos[0].Valid || math.Abs(pos[0].V.Longitude-15.087269) > 1e-5 || pos[1].Valid {
			t.Errorf("GEOPOS: %+v", pos)
		}
		locs := testutil.Must(t, c.GeoSearch("sicily", conn.GeoSearchArgs{FromLonLat: conn.GeoPos{Longitude: 15, Latitude: 37},
			Radius: 200, Unit: "km", Sort: "ASC", WithCoord: true, WithDist: true, WithHash: true}))
		if len(locs) != 2 || locs[0].Name != "Catania" || math.Abs(locs[0].Dist-56.4413) > 0.01 || locs[0].Hash == 0 || math.Abs(locs[0].Latitude-37.502669) > 1e-5 {
			t.Errorf("GEOSEARCH WITH*: %+v", locs)
		}
		names := testutil.Must(t, c.GeoSearch("sicily", conn.GeoSearchArgs{FromMember: "Palermo", Width: 400, Height: 400, Unit: "km", Sort: "DESC", Count: 1}))
		if len(names) != 1 || names[0].Name != "Catania" {
			t.Errorf("GEOSEARCH BYBOX: %+v", names)
		}
		if n := testutil.Must(t, c.GeoSearchStore("near", "sicily", conn.GeoSearchArgs{FromMember: "Palermo", Radius: 100, Unit: "km"}, true)); n != 1 {
			t.Errorf("GEOSEARCHSTORE: %d", n)
		}
		if l := testutil.Must(t, c.GeoRadius("sicily", 15, 37, 200, "km", conn.GeoRadiusArgs{WithDist: true, Sort: "ASC"})); len(l) != 2 || l[0].Dist == 0 {
			t.Errorf("GEORADIUS: %+v", l)
		}
		if l := testutil.Must(t, c.GeoRadiusRO("sicily", 15, 37, 100, "km", conn.GeoRadiusArgs{})); len(l) != 1 {
			t.Errorf("GEORADIUS_RO: %+v", l)
		}
		if l := testutil.Must(t, c.GeoRadiusByMember("sicily", "Palermo", 200, "km", conn.GeoRadiusArgs{})); len(l) != 2 {
			t.Errorf("GEORADIUSBYMEMBER: %+v", l)
		}
		if l := testutil.Must(t, c.GeoRadiusByMemberRO("sicily", "Palermo", 10, "km", conn.GeoRadiusArgs{})); len(l) != 1 {
			t.Errorf("GEORADIUSBYMEMBER_RO: %+v", l)
		}
		if n := testutil.Must(t, c.GeoRadiusStore("sicily", 15, 37, 200, "km", conn.GeoRadiusArgs{Store: "all"})); n != 2 {
			t.Errorf("GEORADIUS STORE: %d", n)
		}
	})
}

func TestStreamCommands(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		id1 := testutil.Must(t, c.XAdd("s", conn.XAddArgs{ID: "1-1"}, "f", "v1", "g", "w"))
		if id1 != "1-1" {
			t.Errorf("XADD: %q", id1)
		}
		testutil.Must(t, c.XAdd("s", conn.XAddArgs{}, "f", "v2"))
		if _, err := testutil.Wait(t, c.XAdd("nostream", conn.XAddArgs{NoMkStream: true}, "f", "v")); !errors.Is(err, proto.ErrNil) {
			t.Errorf("XADD NOMKSTREAM: %v", err)
		}
		msgs := testutil.Must(t, c.XRange("s", "-", "+", 0))
		if len(msgs) != 2 || !reflect.DeepEqual(msgs[0], conn.XMessage{ID: "1-1", Values: map[string]string{"f": "v1", "g": "w"}}) {
			t.Errorf("XRANGE: %+v", msgs)
		}
		if rev := testutil.Must(t, c.XRevRange("s", "+", "-", 1)); len(rev) != 1 || rev[0].Values["f"] != "v2" {
			t.Errorf("XREVRANGE: %+v", rev)
		}
		if n := testutil.Must(t, c.XLen("s")); n != 2 {
			t.Errorf("XLEN: %d", n)
		}
		read := testutil.Must(t, c.XRead(conn.XReadArgs{Streams: []string{"s"}, IDs: []string{"0"}, Count: 1}))
		if len(read) != 1 || read[0].Stream != "s" || len(read[0].Messages) != 1 || read[0].Messages[0].ID != "1-1" {
			t.Errorf("XREAD: %+v", read)
		}
		if read := testutil.Must(t, c.XRead(conn.XReadArgs{Streams: []string{"s"}, IDs: []string{"$"}, Block: 50 * time.Millisecond})); len(read) != 0 {
			t.Errorf("XREAD BLOCK timeout: %+v", read)
		}
		testutil.Must(t, c.XGroupCreate("s", "g", "0", false))
		testutil.Must(t, c.XGroupCreate("s2", "g", "$", true))
		if ok := testutil.Must(t, c.XGroupCreateConsumer("s", "g", "alice")); !ok {
			t.Error("XGROUP CREATECONSUMER: false")
		}
		got := testutil.Must(t, c.XReadGroup("g", "alice", conn.XReadArgs{Streams: []string{"s"}, IDs: []string{">"}}))
		if len(got) != 1 || len(got[0].Messages) != 2 {
			t.Errorf("XREADGROUP: %+v", got)
		}
		sum := testutil.Must(t, c.XPending("s", "g"))
		if sum.Count != 2 || sum.Lower != "1-1" || sum.ConsumerCounts["alice"] != 2 {
			t.Errorf("XPENDING: %+v", sum)
		}
		ext := testutil.Must(t, c.XPendingExt("s", "g", conn.XPendingArgs{Start: "-", End: "+", Count: 10}))
		if len(ext) != 2 || ext[0].Consumer != "alice" || ext[0].Deliveries != 1 {
			t.Errorf("XPENDING extended: %+v", ext)
		}
		claimed := testutil.Must(t, c.XClaim("s", "g", "bob", 0, []string{"1-1"}, conn.XClaimArgs{}))
		if len(claimed) != 1 || claimed[0].Values["g"] != "w" {
			t.Errorf("XCLAIM: %+v", claimed)
		}
		if ids := testutil.Must(t, c.XClaimJustID("s", "g", "alice", 0, []string{"1-1"}, conn.XClaimArgs{Force: true})); !reflect.DeepEqual(ids, []string{"1-1"}) {
			t.Errorf("XCLAIM JUSTID: %v", ids)
		}
		ac := testutil.Must(t, c.XAutoClaim("s", "g", "bob", 0, "0", 10))
		if ac.Next != "0-0" || len(ac.Messages) != 2 {
			t.Errorf("XAUTOCLAIM: %+v", ac)
		}
		if n := testutil.Must(t, c.XAck("s", "g", "1-1")); n != 1 {
			t.Errorf("XACK: %d", n)
		}
		info := testutil.Must(t, c.XInfoStream("s"))
		if info.Length != 2 || info.Groups != 1 || info.FirstEntry == nil || info.FirstEntry.ID != "1-1" {
			t.Errorf("XINFO STREAM: %+v", info)
		}
		if full := testutil.Must(t, c.XInfoStreamFull("s", 0)); len(full.Elems) == 0 {
			t.Errorf("XINFO STREAM FULL: %v", full)
		}
		groups := testutil.Must(t, c.XInfoGroups("s"))
		if len(groups) != 1 || groups[0].Name != "g" || groups[0].Pending != 1 || groups[0].Consumers != 2 {
			t.Errorf("XINFO GROUPS: %+v", groups)
		}
		cons := testutil.Must(t, c.XInfoConsumers("s", "g"))
		if len(cons) != 2 || cons[0].Name == "" {
			t.Errorf("XINFO CONSUMERS: %+v", cons)
		}
		if n := testutil.Must(t, c.XGroupDelConsumer("s", "g", "bob")); n != 1 {
			t.Errorf("XGROUP DELCONSUMER: %d", n)
		}
		testutil.Must(t, c.XGroupSetID("s", "g", "0"))
		if ok := testutil.Must(t, c.XGroupDestroy("s", "g")); !ok {
			t.Error("XGROUP DESTROY: false")
		}
		if n := testutil.Must(t, c.XDel("s", "1-1")); n != 1 {
			t.Errorf("XDEL: %d", n)
		}
		testutil.Must(t, c.XSetID("s", "99999999999999-0"))
		for i := 0; i < 5; i++ {
			testutil.Must(t, c.XAdd("t", conn.XAddArgs{Trim: conn.XTrimArgs{MaxLen: 3}}, "i", "x"))
		}
		if n := testutil.Must(t, c.XLen("t")); n != 3 {
			t.Errorf("XADD MAXLEN 3: %d entries", n)
		}
		if n := testutil.Must(t, c.XTrim("t", conn.XTrimArgs{MaxLen: 1})); n != 2 {
			t.Errorf("XTRIM: %d", n)
		}
	})
}

func TestPubSubAndServerCommands(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		if n := testutil.Must(t, c.Publish("ch", "hi")); n != 0 {
			t.Errorf("PUBLISH: %d", n)
		}
		if n := testutil.Must(t, c.SPublish("sch", "hi")); n != 0 {
			t.Errorf("SPUBLISH: %d", n)
		}
		if chs := testutil.Must(t, c.PubSubChannels("")); len(chs) != 0 {
			t.Errorf("PUBSUB CHANNELS: %v", chs)
		}
		if chs := testutil.Must(t, c.PubSubShardChannels("x*")); len(chs) != 0 {
			t.Errorf("PUBSUB SHARDCHANNELS: %v", chs)
		}
		if m := testutil.Must(t, c.PubSubNumSub("a", "b")); !reflect.DeepEqual(m, map[string]int64{"a": 0, "b": 0}) {
			t.Errorf("PUBSUB NUMSUB: %v", m)
		}
		if m := testutil.Must(t, c.PubSubShardNumSub("a")); !reflect.DeepEqual(m, map[string]int64{"a": 0}) {
			t.Errorf("PUBSUB SHARDNUMSUB: %v", m)
		}
		if n := testutil.Must(t, c.PubSubNumPat()); n != 0 {
			t.Errorf("PUBSUB NUMPAT: %d", n)
		}
		if e := testutil.Must(t, c.Echo("x y")); e != "x y" {
			t.Errorf("ECHO: %q", e)
		}
		id := testutil.Must(t, c.ClientID())
		testutil.Must(t, c.ClientSetName("cmdtest"))
		if n := testutil.Must(t, c.ClientGetName()); n != "cmdtest" {
			t.Errorf("CLIENT GETNAME: %q", n)
		}
		info := testutil.Must(t, c.ClientInfo())
		if info["name"] != "cmdtest" || info["id"] == "" {
			t.Errorf("CLIENT INFO: %v", info)
		}
		found := false
		for _, cl := range testutil.Must(t, c.ClientList()) {
			found = found || cl["name"] == "cmdtest"
		}
		if !found || id <= 0 {
			t.Errorf("CLIENT LIST has no client named cmdtest (id %d)", id)
		}
		testutil.Must(t, c.Set("k", "v"))
		if n := testutil.Must(t, c.DBSize()); n != 1 {
			t.Errorf("DBSIZE: %d", n)
		}
		testutil.Must(t, c.FlushDB(conn.Async))
		if n := testutil.Must(t, c.DBSize()); n != 0 {
			t.Errorf("DBSIZE after FLUSHDB: %d", n)
		}
		sections := testutil.Must(t, c.Info("server", "keyspace"))
		if sections["server"]["redis_version"] == "" {
			t.Errorf("INFO server: %v", sections)
		}
		if _, ok := sections["keyspace"]; !ok {
			t.Errorf("INFO keyspace section missing: %v", sections)
		}
		if now := testutil.Must(t, c.Time()); time.Since(now).Abs() > time.Minute {
			t.Errorf("TIME: %v", now)
		}
		if ls := testutil.Must(t, c.LastSave()); ls.IsZero() || ls.After(time.Now().Add(time.Minute)) {
			t.Errorf("LASTSAVE: %v", ls)
		}
		testutil.Must(t, c.ConfigSet("maxmemory-samples", "7"))
		if cfg := testutil.Must(t, c.ConfigGet("maxmemory-samples")); cfg["maxmemory-samples"] != "7" {
			t.Errorf("CONFIG GET: %v", cfg)
		}
		if r := testutil.Must(t, c.Role()); r.Role != "master" || r.Replicas != nil {
			t.Errorf("ROLE: %+v", r)
		}
	})
}
