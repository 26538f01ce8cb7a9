package proto

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"strconv"
	"testing"
)

func FuzzReader(f *testing.F) {
	for _, tc := range canonical {
		f.Add([]byte(tc.wire))
	}
	for _, s := range []string{
		"", "+", "+OK", "+OK\n", "$-1\r\n", "*-1\r\n", "$-2\r\n", "*3\r\n:1\r\n", "$3\r\nfooXY", "@\r\n",
		"%1\r\n+k\r\n", "|1\r\n+a\r\n+b\r\n", "=3\r\nabc\r\n", "$?\r\n;1\r\na\r\n;0\r\n", "*?\r\n.\r\n",
		",1e400\r\n", ",x\r\n", "#x\r\n", "(1a\r\n", ":99999999999999999999\r\n", "*1\r\n*1\r\n*1\r\n*1\r\n",
		"+OK\r\n+OK\r\n", "$0\r\n\r\n$0\r\n\r\n", "*2147483647\r\n", "$536870912\r\n", "%2\r\n_\r\n_\r\n#t\r\n#f\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A 16-byte buffer and small limits put every path of the Reader
		// (long lines, bulks larger than the buffer, limits) within reach
		// of short inputs; longer ones only slow the minimizer down.
		if len(data) > 256 {
			return
		}
		opts := ReaderOptions{MaxBulk: 64, MaxElems: 32, MaxDepth: 8}
		r := NewReader(bufio.NewReaderSize(bytes.NewReader(data), 16), opts)
		for {
			v, err := r.ReadValue()
			if err != nil {
				var perr *ProtocolError
				if err != io.EOF && err != io.ErrUnexpectedEOF && !errors.As(err, &perr) {
					t.Fatalf("unexpected error type %T: %v", err, err)
				}
				if perr != nil && (perr.Offset < 0 || perr.Offset > int64(len(data))) {
					t.Fatalf("error offset %d outside the %d-byte input", perr.Offset, len(data))
				}
				return
			}
			_ = v.String()
			wire := AppendValue(nil, v)
			again, err := NewReader(bufio.NewReaderSize(bytes.NewReader(wire), 16), ReaderOptions{}).ReadValue()
			if err != nil {
				t.Fatalf("re-reading %q (encoded from %v): %v", wire, v, err)
			}
			if !again.Equal(v) {
				t.Fatalf("round trip changed the value\nread   %v\nreread %v\nwire %q", v, again, wire)
			}
		}
	})
}

func FuzzCmd(f *testing.F) {
	f.Add("SET", "key", "value", int64(1), 1.5)
	f.Add("get", "", "a\r\nb", int64(-1), math.Copysign(0, -1))
	f.Add("X", "\x00\xff", "$3\r\n", int64(0), 1e300)
	f.Fuzz(func(t *testing.T, name, a, b string, n int64, x float64) {
		if len(name)+len(a)+len(b) > 512 {
			return // long arguments only slow the minimizer down
		}
		c := NewCmd(name).Key(a).Arg(b).Int(n).Float(x).Bytes([]byte(a + b))
		defer c.Release()
		fx := formatFloat(x)
		if fx == "inf" {
			fx = "+inf"
		}
		checkCmdDecodes(t, c, []string{upper(name), a, b, strconv.FormatInt(n, 10), fx, a + b})
		if v, ok := parseInt(c.ArgBytes(3)); !ok || v != n {
			t.Fatalf("Int(%d) encoded as %q", n, c.ArgBytes(3))
		}
		if v, ok := parseFloat(c.ArgBytes(4)); !ok || !(v == x || math.IsNaN(v) && math.IsNaN(x)) {
			t.Fatalf("Float(%v) encoded as %q", x, c.ArgBytes(4))
		}
	})
}
