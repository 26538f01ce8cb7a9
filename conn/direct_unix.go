//go:build unix

package conn

import (
	"errors"
	"net"
	"syscall"
)

// directWriter makes non-blocking writes on one socket. Its fields carry
// one write at a time: they belong to the goroutine that set Conn.writing
// while the socket was live.
type directWriter struct {
	raw syscall.RawConn
	buf []byte
	n   int
	err error
	fn  func(fd uintptr) bool // dw.once, bound once so a write does not allocate
}

func newDirectWriter(nc net.Conn) *directWriter {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	dw := &directWriter{raw: raw}
	dw.fn = dw.once
	return dw
}

// write makes one non-blocking write of buf and reports how much the
// socket took.
func (dw *directWriter) write(buf []byte) (int, error) {
	dw.buf, dw.n, dw.err = buf, 0, nil
	err := dw.raw.Write(dw.fn)
	n, werr := dw.n, dw.err
	dw.buf = nil
	if err != nil {
		return 0, err
	}
	if n < 0 {
		n = 0
	}
	if errors.Is(werr, syscall.EAGAIN) || errors.Is(werr, syscall.EINTR) {
		return n, nil
	}
	return n, werr
}

func (dw *directWriter) once(fd uintptr) bool {
	dw.n, dw.err = syscall.Write(int(fd), dw.buf)
	return true // never wait for the socket: the writer goroutine does that
}

// readable reports whether a read on the socket would not block: bytes
// are waiting, the peer closed, or the socket failed. It never waits:
// the peek goes through Control, not Read, which would first wait for a
// read in progress on another goroutine (a waiting goroutine that took
// the socket after the watchdog saw it parked), and so stop the
// watchdog for as long as that read lasts.
func (dw *directWriter) readable() bool {
	var err error
	var b [1]byte
	rerr := dw.raw.Control(func(fd uintptr) {
		_, _, err = syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	})
	if rerr != nil {
		return true
	}
	return err != syscall.EAGAIN && err != syscall.EINTR
}
