package conn

import (
	"errors"
	"net"
	"slices"
	"syscall"

	"github.com/txredis/txredis/proto"
)

// Write buffer chunks: a chunk starts at firstChunk bytes, grows by
// append, and is closed once it holds chunkSize bytes; at most
// maxFreeChunks written chunks are kept for reuse, so an idle connection
// holds at most that much.
const (
	firstChunk    = 1 << 10
	chunkSize     = 16 << 10
	maxFreeChunks = 1
)

func (c *Conn) appendLocked(cmd *proto.Cmd) {
	if c.wbuf == nil {
		if n := len(c.free); n > 0 {
			c.wbuf = c.free[n-1]
			c.free[n-1] = nil
			c.free = c.free[:n-1]
		} else {
			c.wbuf = make([]byte, 0, firstChunk)
		}
	}
	c.wbuf = cmd.AppendTo(c.wbuf)
	if len(c.wbuf) >= chunkSize {
		c.wfull = append(c.wfull, c.wbuf)
		c.wbuf = nil
	}
}

// takeWritesLocked moves every unwritten chunk into dst.
func (c *Conn) takeWritesLocked(dst [][]byte) [][]byte {
	dst = append(dst, c.wfull...)
	clear(c.wfull)
	c.wfull = c.wfull[:0]
	if len(c.wbuf) > 0 {
		dst = append(dst, c.wbuf)
		c.wbuf = nil
	}
	return dst
}

// recycleLocked keeps written chunks for reuse, up to maxFreeChunks.
func (c *Conn) recycleLocked(chunks [][]byte) {
	for _, b := range chunks {
		if len(c.free) >= maxFreeChunks {
			return
		}
		if cap(b) <= 2*chunkSize {
			c.free = append(c.free, b[:0])
		}
	}
}

func (c *Conn) hasWritesLocked() bool { return len(c.wfull) > 0 || len(c.wbuf) > 0 }

func (c *Conn) signalLocked() {
	if c.state != StateConnected || c.wakePending {
		return
	}
	c.wakePending = true
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// flushAndUnlock gets newly queued commands on their way and releases
// c.mu. idle tells that no reply was pending before them: the caller is
// round-trip bound, so when nobody is writing and everything queued fits
// one chunk, the sending goroutine writes it itself with one non-blocking
// write (saving a goroutine hand-off per round trip); whatever the socket
// does not take at once goes back to the front of the queue for the
// writer goroutine. Under load (replies pending) the writer goroutine
// batches instead. Sending never waits on the network.
func (c *Conn) flushAndUnlock(idle bool) {
	dw := c.direct
	if !idle || dw == nil || c.state != StateConnected || c.writing || c.wakePending || len(c.wfull) > 0 || len(c.wbuf) == 0 {
		c.signalLocked()
		c.mu.Unlock()
		return
	}
	buf := c.wbuf
	c.wbuf = nil
	c.writing = true
	gen := c.gen
	c.mu.Unlock()

	n, err := dw.write(buf)

	c.mu.Lock()
	if c.gen != gen || c.nc == nil {
		// The socket failed meanwhile: its commands have been failed.
		c.mu.Unlock()
		return
	}
	c.writing = false
	if err != nil {
		c.mu.Unlock()
		c.fail(gen, err)
		return
	}
	if n < len(buf) {
		c.wfull = slices.Insert(c.wfull, 0, buf[n:])
	} else {
		c.recycleLocked([][]byte{buf})
	}
	if c.hasWritesLocked() {
		c.signalLocked()
	}
	c.mu.Unlock()
}

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

// writeLoop owns writes on nc for generation gen. It writes everything
// queued in one call (writev on TCP) whenever it is woken, so commands
// sent while a write is in progress go out together in the next one.
func (c *Conn) writeLoop(nc net.Conn, gen uint64, stop <-chan struct{}) {
	var chunks [][]byte
	mine := false // this goroutine set c.writing
	for {
		select {
		case <-c.wake:
		case <-stop:
			return
		}
		for {
			c.mu.Lock()
			if c.gen != gen || c.state != StateConnected {
				c.mu.Unlock()
				return
			}
			c.recycleLocked(chunks)
			clear(chunks)
			chunks = chunks[:0]
			c.wakePending = false
			if c.writing && !mine {
				// A sender is writing directly; it signals when done.
				c.mu.Unlock()
				break
			}
			chunks = c.takeWritesLocked(chunks)
			mine = len(chunks) > 0
			c.writing = mine
			c.mu.Unlock()
			if !mine {
				break
			}
			var err error
			if len(chunks) == 1 {
				_, err = nc.Write(chunks[0])
			} else {
				bufs := net.Buffers(append([][]byte(nil), chunks...))
				_, err = bufs.WriteTo(nc)
			}
			if err != nil {
				c.fail(gen, err)
				return
			}
		}
	}
}
