package conn

import (
	"errors"
	"net"
	"runtime"
	"slices"
	"sync"
	"syscall"

	"github.com/txredis/txredis/proto"
)

// Write buffer chunks: encoded commands are appended to fixed-size
// chunks taken from a pool shared by every connection, so a burst never
// copies what it already encoded, busy connections reuse chunks, and an
// idle connection holds none. A chunk is closed once less than
// chunkHeadroom bytes are left, so that ordinary commands never outgrow
// it; a larger command makes append move it, and the moved buffer is
// simply not returned to the pool.
const (
	chunkSize     = 16 << 10
	chunkHeadroom = 1 << 10
)

type chunk [chunkSize]byte

var chunkPool = sync.Pool{New: func() any { return new(chunk) }}

func getChunk() []byte { return chunkPool.Get().(*chunk)[:0] }

// putChunk returns b to the pool when it is a whole pooled chunk.
func putChunk(b []byte) {
	if cap(b) == chunkSize {
		chunkPool.Put((*chunk)(b[:chunkSize]))
	}
}

func (c *Conn) appendLocked(cmd *proto.Cmd) {
	if c.wbuf == nil {
		c.wbuf = getChunk()
	}
	c.wbuf = cmd.AppendTo(c.wbuf)
	if len(c.wbuf) > chunkSize-chunkHeadroom {
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

// recycle returns written chunks to the pool.
func recycle(chunks [][]byte) {
	for _, b := range chunks {
		putChunk(b)
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
		putChunk(buf)
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

// writeLoop owns writes on nc for generation gen. Woken by a sender, it
// first yields to the other runnable goroutines, then writes everything
// queued in one call (writev on TCP), so commands sent while it waited to
// run or while a write was in progress go out together in the next one.
func (c *Conn) writeLoop(nc net.Conn, gen uint64, stop <-chan struct{}) {
	var chunks [][]byte
	mine := false // this goroutine set c.writing
	for {
		select {
		case <-c.wake:
		case <-stop:
			return
		}
		// Senders woken by the same burst of replies are runnable now;
		// the one that woke us is about to park. Yielding once lets them
		// queue their commands, so that one write carries them all
		// instead of the first alone. When nothing else is runnable the
		// yield returns at once: no timer, no delay on a quiet connection.
		runtime.Gosched()
		for {
			c.mu.Lock()
			if c.gen != gen || c.state != StateConnected {
				c.mu.Unlock()
				return
			}
			recycle(chunks)
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
