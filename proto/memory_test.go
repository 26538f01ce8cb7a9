package proto

import (
	"bufio"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

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
