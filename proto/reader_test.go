package proto

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func newTestReader(s string, opts ReaderOptions) *Reader {
	return NewReader(bufio.NewReader(strings.NewReader(s)), opts)
}

// readOne reads one value from wire and fails unless exactly all of wire was
// consumed.
func readOne(t *testing.T, wire string) Value {
	t.Helper()
	r := newTestReader(wire, ReaderOptions{})
	have, err := r.ReadValue()
	if err != nil {
		t.Fatalf("ReadValue(%q): %v", wire, err)
	}
	if r.Offset() != int64(len(wire)) {
		t.Fatalf("ReadValue(%q) consumed %d bytes, want %d", wire, r.Offset(), len(wire))
	}
	return have
}

// canonical frames: each reads to the value, and the value encodes to
// exactly these bytes.
var canonical = []struct {
	name string
	wire string
	v    Value
}{
	{"simple", "+OK\r\n", SimpleValue("OK")},
	{"simple empty", "+\r\n", SimpleValue("")},
	{"simple text", "+hello world\r\n", SimpleValue("hello world")},
	{"error", "-ERR unknown command 'FOO'\r\n", ErrorValue("ERR unknown command 'FOO'")},
	{"wrongtype", "-WRONGTYPE Operation against a key\r\n", ErrorValue("WRONGTYPE Operation against a key")},
	{"integer", ":42\r\n", IntValue(42)},
	{"integer zero", ":0\r\n", IntValue(0)},
	{"integer negative", ":-7\r\n", IntValue(-7)},
	{"integer max", ":9223372036854775807\r\n", IntValue(math.MaxInt64)},
	{"integer min", ":-9223372036854775808\r\n", IntValue(math.MinInt64)},
	{"bulk", "$3\r\nfoo\r\n", BulkValue("foo")},
	{"bulk empty", "$0\r\n\r\n", BulkValue("")},
	{"bulk binary CRLF", "$7\r\na\r\nb\x00\r\n\r\n", BulkValue("a\r\nb\x00\r\n")},
	{"array", "*2\r\n$3\r\nfoo\r\n:1\r\n", ArrayValue(BulkValue("foo"), IntValue(1))},
	{"array empty", "*0\r\n", ArrayValue()},
	{"array nested", "*2\r\n*1\r\n+a\r\n*0\r\n", ArrayValue(ArrayValue(SimpleValue("a")), ArrayValue())},
	{"array with null", "*2\r\n_\r\n$1\r\nx\r\n", ArrayValue(NullValue(), BulkValue("x"))},
	{"null", "_\r\n", NullValue()},
	{"double", ",1.5\r\n", DoubleValue(1.5)},
	{"double negative", ",-0.25\r\n", DoubleValue(-0.25)},
	{"double integral", ",10\r\n", DoubleValue(10)},
	{"double exponent", ",1e+21\r\n", DoubleValue(1e21)},
	{"double inf", ",inf\r\n", DoubleValue(math.Inf(1))},
	{"double -inf", ",-inf\r\n", DoubleValue(math.Inf(-1))},
	{"double nan", ",nan\r\n", DoubleValue(math.NaN())},
	{"true", "#t\r\n", BoolValue(true)},
	{"false", "#f\r\n", BoolValue(false)},
	{"blob error", "!21\r\nSYNTAX invalid syntax\r\n", BlobErrorValue("SYNTAX invalid syntax")},
	{"verbatim", "=15\r\ntxt:Some string\r\n", VerbatimValue("txt", "Some string")},
	{"verbatim mkd empty", "=4\r\nmkd:\r\n", VerbatimValue("mkd", "")},
	{"big number", "(3492890328409238509324850943850943825024385\r\n", BigNumberValue("3492890328409238509324850943850943825024385")},
	{"big number negative", "(-12\r\n", BigNumberValue("-12")},
	{"map", "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", MapValue(SimpleValue("first"), IntValue(1), SimpleValue("second"), IntValue(2))},
	{"map empty", "%0\r\n", MapValue()},
	{"set", "~3\r\n+a\r\n+b\r\n+c\r\n", SetValue(SimpleValue("a"), SimpleValue("b"), SimpleValue("c"))},
	{"push", ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", PushValue(BulkValue("message"), BulkValue("ch"), BulkValue("hi"))},
	{"attribute", "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n",
		ArrayValue(IntValue(2039123), IntValue(9543892)).
			WithAttrs(SimpleValue("key-popularity"), MapValue(BulkValue("a"), DoubleValue(0.1923)))},
	{"attribute on element", "*1\r\n|1\r\n+ttl\r\n:5\r\n$1\r\nv\r\n",
		ArrayValue(BulkValue("v").WithAttrs(SimpleValue("ttl"), IntValue(5)))},
}

func TestReadCanonical(t *testing.T) {
	for _, tc := range canonical {
		t.Run(tc.name, func(t *testing.T) {
			have := readOne(t, tc.wire)
			if !have.Equal(tc.v) {
				t.Errorf("read %q\nhave %v\nwant %v", tc.wire, have, tc.v)
			}
		})
	}
}

func TestReadRESP2Nulls(t *testing.T) {
	for _, wire := range []string{"$-1\r\n", "*-1\r\n"} {
		have := readOne(t, wire)
		if have.Kind != Null || !have.IsNull() {
			t.Errorf("read %q: have %v, want null", wire, have)
		}
	}
}

func TestReadLenient(t *testing.T) {
	for _, tc := range []struct {
		wire string
		want Value
	}{
		{":+5\r\n", IntValue(5)},
		{",1.5E3\r\n", DoubleValue(1500)},
		{",1e400\r\n", DoubleValue(math.Inf(1))},
		{",+inf\r\n", DoubleValue(math.Inf(1))},
		{"|1\r\n+a\r\n+b\r\n|1\r\n+c\r\n+d\r\n:1\r\n",
			IntValue(1).WithAttrs(SimpleValue("a"), SimpleValue("b"), SimpleValue("c"), SimpleValue("d"))},
	} {
		if have := readOne(t, tc.wire); !have.Equal(tc.want) {
			t.Errorf("read %q: have %v, want %v", tc.wire, have, tc.want)
		}
	}
}

// TestReadOneFrame checks that ReadValue consumes exactly one frame and
// leaves the next one intact in the buffer.
func TestReadOneFrame(t *testing.T) {
	for _, a := range canonical {
		for _, b := range []string{"+OK\r\n", "$3\r\nbar\r\n", "*1\r\n:1\r\n"} {
			r := newTestReader(a.wire+b, ReaderOptions{})
			if _, err := r.ReadValue(); err != nil {
				t.Fatalf("%s: first frame: %v", a.name, err)
			}
			if r.Offset() != int64(len(a.wire)) {
				t.Fatalf("%s: offset after first frame %d, want %d", a.name, r.Offset(), len(a.wire))
			}
			if r.Buffered() != len(b) {
				t.Fatalf("%s: %d bytes buffered after first frame, want %d", a.name, r.Buffered(), len(b))
			}
			second, err := r.ReadValue()
			if err != nil {
				t.Fatalf("%s: second frame %q: %v", a.name, b, err)
			}
			if got := string(AppendValue(nil, second)); got != b {
				t.Fatalf("%s: second frame read as %q, want %q", a.name, got, b)
			}
			if _, err := r.ReadValue(); err != io.EOF {
				t.Fatalf("%s: after the last frame: %v, want io.EOF", a.name, err)
			}
		}
	}
}

func TestReadProtocolErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		wire   string
		opts   ReaderOptions
		offset int64
		msg    string
	}{
		{"unknown type", "+OK\r\n@x\r\n", ReaderOptions{}, 5, "unknown type"},
		{"LF without CR", "+OK\n", ReaderOptions{}, 3, "CRLF"},
		{"CR inside line", "+O\rK\r\n", ReaderOptions{}, 2, "CR inside"},
		{"bad integer", ":12a\r\n", ReaderOptions{}, 0, "invalid integer"},
		{"integer overflow", ":9223372036854775808\r\n", ReaderOptions{}, 0, "invalid integer"},
		{"empty integer", ":\r\n", ReaderOptions{}, 0, "invalid integer"},
		{"bad bulk length", "$x\r\n", ReaderOptions{}, 0, "invalid length"},
		{"negative bulk length", "$-2\r\n", ReaderOptions{}, 0, "negative length"},
		{"negative map length", "%-1\r\n", ReaderOptions{}, 0, "negative length"},
		{"negative blob error", "!-1\r\n", ReaderOptions{}, 0, "negative length"},
		{"bulk missing CRLF", "$3\r\nfooXY", ReaderOptions{}, 7, "not terminated"},
		{"nested bad element", "*2\r\n:1\r\n:x\r\n", ReaderOptions{}, 8, "invalid integer"},
		{"bad null", "_x\r\n", ReaderOptions{}, 0, "invalid null"},
		{"bad boolean", "#x\r\n", ReaderOptions{}, 0, "invalid boolean"},
		{"bad double", ",1.5x\r\n", ReaderOptions{}, 0, "invalid double"},
		{"bad big number", "(12a\r\n", ReaderOptions{}, 0, "invalid big number"},
		{"verbatim without format", "=3\r\nabc\r\n", ReaderOptions{}, 0, "verbatim"},
		{"streamed", "$?\r\n;3\r\nabc\r\n;0\r\n", ReaderOptions{}, 0, "streamed"},
		{"bulk over MaxBulk", "$11\r\nhello world\r\n", ReaderOptions{MaxBulk: 10}, 0, "over the limit"},
		{"line over MaxBulk", "+" + strings.Repeat("a", 5000) + "\r\n", ReaderOptions{MaxBulk: 4200}, 0, "longer than"},
		{"array over MaxElems", "*5\r\n", ReaderOptions{MaxElems: 4}, 0, "over the limit"},
		{"map over MaxElems", "%3\r\n", ReaderOptions{MaxElems: 4}, 0, "over the limit"},
		{"hostile huge array", "*2147483647\r\n", ReaderOptions{}, 0, "over the limit"},
		{"too deep", "*1\r\n*1\r\n*1\r\n:1\r\n", ReaderOptions{MaxDepth: 2}, 8, "nested deeper"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newTestReader(tc.wire, tc.opts)
			var err error
			for err == nil {
				_, err = r.ReadValue()
			}
			var perr *ProtocolError
			if !errors.As(err, &perr) {
				t.Fatalf("read %q: error %v, want a *ProtocolError", tc.wire, err)
			}
			if !errors.Is(err, ErrProtocol) {
				t.Errorf("errors.Is(%v, ErrProtocol) = false", err)
			}
			if perr.Offset != tc.offset {
				t.Errorf("read %q: offset %d, want %d (%v)", tc.wire, perr.Offset, tc.offset, err)
			}
			if !strings.Contains(perr.Msg, tc.msg) {
				t.Errorf("read %q: message %q, want it to contain %q", tc.wire, perr.Msg, tc.msg)
			}
		})
	}
}

func TestReadEOF(t *testing.T) {
	if _, err := newTestReader("", ReaderOptions{}).ReadValue(); err != io.EOF {
		t.Errorf("empty stream: %v, want io.EOF", err)
	}
	for _, wire := range []string{"+", "+OK", "+OK\r", "$3\r\nfo", "$3\r\nfoo", "$3\r\nfoo\r", "*2\r\n:1\r\n", "%1\r\n+k\r\n", "|1\r\n+a\r\n+b\r\n", "$5000\r\nabc"} {
		_, err := newTestReader(wire, ReaderOptions{}).ReadValue()
		if err != io.ErrUnexpectedEOF {
			t.Errorf("read %q: %v, want io.ErrUnexpectedEOF", wire, err)
		}
	}
}

func TestReadPassesReaderErrors(t *testing.T) {
	boom := errors.New("boom")
	src := io.MultiReader(strings.NewReader("$10\r\nabc"), errReader{boom})
	_, err := NewReader(bufio.NewReader(src), ReaderOptions{}).ReadValue()
	if err != boom {
		t.Errorf("have %v, want the underlying error", err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// TestReadLargeBulk reads bulk strings larger than the bufio buffer, and
// checks that a lying length does not allocate before data arrives.
func TestReadLargeBulk(t *testing.T) {
	payload := strings.Repeat("0123456789", 300000) + "\r\n" // 3 MB, CRLF inside
	wire := "$" + strconv.Itoa(len(payload)) + "\r\n" + payload + "\r\n+OK\r\n"
	r := newTestReader(wire, ReaderOptions{})
	v, err := r.ReadValue()
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != BulkString || v.Str != payload {
		t.Fatalf("large bulk read wrong: kind %v, %d bytes", v.Kind, len(v.Str))
	}
	if v, err := r.ReadValue(); err != nil || v.Str != "OK" {
		t.Fatalf("frame after large bulk: %v, %v", v, err)
	}

	// A header announcing 512 MiB followed by 5 bytes must not allocate
	// anywhere near 512 MiB.
	lying := "$536870912\r\nshort"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = newTestReader(lying, ReaderOptions{}).ReadValue()
	runtime.ReadMemStats(&after)
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("lying length: %v, want io.ErrUnexpectedEOF", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Fatalf("lying length allocated %d bytes before its data arrived", grew)
	}

	bad := "$5000\r\n" + strings.Repeat("x", 5000) + "XY"
	_, err = newTestReader(bad, ReaderOptions{}).ReadValue()
	var perr *ProtocolError
	if !errors.As(err, &perr) || perr.Offset != int64(len("$5000\r\n")+5000) {
		t.Fatalf("large bulk without CRLF: %v", err)
	}
}

func TestReadDeepNesting(t *testing.T) {
	wire := strings.Repeat("*1\r\n", 100000) + ":1\r\n"
	_, err := newTestReader(wire, ReaderOptions{}).ReadValue()
	if !errors.Is(err, ErrProtocol) {
		t.Fatalf("100000 nested arrays: %v, want a protocol error", err)
	}
	wire = strings.Repeat("*1\r\n", 64) + ":1\r\n"
	if _, err := newTestReader(wire, ReaderOptions{}).ReadValue(); err != nil {
		t.Fatalf("64 nested arrays (the default limit): %v", err)
	}
}

func TestReadLongLine(t *testing.T) {
	long := strings.Repeat("x", 10000)
	r := NewReader(bufio.NewReaderSize(strings.NewReader("+"+long+"\r\n-ERR "+long+"\r\n"), 16), ReaderOptions{})
	v, err := r.ReadValue()
	if err != nil || v.Str != long {
		t.Fatalf("long simple string: %v", err)
	}
	v, err = r.ReadValue()
	if err != nil || v.Str != "ERR "+long {
		t.Fatalf("long error: %v", err)
	}
}

func TestReadInternedNoAlloc(t *testing.T) {
	wire := []byte("+OK\r\n+QUEUED\r\n+PONG\r\n:12345\r\n")
	src := bytes.NewReader(wire)
	br := bufio.NewReader(src)
	r := NewReader(br, ReaderOptions{})
	allocs := testing.AllocsPerRun(100, func() {
		src.Reset(wire)
		br.Reset(src)
		for range 4 {
			if _, err := r.ReadValue(); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("reading OK, QUEUED, PONG and an integer: %v allocations, want 0", allocs)
	}
}
