package proto

import (
	"bufio"
	"testing"
)

// repeatReader yields frame over and over.
type repeatReader struct {
	frame []byte
	off   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.frame[r.off:])
		n += k
		r.off = (r.off + k) % len(r.frame)
	}
	return n, nil
}

func benchRead(b *testing.B, frame string) {
	r := NewReader(bufio.NewReader(&repeatReader{frame: []byte(frame)}), ReaderOptions{})
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ReadValue(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadBulk(b *testing.B) { benchRead(b, "$16\r\n0123456789abcdef\r\n") }

func BenchmarkReadSimpleOK(b *testing.B) { benchRead(b, "+OK\r\n") }

func BenchmarkReadInt(b *testing.B) { benchRead(b, ":1234567\r\n") }

func BenchmarkReadArray10(b *testing.B) {
	frame := string(AppendCommand(nil, "a", "bb", "ccc", "dddd", "eeeee", "f", "g", "h", "i", "j"))
	benchRead(b, frame)
}

func BenchmarkReadMap(b *testing.B) {
	benchRead(b, "%2\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n,1.5\r\n")
}

func BenchmarkWriteCmd3(b *testing.B) {
	dst := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendCommand(dst[:0], "SET", "somekey", "somevalue")
	}
}

func BenchmarkCmdBuild(b *testing.B) {
	dst := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		c := NewCmd("SET").Key("somekey").Arg("somevalue")
		dst = c.AppendTo(dst[:0])
		c.Release()
	}
}

func BenchmarkCmdAppendTo(b *testing.B) {
	dst := make([]byte, 0, 128)
	c := NewCmd("SET").Key("somekey").Arg("somevalue")
	defer c.Release()
	b.ReportAllocs()
	for b.Loop() {
		dst = c.AppendTo(dst[:0])
	}
}
