package proto

import (
	"errors"
	"math"
	"strconv"
)

// ErrConversion is the sentinel that the conversion methods' type errors
// ("txredis/proto: cannot convert array to int64") match with errors.Is.
var ErrConversion = errors.New("txredis/proto: cannot convert")

// conversionError is a reply of the wrong kind for a conversion.
type conversionError struct {
	from Kind
	to   string
}

func (e *conversionError) Error() string {
	return "txredis/proto: cannot convert " + e.from.String() + " to " + e.to
}

func (e *conversionError) Unwrap() error { return ErrConversion }

// check returns the error shared by every conversion: the *Error of an error
// reply, or ErrNil for a null.
func (v Value) check() error {
	if v.IsError() {
		return v.Err()
	}
	if v.IsNull() {
		return ErrNil
	}
	return nil
}

func (v Value) cannot(to string) error { return &conversionError{from: v.Kind, to: to} }

// The conversions below share their errors: a *Error when v is an error
// reply, ErrNil when v is null, and an error matching ErrConversion when v is
// of a kind that does not convert.

// AsString returns the text of a simple, bulk or verbatim string or a big
// number, and the decimal form of an integer or a double ("1.5", "inf").
func (v Value) AsString() (string, error) {
	if err := v.check(); err != nil {
		return "", err
	}
	switch v.Kind {
	case SimpleString, BulkString, Verbatim, BigNumber:
		return v.Str, nil
	case Integer:
		return strconv.FormatInt(v.Int, 10), nil
	case Double:
		return formatFloat(v.Float()), nil
	}
	return "", v.cannot("string")
}

// AsBytes is AsString returning a new byte slice.
func (v Value) AsBytes() ([]byte, error) {
	s, err := v.AsString()
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// AsInt returns an integer, a boolean as 1 or 0, and the value of a string or
// big number holding a decimal integer ("42").
func (v Value) AsInt() (int64, error) {
	if err := v.check(); err != nil {
		return 0, err
	}
	switch v.Kind {
	case Integer, Boolean:
		return v.Int, nil
	case SimpleString, BulkString, Verbatim, BigNumber:
		if n, ok := parseInt(v.Str); ok {
			return n, nil
		}
		return 0, &conversionError{from: v.Kind, to: "int64 (" + strconv.Quote(shorten(v.Str)) + ")"}
	}
	return 0, v.cannot("int64")
}

// AsFloat returns a double, an integer, and the value of a string or big
// number holding a decimal number ("1.5", "inf", "-inf").
func (v Value) AsFloat() (float64, error) {
	if err := v.check(); err != nil {
		return 0, err
	}
	switch v.Kind {
	case Double:
		return v.Float(), nil
	case Integer:
		return float64(v.Int), nil
	case SimpleString, BulkString, Verbatim, BigNumber:
		if f, ok := parseFloat(v.Str); ok {
			return f, nil
		}
		return 0, &conversionError{from: v.Kind, to: "float64 (" + strconv.Quote(shorten(v.Str)) + ")"}
	}
	return 0, v.cannot("float64")
}

// AsBool returns a boolean, an integer as true when it is not zero
// (SISMEMBER's 1 and 0), and a simple string "OK" as true.
func (v Value) AsBool() (bool, error) {
	if err := v.check(); err != nil {
		return false, err
	}
	switch v.Kind {
	case Boolean, Integer:
		return v.Int != 0, nil
	case SimpleString:
		if v.Str == "OK" {
			return true, nil
		}
	}
	return false, v.cannot("bool")
}

// AsStrings returns the elements of an array, set or push (a map's as
// alternating keys and values), each converted with AsString. Null elements
// (MGET of a missing key) become "": use AsValues to tell them apart. An
// error element fails the whole conversion with its *Error.
func (v Value) AsStrings() ([]string, error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		if e.IsNull() {
			continue
		}
		if out[i], err = e.AsString(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AsMap returns a RESP3 map, or a RESP2 flat array of alternating keys and
// values (HGETALL, CONFIG GET), with keys and values converted by AsString.
// Null values become ""; of repeated keys the last one wins.
func (v Value) AsMap() (map[string]string, error) {
	if err := v.check(); err != nil {
		return nil, err
	}
	switch v.Kind {
	case Map, Array:
	default:
		return nil, v.cannot("map")
	}
	if len(v.Elems)%2 != 0 {
		return nil, &conversionError{from: v.Kind, to: "map (odd number of elements)"}
	}
	m := make(map[string]string, len(v.Elems)/2)
	for i := 0; i < len(v.Elems); i += 2 {
		k, err := v.Elems[i].AsString()
		if err != nil && !v.Elems[i].IsNull() {
			return nil, err
		}
		var val string
		if !v.Elems[i+1].IsNull() {
			if val, err = v.Elems[i+1].AsString(); err != nil {
				return nil, err
			}
		}
		m[k] = val
	}
	return m, nil
}

// AsValues returns the elements of an array, set or push, and a map's as
// alternating keys and values. The slice aliases v.Elems.
func (v Value) AsValues() ([]Value, error) {
	if err := v.check(); err != nil {
		return nil, err
	}
	switch v.Kind {
	case Array, Set, Push, Map:
		if v.Elems == nil {
			return []Value{}, nil
		}
		return v.Elems, nil
	}
	return nil, v.cannot("[]Value")
}

// parseInt parses an optionally signed decimal integer, by hand, rejecting
// empty input, other characters and overflow.
func parseInt[T string | []byte](b T) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := false
	switch b[0] {
	case '-':
		neg = true
		b = b[1:]
	case '+':
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}

// parseFloat parses a RESP3 double: a decimal number with optional sign,
// fraction and exponent, or inf, -inf, +inf, nan. Values out of range become
// infinities.
func parseFloat[T string | []byte](b T) (float64, bool) {
	switch string(b) {
	case "inf", "+inf":
		return math.Inf(1), true
	case "-inf":
		return math.Inf(-1), true
	case "nan", "-nan":
		return math.NaN(), true
	}
	if len(b) == 0 {
		return 0, false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if (c < '0' || c > '9') && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return f, true
		}
		return 0, false
	}
	return f, true
}
