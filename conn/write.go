package conn

import (
	"net"
	"runtime"
	"slices"
	"sync"

	"github.com/txredis/txredis/proto"
)

// Write buffer chunks: encoded commands are appended to fixed-size
// chunks taken from a pool shared by every connection, so a burst never
// copies what it already encoded, busy connections reuse chunks, and an
// idle connection holds none. A chunk is closed once less than
// chunkHeadroom bytes are left, so that ordinary commands never outgrow
// it; a larger command makes append move it, and the moved buffer is
// simply not returned to the pool. Arguments of proto.LargeArg bytes or
// more are not copied into chunks at all: they are written from their
// own memory, as separate pieces of one writev.
const (
	chunkSize     = 16 << 10
	chunkHeadroom = 1 << 10
)

type chunk [chunkSize]byte

var chunkPool = sync.Pool{New: func() any { return new(chunk) }}

// wqueue holds the encoded commands a connection has not written yet, as
// segments to write in order. Conn.mu protects it.
type wqueue struct {
	segs [][]byte // closed segments: parts of chunks, or large arguments
	buf  []byte   // the open segment, at the end of the newest chunk; nil when none
	own  []*chunk // the pooled chunks segs and buf live in, to recycle once written
}

// append encodes cmd at the end of the queue.
func (w *wqueue) append(cmd *proto.Cmd) {
	if w.buf == nil {
		ch := chunkPool.Get().(*chunk)
		w.own = append(w.own, ch)
		w.buf = ch[:0]
	}
	w.buf = cmd.Encode(w.buf, w)
	if cap(w.buf)-len(w.buf) < chunkHeadroom {
		if len(w.buf) > 0 {
			w.segs = append(w.segs, w.buf)
		}
		w.buf = nil
	}
}

// Large closes the open segment, queues the large argument after it, and
// opens a new segment in the rest of the chunk (proto.LargeWriter).
func (w *wqueue) Large(dst, large []byte) []byte {
	if len(dst) > 0 {
		w.segs = append(w.segs, dst)
	}
	w.segs = append(w.segs, large)
	return dst[len(dst):]
}

// empty reports whether nothing is queued.
func (w *wqueue) empty() bool { return len(w.segs) == 0 && len(w.buf) == 0 }

// take moves every queued segment to segs and the chunks they live in to
// own, and empties the queue.
func (w *wqueue) take(segs [][]byte, own []*chunk) ([][]byte, []*chunk) {
	segs = append(segs, w.segs...)
	clear(w.segs)
	w.segs = w.segs[:0]
	if len(w.buf) > 0 {
		segs = append(segs, w.buf)
	}
	w.buf = nil
	own = append(own, w.own...)
	clear(w.own)
	w.own = w.own[:0]
	return segs, own
}

// requeue puts segments that were taken but not written back at the front
// of the queue, with the chunks they live in.
func (w *wqueue) requeue(segs [][]byte, own []*chunk) {
	w.segs = slices.Insert(w.segs, 0, segs...)
	w.own = slices.Insert(w.own, 0, own...)
}

// drop empties the queue, recycling its chunks.
func (w *wqueue) drop() {
	_, own := w.take(nil, nil)
	recycle(own)
}

// recycle returns written chunks to the pool.
func recycle(own []*chunk) {
	for _, ch := range own {
		chunkPool.Put(ch)
	}
}

func (c *Conn) signalLocked() {
	if c.state.load() != StateConnected || c.wakePending {
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
// round-trip bound, so when nobody is writing and everything queued is
// one open segment (in one chunk, or in the buffer a command too large
// for the chunk grew it into), the sending goroutine writes it itself
// with one non-blocking write (saving a goroutine hand-off per round
// trip); whatever the socket does not take at once goes back to the front
// of the queue for the writer goroutine. Under load (replies pending) the writer goroutine
// batches instead. Sending never waits on the network.
func (c *Conn) flushAndUnlock(idle bool) {
	dw := c.direct
	w := &c.w
	if !idle || dw == nil || c.state.load() != StateConnected || c.writing || c.wakePending || len(w.segs) > 0 || len(w.buf) == 0 || len(w.own) != 1 {
		c.signalLocked()
		c.mu.Unlock()
		return
	}
	buf, ch := w.buf, w.own[0]
	w.buf = nil
	w.own[0] = nil
	w.own = w.own[:0]
	c.writing = true
	gen := c.gen
	c.mu.Unlock()

	n, err := dw.write(buf)

	c.mu.Lock()
	if c.gen != gen || c.nc == nil {
		// The socket failed meanwhile: its commands have been failed.
		c.mu.Unlock()
		chunkPool.Put(ch) // the write has returned: nothing refers to it
		return
	}
	c.writing = false
	if err != nil {
		c.mu.Unlock()
		chunkPool.Put(ch)
		c.fail(gen, err)
		return
	}
	if n < len(buf) {
		w.requeue([][]byte{buf[n:]}, []*chunk{ch})
	} else {
		chunkPool.Put(ch)
	}
	if !w.empty() {
		c.signalLocked()
	}
	c.mu.Unlock()
}

// writeLoop owns writes on nc for generation gen. Woken by a sender, it
// first yields to the other runnable goroutines, then writes everything
// queued in one call (writev on TCP), so commands sent while it waited to
// run or while a write was in progress go out together in the next one.
func (c *Conn) writeLoop(nc net.Conn, gen uint64, stop <-chan struct{}) {
	var segs, scratch [][]byte
	var bufs net.Buffers
	var own []*chunk
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
			if c.gen != gen || c.state.load() != StateConnected {
				c.mu.Unlock()
				return
			}
			recycle(own)
			clear(own)
			own = own[:0]
			clear(segs)
			segs = segs[:0]
			c.wakePending = false
			if c.writing && !mine {
				// A sender is writing directly; it signals when done.
				c.mu.Unlock()
				break
			}
			segs, own = c.w.take(segs, own)
			mine = len(segs) > 0
			c.writing = mine
			c.mu.Unlock()
			if !mine {
				break
			}
			var err error
			if len(segs) == 1 {
				_, err = nc.Write(segs[0])
			} else {
				// WriteTo consumes the slice it is given: hand it a copy
				// so that segs still lists what to release.
				scratch = append(scratch[:0], segs...)
				bufs = scratch
				_, err = bufs.WriteTo(nc)
				clear(scratch)
			}
			if err != nil {
				c.fail(gen, err)
				return
			}
		}
	}
}
