package proto

import (
	"math"
	"strconv"
)

// The Append functions encode RESP onto the end of dst and return the
// extended slice, like strconv's. They do not allocate when dst has room.

// AppendArrayHeader appends the header of an array of n elements: "*n\r\n".
func AppendArrayHeader(dst []byte, n int) []byte {
	return appendHeader(dst, '*', int64(n))
}

func appendHeader(dst []byte, kind byte, n int64) []byte {
	dst = append(dst, kind)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

// AppendBulk appends s as a bulk string: "$len\r\ns\r\n". Any bytes may be
// in s, CR and LF included: the length prefix makes it binary-safe.
func AppendBulk(dst []byte, s string) []byte {
	dst = appendHeader(dst, '$', int64(len(s)))
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendBulkBytes appends b as a bulk string.
func AppendBulkBytes(dst []byte, b []byte) []byte {
	dst = appendHeader(dst, '$', int64(len(b)))
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// AppendBulkInt appends the decimal form of n as a bulk string.
func AppendBulkInt(dst []byte, n int64) []byte {
	var buf [24]byte
	num := strconv.AppendInt(buf[:0], n, 10)
	return AppendBulkBytes(dst, num)
}

// AppendBulkFloat appends f as a bulk string in the form Redis parses: the
// shortest decimal that reads back as f ('f' format, no exponent), "+inf",
// "-inf" (and "nan", which Redis commands reject).
func AppendBulkFloat(dst []byte, f float64) []byte {
	var buf [32]byte
	var num []byte
	switch {
	case math.IsInf(f, 1):
		num = append(buf[:0], "+inf"...)
	default:
		num = appendFloatText(buf[:0], f)
	}
	return AppendBulkBytes(dst, num)
}

// AppendCommand appends a command of the given arguments as an array of
// bulk strings, the form every command takes on the wire.
func AppendCommand(dst []byte, args ...string) []byte {
	dst = AppendArrayHeader(dst, len(args))
	for _, a := range args {
		dst = AppendBulk(dst, a)
	}
	return dst
}

// AppendValue appends the RESP3 encoding of v, its attributes first; RESP2
// kinds encode as in RESP2. It is for fake servers and tests: ReadValue reads
// back a Value equal to v, with these exceptions. CR and LF inside a simple
// string or an error reply are replaced by spaces, as Redis does; an odd
// element of a map or of Attrs is paired with a null; a Verbatim without a
// Format gets "txt"; the zero Value encodes as Null. A Value of Kind
// Attribute encodes its Elems as an attribute frame, which must be followed
// by the value it decorates.
func AppendValue(dst []byte, v Value) []byte {
	if attrs := v.Attrs(); len(attrs) > 0 {
		dst = appendPairs(dst, '|', attrs)
	}
	switch v.Kind {
	case SimpleString, ErrorReply:
		dst = append(dst, byte(v.Kind))
		dst = appendLineText(dst, v.Str)
		return append(dst, '\r', '\n')
	case Integer:
		return appendHeader(dst, ':', v.Int)
	case BulkString, BlobError:
		dst = appendHeader(dst, byte(v.Kind), int64(len(v.Str)))
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	case Verbatim:
		format := v.VerbatimFormat()
		if format == "" {
			format = "txt"
		}
		dst = appendHeader(dst, '=', int64(len(format)+1+len(v.Str)))
		dst = append(dst, format...)
		dst = append(dst, ':')
		dst = append(dst, v.Str...)
		return append(dst, '\r', '\n')
	case Double:
		dst = append(dst, ',')
		switch {
		case math.IsInf(v.Float(), 0), math.IsNaN(v.Float()):
			dst = appendFloatText(dst, v.Float())
		default:
			dst = strconv.AppendFloat(dst, v.Float(), 'g', -1, 64)
		}
		return append(dst, '\r', '\n')
	case Boolean:
		if v.Int != 0 {
			return append(dst, "#t\r\n"...)
		}
		return append(dst, "#f\r\n"...)
	case BigNumber:
		dst = append(dst, '(')
		dst = appendLineText(dst, v.Str)
		return append(dst, '\r', '\n')
	case Array, Set, Push:
		dst = appendHeader(dst, byte(v.Kind), int64(len(v.Elems)))
		for _, e := range v.Elems {
			dst = AppendValue(dst, e)
		}
		return dst
	case Map, Attribute:
		return appendPairs(dst, byte(v.Kind), v.Elems)
	}
	return append(dst, "_\r\n"...)
}

// appendPairs appends a map or attribute frame of alternating keys and
// values, pairing an odd last key with a null.
func appendPairs(dst []byte, kind byte, kvs []Value) []byte {
	dst = appendHeader(dst, kind, int64((len(kvs)+1)/2))
	for _, e := range kvs {
		dst = AppendValue(dst, e)
	}
	if len(kvs)%2 == 1 {
		dst = append(dst, "_\r\n"...)
	}
	return dst
}

// appendLineText appends s with CR and LF replaced by spaces.
func appendLineText(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		dst = append(dst, c)
	}
	return dst
}

// AppendValueRESP2 appends v as a RESP2 server would send it, for fake
// servers speaking RESP2: Null as a null bulk string "$-1", Double as a bulk
// string of its text, Boolean as the integer 1 or 0, BlobError as an error
// reply, Verbatim and BigNumber as bulk strings, Map as a flat array of keys
// and values, Set and Push as arrays. Attributes are dropped.
func AppendValueRESP2(dst []byte, v Value) []byte {
	switch v.Kind {
	case SimpleString, ErrorReply, Integer, BulkString:
		v.attrs = nil
		return AppendValue(dst, v)
	case BlobError:
		return AppendValue(dst, ErrorValue(v.Str))
	case Double:
		var buf [32]byte
		return AppendBulkBytes(dst, appendFloatText(buf[:0], v.Float()))
	case Boolean:
		if v.Int != 0 {
			return append(dst, ":1\r\n"...)
		}
		return append(dst, ":0\r\n"...)
	case Verbatim, BigNumber:
		return AppendBulk(dst, v.Str)
	case Array, Set, Push, Map, Attribute:
		n := len(v.Elems)
		if v.Kind == Map || v.Kind == Attribute {
			n += n % 2
		}
		dst = AppendArrayHeader(dst, n)
		for _, e := range v.Elems {
			dst = AppendValueRESP2(dst, e)
		}
		if n > len(v.Elems) {
			dst = append(dst, "$-1\r\n"...)
		}
		return dst
	}
	return append(dst, "$-1\r\n"...)
}
