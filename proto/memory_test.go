package proto

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// The documented bounds on what a reply of N bytes on the wire may cost
// (see the package documentation, "Memory"): the decoded Value holds at
// most retainedPerByte*N bytes of heap, and decoding it allocates at most
// allocatedPerByte*N bytes in all (the decoded form plus the copies left
// behind while aggregates of unknown final size grow).
const (
	retainedPerByte  = 25
	allocatedPerByte = 64
)

// TestValueIs64Bytes pins the size the bounds are computed from.
func TestValueIs64Bytes(t *testing.T) {
	if have := unsafe.Sizeof(Value{}); have != 64 {
		t.Errorf("a Value is %d bytes; the documented bounds assume 64", have)
	}
}

// repeatFrame returns an array header of n elements followed by n copies
// of elem.
func repeatFrame(n int, elem string) []byte {
	var b bytes.Buffer
	b.Grow(len(elem)*n + 16)
	b.WriteString("*" + strconv.Itoa(n) + "\r\n")
	for range n {
		b.WriteString(elem)
	}
	return b.Bytes()
}

// memShapes are replies built to cost as much memory per wire byte as
// each shape can: many small values.
var memShapes = []struct {
	name string
	wire func() []byte
}{
	// 9 M integers took 2.1 GiB for 36 MiB of wire before the layout and
	// growth were fixed (58 bytes of heap per wire byte).
	{"large integer array", func() []byte { return repeatFrame(1<<14, ":1\r\n") }},
	{"nulls (the smallest frame)", func() []byte { return repeatFrame(1<<14, "_\r\n") }},
	// Large enough for an aggregate to grow many times: the most
	// allocation per wire byte any shape reaches.
	{"nulls, 768 KiB", func() []byte { return repeatFrame(1<<18, "_\r\n") }},
	{"empty simple strings", func() []byte { return repeatFrame(1<<14, "+\r\n") }},
	{"one-byte bulk strings", func() []byte { return repeatFrame(1<<13, "$1\r\nx\r\n") }},
	{"nested arrays, pairs", func() []byte { return repeatFrame(1<<13, "*1\r\n:1\r\n") }},
	{"nested arrays, chains of 32", func() []byte { return repeatFrame(1<<9, strings.Repeat("*1\r\n", 31)+":1\r\n") }},
	{"nested arrays, 129-element children", func() []byte {
		return repeatFrame(1<<7, string(repeatFrame(129, "_\r\n")))
	}},
	{"empty arrays", func() []byte { return repeatFrame(1<<14, "*0\r\n") }},
	{"attributes on every element", func() []byte { return repeatFrame(1<<12, "|1\r\n+a\r\n+b\r\n:1\r\n") }},
	{"attribute chains", func() []byte { return repeatFrame(1<<10, strings.Repeat("|1\r\n_\r\n_\r\n", 8)+"_\r\n") }},
	{"maps of nulls", func() []byte { return []byte("%" + strconv.Itoa(1<<13) + "\r\n" + strings.Repeat("_\r\n_\r\n", 1<<13)) }},
	{"long simple string", func() []byte { return []byte("+" + strings.Repeat("x", DefaultMaxLine) + "\r\n") }},
	{"long error lines", func() []byte { return repeatFrame(16, "-"+strings.Repeat("e", 60000)+"\r\n") }},
	{"large bulk string", func() []byte {
		n := 1 << 20
		return []byte("$" + strconv.Itoa(n) + "\r\n" + strings.Repeat("b", n) + "\r\n")
	}},
}

// decodeCost reads one reply from wire and returns the heap the decoded
// value retains (the live heap with it, less the live heap once it is
// dropped) and the bytes allocated while reading it.
func decodeCost(t *testing.T, wire []byte, opts ReaderOptions) (retained, allocated uint64) {
	t.Helper()
	br := bufio.NewReaderSize(bytes.NewReader(wire), 16<<10)
	r := NewReader(br, opts)
	runtime.GC()
	var before, read, with, without runtime.MemStats
	runtime.ReadMemStats(&before)
	v, err := r.ReadValue()
	runtime.ReadMemStats(&read)
	if err != nil {
		t.Fatalf("ReadValue: %v", err)
	}
	runtime.GC()
	runtime.ReadMemStats(&with)
	runtime.KeepAlive(v)
	v = Value{}
	runtime.GC()
	runtime.ReadMemStats(&without)
	runtime.KeepAlive(v)
	runtime.KeepAlive(wire)
	if with.HeapAlloc > without.HeapAlloc {
		retained = with.HeapAlloc - without.HeapAlloc
	}
	return retained, read.TotalAlloc - before.TotalAlloc
}

// TestReplyMemoryPerWireByte checks that no reply costs more than the
// documented multiple of its size on the wire, for the shapes a hostile
// server would pick: nested arrays, attributes, long lines, large integer
// arrays. The measured figures are logged (go test -v -run Memory).
func TestReplyMemoryPerWireByte(t *testing.T) {
	for _, sh := range memShapes {
		t.Run(sh.name, func(t *testing.T) {
			wire := sh.wire()
			retained, allocated := decodeCost(t, wire, ReaderOptions{})
			n := float64(len(wire))
			t.Logf("%-36s wire %8d B  retained %6.2f B/B  allocated %6.2f B/B",
				sh.name, len(wire), float64(retained)/n, float64(allocated)/n)
			if float64(retained) > retainedPerByte*n {
				t.Errorf("decoded form retains %d bytes for %d on the wire (%.1f per byte), over the documented %d",
					retained, len(wire), float64(retained)/n, retainedPerByte)
			}
			if float64(allocated) > allocatedPerByte*n {
				t.Errorf("decoding allocated %d bytes for %d on the wire (%.1f per byte), over the documented %d",
					allocated, len(wire), float64(allocated)/n, allocatedPerByte)
			}
		})
	}
}

// TestReplyMemoryBudget checks that MaxReplyMemory bounds one reply
// across nesting and attributes, where MaxElems bounds one aggregate only.
func TestReplyMemoryBudget(t *testing.T) {
	const budget = 1 << 20
	for _, sh := range []struct {
		name string
		wire []byte
	}{
		{"nested arrays", repeatFrame(1<<16, "*1\r\n*1\r\n:1\r\n")},
		{"attributes", repeatFrame(1<<14, "|1\r\n+a\r\n+b\r\n:1\r\n")},
		{"integers", repeatFrame(1<<16, ":1\r\n")},
		{"bulk strings", repeatFrame(1<<10, "$2000\r\n"+strings.Repeat("z", 2000)+"\r\n")},
		{"simple strings", repeatFrame(1<<10, "+"+strings.Repeat("z", 2000)+"\r\n")},
	} {
		t.Run(sh.name, func(t *testing.T) {
			r := NewReader(bufio.NewReader(bytes.NewReader(sh.wire)), ReaderOptions{MaxReplyMemory: budget})
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := r.ReadValue()
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "MaxReplyMemory") {
				t.Fatalf("reply over the budget: have %v, want a protocol error naming MaxReplyMemory", err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 3*budget {
				t.Errorf("allocated %d bytes with a budget of %d", grew, budget)
			}
		})
	}
	// Under the budget, the same reply reads.
	wire := repeatFrame(1<<10, ":1\r\n")
	if _, err := NewReader(bufio.NewReader(bytes.NewReader(wire)), ReaderOptions{MaxReplyMemory: budget}).ReadValue(); err != nil {
		t.Fatalf("reply under the budget: %v", err)
	}
}

// TestLyingAggregateHeaderAllocatesAsDataArrives checks that an aggregate
// header announcing many elements allocates for what arrived, not for
// what it announced, at every level of nesting.
func TestLyingAggregateHeaderAllocatesAsDataArrives(t *testing.T) {
	wire := strings.Repeat("*16777216\r\n", 60) + ":1\r\n"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := newTestReader(wire, ReaderOptions{}).ReadValue()
	runtime.ReadMemStats(&after)
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("have %v, want io.ErrUnexpectedEOF", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<10 {
		t.Errorf("60 lying headers (%d bytes) allocated %d bytes", len(wire), grew)
	}
}

// TestSimpleLinesAreShort checks that simple lines (+ - : , ( and the
// length headers) are limited by MaxLine, far below MaxBulk, and that the
// memory an endless line costs stays near that limit.
func TestSimpleLinesAreShort(t *testing.T) {
	for _, typ := range []string{"+", "-", ":", ",", "(", "$", "*"} {
		endless := typ + strings.Repeat("9", 4<<20)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := newTestReader(endless, ReaderOptions{}).ReadValue()
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrProtocol) {
			t.Fatalf("%q line of 4 MiB: have %v, want a protocol error", typ, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 8*DefaultMaxLine {
			t.Errorf("%q line of 4 MiB: allocated %d bytes, want at most %d", typ, grew, 8*DefaultMaxLine)
		}
	}
	// A line of exactly MaxLine bytes reads; one byte more does not.
	for _, max := range []int{100, 5000, DefaultMaxLine} {
		ok := "+" + strings.Repeat("x", max) + "\r\n"
		if _, err := newTestReader(ok, ReaderOptions{MaxLine: max}).ReadValue(); err != nil {
			t.Errorf("line of MaxLine=%d bytes: %v", max, err)
		}
		long := "+" + strings.Repeat("x", max+1) + "\r\n"
		if _, err := newTestReader(long, ReaderOptions{MaxLine: max}).ReadValue(); !errors.Is(err, ErrProtocol) {
			t.Errorf("line of MaxLine+1=%d bytes: have %v, want a protocol error", max+1, err)
		}
	}
}

// TestOverlongLineWithoutCRLFFailsAtOnce is issue 16's case: with MaxBulk
// 16384, a simple-string line of 16,385 to 32,767 bytes with nothing
// after it left the command pending forever, since the limit was checked
// only once per full read buffer. The reader must fail as soon as the
// bytes that arrived exceed the limit, without waiting for more.
func TestOverlongLineWithoutCRLFFailsAtOnce(t *testing.T) {
	for _, n := range []int{16385, 20000, 32767} {
		pr, pw := io.Pipe()
		go func() {
			_, _ = pw.Write([]byte("+" + strings.Repeat("a", n)))
			// Nothing more: the stream stays open, as a stalled server's.
		}()
		r := NewReader(bufio.NewReaderSize(pr, 16<<10), ReaderOptions{MaxBulk: 16384})
		done := make(chan error, 1)
		go func() {
			_, err := r.ReadValue()
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrProtocol) {
				t.Errorf("line of %d bytes without CRLF: have %v, want a protocol error", n, err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("line of %d bytes without CRLF over a limit of 16384: still reading after 5s", n)
			pw.Close()
			<-done
		}
		pw.Close()
	}
}
