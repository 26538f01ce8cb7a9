package conn_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// eachProtocol runs f on one real server over RESP2 and over RESP3, on a
// flushed database each time.
func eachProtocol(t *testing.T, f func(t *testing.T, c *conn.Conn)) {
	t.Helper()
	srv := testserver.Start(t)
	for _, p := range []int{2, 3} {
		name := "RESP2"
		if p == 3 {
			name = "RESP3"
		}
		t.Run(name, func(t *testing.T) {
			c := connectTo(t, conn.Options{Addr: srv.Addr(), Protocol: p})
			testutil.Must(t, c.FlushAll(conn.Sync))
			f(t, c)
		})
	}
}

func TestStringCommands(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		testutil.Must(t, c.MSet("a", "1", "b", "2"))
		vals := testutil.Must(t, c.MGet("a", "missing", "b"))
		want := []conn.Nullable[string]{{V: "1", Valid: true}, {}, {V: "2", Valid: true}}
		if !reflect.DeepEqual(vals, want) {
			t.Errorf("MGET with a missing key: %+v, want %+v", vals, want)
		}
		if ok := testutil.Must(t, c.MSetNX("a", "x", "c", "3")); ok {
			t.Error("MSETNX over an existing key succeeded")
		}
		// INCR on a string value fails with a server error.
		testutil.Must(t, c.Set("s", "hello"))
		_, err := testutil.Wait(t, c.Incr("s"))
		var perr *proto.Error
		if !errors.As(err, &perr) || perr.Prefix != "ERR" {
			t.Errorf("INCR on a string: %v, want a *proto.Error", err)
		}
		if n := testutil.Must(t, c.IncrBy("n", 5)); n != 5 {
			t.Errorf("INCRBY: %d", n)
		}
		if n := testutil.Must(t, c.DecrBy("n", 2)); n != 3 {
			t.Errorf("DECRBY: %d", n)
		}
		if n := testutil.Must(t, c.Decr("n")); n != 2 {
			t.Errorf("DECR: %d", n)
		}
		if f := testutil.Must(t, c.IncrByFloat("f", 1.5)); f != 1.5 {
			t.Errorf("INCRBYFLOAT: %v", f)
		}
		if ok := testutil.Must(t, c.SetNX("a", "z")); ok {
			t.Error("SETNX over an existing key succeeded")
		}
		if n := testutil.Must(t, c.Append("s", " world")); n != 11 {
			t.Errorf("APPEND: %d", n)
		}
		if s := testutil.Must(t, c.GetRange("s", 0, 4)); s != "hello" {
			t.Errorf("GETRANGE: %q", s)
		}
		if n := testutil.Must(t, c.SetRange("s", 6, "WORLD")); n != 11 {
			t.Errorf("SETRANGE: %d", n)
		}
		if n := testutil.Must(t, c.StrLen("s")); n != 11 {
			t.Errorf("STRLEN: %d", n)
		}
		if old := testutil.Must(t, c.GetSet("s", "new")); old != "hello WORLD" {
			t.Errorf("GETSET: %q", old)
		}
		if v := testutil.Must(t, c.GetDel("s")); v != "new" {
			t.Errorf("GETDEL: %q", v)
		}
		if _, err := testutil.Wait(t, c.GetDel("s")); !errors.Is(err, proto.ErrNil) {
			t.Errorf("GETDEL missing: %v", err)
		}
		// Binary-safe values.
		bin := []byte{0, 1, 2, 255, '\r', '\n'}
		testutil.Must(t, c.SetBytes("bin", bin))
		if have := testutil.Must(t, c.GetBytes("bin")); !reflect.DeepEqual(have, bin) {
			t.Errorf("GetBytes: %v", have)
		}
		// SET options.
		if ok := testutil.Must(t, c.SetWithArgs("k", "v", conn.SetArgs{NX: true, PX: 1500 * time.Millisecond})); !ok {
			t.Error("SET NX PX on a new key did not set")
		}
		if ttl := testutil.Must(t, c.PTTL("k")); ttl <= 0 || ttl > 1500*time.Millisecond {
			t.Errorf("PTTL after SET PX 1500: %v", ttl)
		}
		if ok := testutil.Must(t, c.SetWithArgs("k", "v2", conn.SetArgs{NX: true})); ok {
			t.Error("SET NX on an existing key set it")
		}
		if ok := testutil.Must(t, c.SetWithArgs("nokey", "v", conn.SetArgs{XX: true})); ok {
			t.Error("SET XX on a missing key set it")
		}
		old := testutil.Must(t, c.SetGet("k", "v3", conn.SetArgs{KeepTTL: true}))
		if !old.Valid || old.V != "v" {
			t.Errorf("SET GET: %+v", old)
		}
		if ttl := testutil.Must(t, c.PTTL("k")); ttl <= 0 {
			t.Errorf("KEEPTTL lost the ttl: %v", ttl)
		}
		if old := testutil.Must(t, c.SetGet("fresh", "v", conn.SetArgs{})); old.Valid {
			t.Errorf("SET GET of a new key: %+v", old)
		}
		if v := testutil.Must(t, c.GetEx("fresh", conn.GetExArgs{EX: 100 * time.Second})); v != "v" {
			t.Errorf("GETEX: %q", v)
		}
		if ttl := testutil.Must(t, c.TTL("fresh")); ttl <= 90*time.Second || ttl > 100*time.Second {
			t.Errorf("TTL after GETEX EX 100: %v", ttl)
		}
		testutil.Must(t, c.SetEx("ex", 10*time.Second, "v"))
		testutil.Must(t, c.PSetEx("pex", 10*time.Second, "v"))
		if ttl := testutil.Must(t, c.TTL("missing")); ttl != conn.NoKey {
			t.Errorf("TTL of a missing key: %v", ttl)
		}
		if ttl := testutil.Must(t, c.TTL("a")); ttl != conn.NoExpiry {
			t.Errorf("TTL of a key without expiry: %v", ttl)
		}
		testutil.Must(t, c.MSet("l1", "ohmytext", "l2", "mynewtext"))
		if s := testutil.Must(t, c.LCS("l1", "l2")); s != "mytext" {
			t.Errorf("LCS: %q", s)
		}
		if n := testutil.Must(t, c.LCSLen("l1", "l2")); n != 6 {
			t.Errorf("LCS LEN: %d", n)
		}
		idx := testutil.Must(t, c.LCSIdx("l1", "l2", 4, true))
		if idx.Len != 6 || len(idx.Matches) != 1 || idx.Matches[0].Len != 4 || idx.Matches[0].A != [2]int64{4, 7} {
			t.Errorf("LCS IDX: %+v", idx)
		}
	})
}

// TestBadArgsSendNothing checks that rejected arguments fail the Deferred
// with ErrBadArgs and that nothing reaches the Sender.
func TestBadArgsSendNothing(t *testing.T) {
	r := &recorder{reply: proto.SimpleValue("OK")}
	c := conn.NewCommands(r)
	cases := map[string]error{}
	var err error
	check := func(name string, err error) { cases[name] = err }
	err = early(t, c.SetWithArgs("k", "v", conn.SetArgs{NX: true, XX: true}))
	check("SET NX XX", err)
	err = early(t, c.SetWithArgs("k", "v", conn.SetArgs{EX: time.Second, PX: time.Second}))
	check("SET EX PX", err)
	err = early(t, c.SetWithArgs("k", "v", conn.SetArgs{EX: 1500 * time.Millisecond}))
	check("SET EX 1.5s", err)
	err = early(t, c.ZAdd("z"))
	check("ZADD no members", err)
	err = early(t, c.ZAddWithArgs("z", conn.ZAddArgs{NX: true, GT: true}, conn.ZMember{Member: "m"}))
	check("ZADD NX GT", err)
	err = early(t, c.BitOp("NAND", "d", "a"))
	check("BITOP NAND", err)
	err = early(t, c.BitOp("NOT", "d", "a", "b"))
	check("BITOP NOT two keys", err)
	err = early(t, c.MSet("a", "1", "b"))
	check("MSET odd", err)
	err = early(t, c.MGet())
	check("MGET no keys", err)
	err = early(t, c.Del())
	check("DEL no keys", err)
	err = early(t, c.HSet("h", "f"))
	check("HSET odd", err)
	err = early(t, c.SPopCount("s", -1))
	check("SPOP negative count", err)
	err = early(t, c.LPush("l"))
	check("LPUSH no values", err)
	err = early(t, c.BLPop(-time.Second, "l"))
	check("BLPOP negative timeout", err)
	err = early(t, c.LMove("a", "b", "UP", conn.Left))
	check("LMOVE bad side", err)
	err = early(t, c.ZUnionStore("d", conn.ZSetOpArgs{Weights: []float64{1}}, "a", "b"))
	check("ZUNIONSTORE weights", err)
	err = early(t, c.XAdd("s", conn.XAddArgs{}, "f"))
	check("XADD odd", err)
	err = early(t, c.XRead(conn.XReadArgs{Streams: []string{"a", "b"}, IDs: []string{"0"}}))
	check("XREAD ids", err)
	err = early(t, c.GeoSearch("g", conn.GeoSearchArgs{Radius: 1, Width: 1, Unit: "km"}))
	check("GEOSEARCH radius and box", err)
	err = early(t, c.GeoSearch("g", conn.GeoSearchArgs{Radius: 1, Unit: "parsec"}))
	check("GEOSEARCH unit", err)
	err = early(t, c.Expire("k", 1500*time.Millisecond))
	check("EXPIRE 1.5s", err)
	err = early(t, c.ExpireWithArgs("k", time.Second, conn.ExpireArgs{NX: true, GT: true}))
	check("EXPIRE NX GT", err)
	err = early(t, c.SetBit("k", 1, 2))
	check("SETBIT 2", err)
	err = early(t, c.Scan(0, conn.ScanArgs{Count: -1}))
	check("SCAN negative COUNT", err)
	err = early(t, c.ScriptFlush("LATER"))
	check("SCRIPT FLUSH mode", err)
	err = early(t, c.BitField("k", conn.BitFieldOp{Op: "OVERFLOW", Overflow: "BOUNCE"}))
	check("BITFIELD overflow", err)
	err = early(t, c.BitFieldRO("k", conn.BitFieldOp{Op: "SET", Encoding: "u8", Offset: "0"}))
	check("BITFIELD_RO SET", err)
	for name, err := range cases {
		if !errors.Is(err, conn.ErrBadArgs) {
			t.Errorf("%s: %v, want ErrBadArgs", name, err)
		}
	}
	if len(r.wire) != 0 {
		t.Errorf("rejected commands were sent: %q", r.wire)
	}
}

// early returns the error of a Deferred that must have fired already.
func early[T any](t *testing.T, d interface{ Result() (T, error, bool) }) error {
	t.Helper()
	_, err, ok := d.Result()
	if !ok {
		t.Fatal("Deferred has not fired")
	}
	return err
}
