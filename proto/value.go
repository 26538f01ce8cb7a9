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
type Value struct {
	Kind Kind
	// Str holds the text of a SimpleString, BulkString, ErrorReply or
	// BlobError (the full text, "ERR unknown command"), Verbatim (without
	// its "txt:" prefix) and the digits of a BigNumber.
	Str string
	// Int holds an Integer, and a Boolean as 1 (true) or 0 (false).
	Int int64
	// Float holds a Double, infinities and NaN included.
	Float float64
	// Format is a Verbatim string's three-letter format ("txt", "mkd").
	Format string
	// Elems holds the elements of an Array, Set or Push, and the entries
	// of a Map as alternating key, value (len(Elems) is twice the pairs).
	Elems []Value
	// Attrs holds the attributes (alternating key, value) that preceded
	// the value on the wire; nil normally.
	Attrs []Value
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

// VerbatimValue returns a Verbatim string of the given three-letter format.
func VerbatimValue(format, s string) Value { return Value{Kind: Verbatim, Format: format, Str: s} }

// BigNumberValue returns a BigNumber of the given decimal digits.
func BigNumberValue(digits string) Value { return Value{Kind: BigNumber, Str: digits} }

// ArrayValue returns an Array of elems.
func ArrayValue(elems ...Value) Value { return Value{Kind: Array, Elems: elems} }

// NullValue returns a Null.
func NullValue() Value { return Value{Kind: Null} }

// DoubleValue returns a Double.
func DoubleValue(f float64) Value { return Value{Kind: Double, Float: f} }

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
		if v.Str != w.Str || v.Format != w.Format {
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
		if v.Float != w.Float && !(math.IsNaN(v.Float) && math.IsNaN(w.Float)) {
			return false
		}
		if math.Signbit(v.Float) != math.Signbit(w.Float) && !math.IsNaN(v.Float) {
			return false
		}
	case Array, Map, Set, Push, Attribute:
		if !equalValues(v.Elems, w.Elems) {
			return false
		}
	}
	return equalValues(v.Attrs, w.Attrs)
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
	if len(v.Attrs) > 0 {
		b.WriteString("|")
		displayElems(b, v.Attrs, depth, true)
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
		b.WriteString(v.Format)
		b.WriteString(":")
		b.WriteString(strconv.Quote(shorten(v.Str)))
	case BigNumber:
		b.WriteString("(big number) ")
		b.WriteString(shorten(v.Str))
	case Double:
		b.WriteString("(double) ")
		b.WriteString(formatFloat(v.Float))
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
