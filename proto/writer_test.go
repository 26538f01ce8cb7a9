package proto

import (
	"math"
	"testing"
)

func TestAppendValueCanonical(t *testing.T) {
	for _, tc := range canonical {
		if have := string(AppendValue(nil, tc.v)); have != tc.wire {
			t.Errorf("%s: AppendValue(%v)\nhave %q\nwant %q", tc.name, tc.v, have, tc.wire)
		}
	}
}

func TestAppendValueSpecial(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    Value
		want string
	}{
		{"zero value", Value{}, "_\r\n"},
		{"CRLF in simple string", SimpleValue("a\r\nb"), "+a  b\r\n"},
		{"LF in error", ErrorValue("ERR x\ny"), "-ERR x y\r\n"},
		{"verbatim default format", Value{Kind: Verbatim, Str: "hi"}, "=6\r\ntxt:hi\r\n"},
		{"odd map", MapValue(SimpleValue("k")), "%1\r\n+k\r\n_\r\n"},
		{"boolean any non-zero", Value{Kind: Boolean, Int: -3}, "#t\r\n"},
		{"double negative zero", DoubleValue(math.Copysign(0, -1)), ",-0\r\n"},
	} {
		if have := string(AppendValue(nil, tc.v)); have != tc.want {
			t.Errorf("%s: have %q, want %q", tc.name, have, tc.want)
		}
	}
}

func TestAppendValueRESP2(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    Value
		want string
	}{
		{"null", NullValue(), "$-1\r\n"},
		{"bulk", BulkValue("x"), "$1\r\nx\r\n"},
		{"simple", SimpleValue("OK"), "+OK\r\n"},
		{"integer", IntValue(-1), ":-1\r\n"},
		{"double", DoubleValue(1.5), "$3\r\n1.5\r\n"},
		{"double inf", DoubleValue(math.Inf(-1)), "$4\r\n-inf\r\n"},
		{"true", BoolValue(true), ":1\r\n"},
		{"false", BoolValue(false), ":0\r\n"},
		{"blob error", BlobErrorValue("ERR x"), "-ERR x\r\n"},
		{"verbatim", VerbatimValue("txt", "hi"), "$2\r\nhi\r\n"},
		{"big number", BigNumberValue("123"), "$3\r\n123\r\n"},
		{"map", MapValue(BulkValue("k"), NullValue()), "*2\r\n$1\r\nk\r\n$-1\r\n"},
		{"odd map", MapValue(BulkValue("k")), "*2\r\n$1\r\nk\r\n$-1\r\n"},
		{"set", SetValue(IntValue(1)), "*1\r\n:1\r\n"},
		{"push", PushValue(BulkValue("message")), "*1\r\n$7\r\nmessage\r\n"},
		{"attributes dropped", IntValue(1).WithAttrs(SimpleValue("a"), SimpleValue("b")), ":1\r\n"},
	} {
		if have := string(AppendValueRESP2(nil, tc.v)); have != tc.want {
			t.Errorf("%s: have %q, want %q", tc.name, have, tc.want)
		}
	}
}

func TestAppendBulkHelpers(t *testing.T) {
	for _, tc := range []struct {
		name string
		have []byte
		want string
	}{
		{"header", AppendArrayHeader(nil, 3), "*3\r\n"},
		{"bulk", AppendBulk(nil, "foo"), "$3\r\nfoo\r\n"},
		{"bulk CRLF", AppendBulk(nil, "a\r\nb"), "$4\r\na\r\nb\r\n"},
		{"bulk bytes", AppendBulkBytes(nil, []byte{0, 1}), "$2\r\n\x00\x01\r\n"},
		{"bulk int", AppendBulkInt(nil, -123), "$4\r\n-123\r\n"},
		{"bulk float", AppendBulkFloat(nil, 1.5), "$3\r\n1.5\r\n"},
		{"bulk float no exponent", AppendBulkFloat(nil, 1e21), "$22\r\n1000000000000000000000\r\n"},
		{"bulk float small", AppendBulkFloat(nil, 0.0001), "$6\r\n0.0001\r\n"},
		{"bulk +inf", AppendBulkFloat(nil, math.Inf(1)), "$4\r\n+inf\r\n"},
		{"bulk -inf", AppendBulkFloat(nil, math.Inf(-1)), "$4\r\n-inf\r\n"},
		{"command", AppendCommand(nil, "SET", "k", "v"), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"},
		{"command appends", AppendCommand([]byte("x"), "PING"), "x*1\r\n$4\r\nPING\r\n"},
	} {
		if string(tc.have) != tc.want {
			t.Errorf("%s: have %q, want %q", tc.name, tc.have, tc.want)
		}
	}
}

func TestAppendNoAlloc(t *testing.T) {
	dst := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		b := AppendCommand(dst[:0], "SET", "key", "value")
		b = AppendBulkInt(b, 1234567)
		b = AppendBulkFloat(b, 3.25)
		_ = b
	})
	if allocs != 0 {
		t.Errorf("appending into a pre-sized slice: %v allocations, want 0", allocs)
	}
}
