package proto

import (
	"math"
	"strconv"
	"strings"
)

// Kind is the type of a RESP frame: the byte that starts it on the wire.
type Kind byte

// The RESP2 and RESP3 kinds.
const (
	SimpleString Kind = '+' // RESP2 simple string: "+OK\r\n"
	ErrorReply   Kind = '-' // RESP2 error: "-ERR unknown\r\n"
	Integer      Kind = ':' // RESP2 integer: ":42\r\n"
	BulkString   Kind = '$' // RESP2 bulk string: "$3\r\nfoo\r\n"
	Array        Kind = '*' // RESP2 array: "*2\r\n..."
	Null         Kind = '_' // RESP3 null: "_\r\n" (and RESP2 "$-1", "*-1")
	Double       Kind = ',' // RESP3 double: ",1.5\r\n"
	Boolean      Kind = '#' // RESP3 boolean: "#t\r\n"
	BlobError    Kind = '!' // RESP3 bulk error: "!3\r\nERR\r\n"
	Verbatim     Kind = '=' // RESP3 verbatim string: "=7\r\ntxt:foo\r\n"
	BigNumber    Kind = '(' // RESP3 big number: "(12345678901234567890\r\n"
	Map          Kind = '%' // RESP3 map: "%1\r\n<key><value>"
	Set          Kind = '~' // RESP3 set: "~2\r\n..."
	Attribute    Kind = '|' // RESP3 attribute: "|1\r\n<key><value>" before a value
	Push         Kind = '>' // RESP3 push: ">3\r\n..." (pub/sub messages, invalidations)
)

// String returns the name of the kind ("bulk string", "map", ...).
func (k Kind) String() string {
	switch k {
	case SimpleString:
		return "simple string"
	case ErrorReply:
		return "error"
	case Integer:
		return "integer"
	case BulkString:
		return "bulk string"
	case Array:
		return "array"
	case Null:
		return "null"
	case Double:
		return "double"
	case Boolean:
		return "boolean"
	case BlobError:
		return "blob error"
	case Verbatim:
		return "verbatim string"
	case BigNumber:
		return "big number"
	case Map:
		return "map"
	case Set:
		return "set"
	case Attribute:
		return "attribute"
	case Push:
		return "push"
	}
	return "kind(0x" + strconv.FormatUint(uint64(k), 16) + ")"
}

// Value is one RESP frame. A RESP2 null bulk string ("$-1") or null array
// ("*-1") reads as Kind Null. The zero Value (Kind 0) behaves as Null.
//
// A Value is 64 bytes: the payload of every kind shares the fields Str,
// Int and Elems, so that a reply of many small values (a large array of
// integers, nested arrays) stays a small multiple of its size on the
// wire. Doubles, a Verbatim string's format and attributes are read with
// the methods Float, VerbatimFormat and Attrs.
type Value struct {
	Kind Kind
	// Str holds the text of a SimpleString, BulkString, ErrorReply or
	// BlobError (the full text, "ERR unknown command"), Verbatim (without
	// its "txt:" prefix) and the digits of a BigNumber.
	Str string
	// Int holds an Integer, and a Boolean as 1 (true) or 0 (false). For a
	// Double it holds the bits of the float (read them with Float), for a
	// Verbatim its format (read it with VerbatimFormat): build those with
	// DoubleValue and VerbatimValue.
	Int int64
	// Elems holds the elements of an Array, Set or Push, and the entries
	// of a Map as alternating key, value (len(Elems) is twice the pairs).
	Elems []Value
	// attrs holds the attributes (alternating key, value) that preceded
	// the value on the wire; nil normally.
	attrs *[]Value
}

// Float returns the value of a Double, and 0 for any other kind (AsFloat
// converts integers and numeric strings too).
func (v Value) Float() float64 {
	if v.Kind != Double {
		return 0
	}
	return math.Float64frombits(uint64(v.Int))
}

// VerbatimFormat returns a Verbatim string's format ("txt", "mkd"), and ""
// for any other kind.
func (v Value) VerbatimFormat() string {
	if v.Kind != Verbatim {
		return ""
	}
	return unpackFormat(v.Int)
}

// Attrs returns the attributes (alternating key, value) that preceded the
// value on the wire, nil when there were none.
func (v Value) Attrs() []Value {
	if v.attrs == nil {
		return nil
	}
	return *v.attrs
}

// WithAttrs returns v decorated with the attributes kvs (alternating key,
// value), replacing any it had; no kvs removes them.
func (v Value) WithAttrs(kvs ...Value) Value {
	if len(kvs) == 0 {
		v.attrs = nil
		return v
	}
	v.attrs = &kvs
	return v
}

// packFormat stores a Verbatim format of up to 7 bytes, with its length,
// in an int64; longer formats are cut.
func packFormat(f string) int64 {
	n := min(len(f), 7)
	u := uint64(n)
	for i := 0; i < n; i++ {
		u |= uint64(f[i]) << (8 * (i + 1))
	}
	return int64(u)
}

// unpackFormat returns the format packFormat stored, without allocating
// for "txt" and "mkd".
func unpackFormat(x int64) string {
	u := uint64(x)
	n := int(u & 0xff)
	if n > 7 {
		n = 7
	}
	var b [7]byte
	for i := 0; i < n; i++ {
		b[i] = byte(u >> (8 * (i + 1)))
	}
	switch f := b[:n]; string(f) {
	case "txt":
		return "txt"
	case "mkd":
		return "mkd"
	default:
		return string(f)
	}
}

// SimpleValue returns a SimpleString.
func SimpleValue(s string) Value { return Value{Kind: SimpleString, Str: s} }

// ErrorValue returns an ErrorReply with the full text s ("ERR unknown").
func ErrorValue(s string) Value { return Value{Kind: ErrorReply, Str: s} }

// BlobErrorValue returns a BlobError with the full text s.
func BlobErrorValue(s string) Value { return Value{Kind: BlobError, Str: s} }

// IntValue returns an Integer.
func IntValue(n int64) Value { return Value{Kind: Integer, Int: n} }

// BulkValue returns a BulkString.
func BulkValue(s string) Value { return Value{Kind: BulkString, Str: s} }

// VerbatimValue returns a Verbatim string of the given three-letter format
// (formats longer than 7 bytes are cut).
func VerbatimValue(format, s string) Value {
	return Value{Kind: Verbatim, Int: packFormat(format), Str: s}
}

// BigNumberValue returns a BigNumber of the given decimal digits.
func BigNumberValue(digits string) Value { return Value{Kind: BigNumber, Str: digits} }

// ArrayValue returns an Array of elems.
func ArrayValue(elems ...Value) Value { return Value{Kind: Array, Elems: elems} }

// NullValue returns a Null.
func NullValue() Value { return Value{Kind: Null} }

// DoubleValue returns a Double.
func DoubleValue(f float64) Value { return Value{Kind: Double, Int: int64(math.Float64bits(f))} }

// BoolValue returns a Boolean.
func BoolValue(b bool) Value {
	if b {
		return Value{Kind: Boolean, Int: 1}
	}
	return Value{Kind: Boolean}
}

// MapValue returns a Map of alternating keys and values.
func MapValue(kvs ...Value) Value { return Value{Kind: Map, Elems: kvs} }

// SetValue returns a Set of elems.
func SetValue(elems ...Value) Value { return Value{Kind: Set, Elems: elems} }

// PushValue returns a Push of elems.
func PushValue(elems ...Value) Value { return Value{Kind: Push, Elems: elems} }

// IsNull reports whether v is a null reply (or the zero Value).
func (v Value) IsNull() bool { return v.Kind == Null || v.Kind == 0 }

// IsError reports whether v is an ErrorReply or a BlobError.
func (v Value) IsError() bool { return v.Kind == ErrorReply || v.Kind == BlobError }

// Err returns the *Error of an error reply, nil for any other kind.
func (v Value) Err() error {
	if !v.IsError() {
		return nil
	}
	return NewError(v.Str)
}

// Equal reports whether v and w are the same frame: same kind, payload,
// elements and attributes. NaN doubles are equal to each other, and a nil
// Elems or Attrs equals an empty one.
func (v Value) Equal(w Value) bool {
	if v.Kind != w.Kind && !(v.IsNull() && w.IsNull()) {
		return false
	}
	switch v.Kind {
	case SimpleString, ErrorReply, BulkString, BlobError, BigNumber:
		if v.Str != w.Str {
			return false
		}
	case Verbatim:
		if v.Str != w.Str || v.VerbatimFormat() != w.VerbatimFormat() {
			return false
		}
	case Integer:
		if v.Int != w.Int {
			return false
		}
	case Boolean:
		if (v.Int != 0) != (w.Int != 0) {
			return false
		}
	case Double:
		vf, wf := v.Float(), w.Float()
		if vf != wf && !(math.IsNaN(vf) && math.IsNaN(wf)) {
			return false
		}
		if math.Signbit(vf) != math.Signbit(wf) && !math.IsNaN(vf) {
			return false
		}
	case Array, Map, Set, Push, Attribute:
		if !equalValues(v.Elems, w.Elems) {
			return false
		}
	}
	return equalValues(v.Attrs(), w.Attrs())
}

func equalValues(a, b []Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// String returns a one-line display form of v for logs and errors, in the
// style of redis-cli: "OK", `"foo"`, "(integer) 42", "(nil)",
// "(error) ERR unknown", "[...]" for aggregates and "{k: v}" for maps.
// Long texts and deep or large aggregates are shortened. It never panics.
func (v Value) String() string {
	var b strings.Builder
	v.display(&b, 0)
	return b.String()
}

const (
	displayMaxDepth = 8
	displayMaxElems = 32
	displayMaxText  = 256
)

func (v Value) display(b *strings.Builder, depth int) {
	if depth > displayMaxDepth {
		b.WriteString("...")
		return
	}
	if attrs := v.Attrs(); len(attrs) > 0 {
		b.WriteString("|")
		displayElems(b, attrs, depth, true)
		b.WriteString("| ")
	}
	switch v.Kind {
	case SimpleString:
		b.WriteString(shorten(v.Str))
	case ErrorReply, BlobError:
		b.WriteString("(error) ")
		b.WriteString(shorten(v.Str))
	case Integer:
		b.WriteString("(integer) ")
		b.WriteString(strconv.FormatInt(v.Int, 10))
	case BulkString:
		b.WriteString(strconv.Quote(shorten(v.Str)))
	case Verbatim:
		b.WriteString(v.VerbatimFormat())
		b.WriteString(":")
		b.WriteString(strconv.Quote(shorten(v.Str)))
	case BigNumber:
		b.WriteString("(big number) ")
		b.WriteString(shorten(v.Str))
	case Double:
		b.WriteString("(double) ")
		b.WriteString(formatFloat(v.Float()))
	case Boolean:
		if v.Int != 0 {
			b.WriteString("(true)")
		} else {
			b.WriteString("(false)")
		}
	case Array:
		displayElems(b, v.Elems, depth, false)
	case Set:
		b.WriteString("~")
		displayElems(b, v.Elems, depth, false)
	case Push:
		b.WriteString(">")
		displayElems(b, v.Elems, depth, false)
	case Map, Attribute:
		displayElems(b, v.Elems, depth, true)
	default:
		b.WriteString("(nil)")
	}
}

func displayElems(b *strings.Builder, elems []Value, depth int, pairs bool) {
	if pairs {
		b.WriteString("{")
	} else {
		b.WriteString("[")
	}
	for i, e := range elems {
		if i >= displayMaxElems {
			b.WriteString(", ...(")
			b.WriteString(strconv.Itoa(len(elems)))
			b.WriteString(" elements)")
			break
		}
		if i > 0 {
			if pairs && i%2 == 1 {
				b.WriteString(": ")
			} else {
				b.WriteString(", ")
			}
		}
		e.display(b, depth+1)
	}
	if pairs {
		b.WriteString("}")
	} else {
		b.WriteString("]")
	}
}

// shorten cuts s to displayMaxText bytes, saying how long it was.
func shorten(s string) string {
	if len(s) <= displayMaxText {
		return s
	}
	return s[:displayMaxText] + "...(" + strconv.Itoa(len(s)) + " bytes)"
}

// formatFloat formats f as Redis does: shortest decimal form, "inf", "-inf"
// and "nan".
func formatFloat(f float64) string {
	return string(appendFloatText(nil, f))
}

// appendFloatText appends f in its shortest 'f' form; infinities as "inf" and
// "-inf", NaN as "nan".
func appendFloatText(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}
