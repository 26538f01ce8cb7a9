package proto

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"unsafe"
)

// Default limits of a Reader; see ReaderOptions.
const (
	DefaultMaxBulk        = 512 << 20 // 512 MiB, Redis's proto-max-bulk-len
	DefaultMaxLine        = 64 << 10  // 64 KiB, Redis's own limit on an inline request
	DefaultMaxDepth       = 64
	DefaultMaxElems       = 1 << 24
	DefaultMaxReplyMemory = 1 << 30 // 1 GiB
)

const (
	// minFrame is the size of the smallest frame ("_\r\n", "+\r\n"): an
	// aggregate never holds more elements than the bytes that arrived for
	// it divided by this.
	minFrame = 3
	// valueSize is what one element of an aggregate costs.
	valueSize = int64(unsafe.Sizeof(Value{}))
	// bulkChunk is the first step in which a bulk string too large for the
	// bufio buffer is allocated; later steps double, so that a lying
	// length cannot allocate more than what arrived ahead of the data.
	bulkChunk = 1 << 20
	// maxScratch is the largest line buffer a Reader keeps between frames.
	maxScratch = 64 << 10
)

// ReaderOptions limits what a Reader accepts. The zero value gives the
// defaults. A frame over a limit is a *ProtocolError.
type ReaderOptions struct {
	// MaxBulk is the largest bulk string, blob error or verbatim string,
	// in bytes. 0 means DefaultMaxBulk (512 MiB).
	MaxBulk int
	// MaxLine is the longest line: a simple string, an error reply, an
	// integer, a double, a big number, and the length line of a bulk
	// string or an aggregate, in bytes without the CRLF. 0 means
	// DefaultMaxLine (64 KiB); it is never more than MaxBulk. A line over
	// the limit fails as soon as its bytes arrive, whether or not its end
	// follows.
	MaxLine int
	// MaxDepth is the deepest nesting of aggregates (arrays, maps, sets,
	// pushes, attributes). 0 means DefaultMaxDepth (64).
	MaxDepth int
	// MaxElems is the largest number of elements in one aggregate, a map
	// of n pairs counting 2n. 0 means DefaultMaxElems (1<<24, 16 Mi):
	// raise it for larger replies (KEYS on a huge database).
	MaxElems int
	// MaxReplyMemory is the most memory the decoded form of one reply may
	// take, over every level of nesting and attribute: 64 bytes per
	// element of an aggregate plus the bytes of every string. 0 means
	// DefaultMaxReplyMemory (1 GiB). It bounds what a hostile or broken
	// server can make the client hold for one reply; the copies left
	// behind while an aggregate of unknown final size grows, which the
	// garbage collector reclaims, may add up to as much again.
	MaxReplyMemory int64
}

// Reader reads RESP2 and RESP3 frames from a bufio.Reader. It is not safe for
// concurrent use. After any error other than io.EOF at a frame boundary, the
// stream is out of step and the Reader must be dropped.
type Reader struct {
	br       *bufio.Reader
	off      int64 // bytes consumed from br since NewReader
	maxBulk  int
	maxLine  int
	maxDepth int
	maxElems int
	maxMem   int64
	used     int64  // memory charged to the reply being read
	slack    int    // element slots allocated and not yet filled, over the open aggregates
	scratch  []byte // lines longer than what br holds at once
}

// NewReader returns a Reader of br with the limits of opts.
func NewReader(br *bufio.Reader, opts ReaderOptions) *Reader {
	r := &Reader{br: br, maxBulk: opts.MaxBulk, maxLine: opts.MaxLine, maxDepth: opts.MaxDepth,
		maxElems: opts.MaxElems, maxMem: opts.MaxReplyMemory}
	if r.maxBulk <= 0 {
		r.maxBulk = DefaultMaxBulk
	}
	if r.maxBulk > math.MaxInt32*2 {
		r.maxBulk = math.MaxInt32 * 2 // keeps length+2 and offsets from overflowing
	}
	if r.maxLine <= 0 {
		r.maxLine = DefaultMaxLine
	}
	r.maxLine = min(r.maxLine, r.maxBulk)
	if r.maxDepth <= 0 {
		r.maxDepth = DefaultMaxDepth
	}
	if r.maxElems <= 0 {
		r.maxElems = DefaultMaxElems
	}
	if r.maxElems > math.MaxInt32 {
		r.maxElems = math.MaxInt32
	}
	if r.maxMem <= 0 {
		r.maxMem = DefaultMaxReplyMemory
	}
	return r
}

// Offset returns the number of bytes consumed from the stream so far.
func (r *Reader) Offset() int64 { return r.off }

// Buffered returns the number of bytes read from the stream but not yet
// consumed: when it is not zero, more replies (or part of one) are waiting.
func (r *Reader) Buffered() int { return r.br.Buffered() }

// ReadValue reads exactly one frame and leaves what follows it buffered.
// Attributes attach to the value that follows them (Value.Attrs).
//
// io.EOF is returned only when the stream ends cleanly before a frame; an
// end in the middle of a frame is io.ErrUnexpectedEOF. Malformed input is a
// *ProtocolError. Errors of the underlying reader are returned as they are.
// A server error reply is not an error here: it is a Value of Kind
// ErrorReply or BlobError.
func (r *Reader) ReadValue() (Value, error) {
	c, err := r.br.ReadByte()
	if err != nil {
		return Value{}, err // io.EOF at a frame boundary passes through
	}
	r.off++
	r.used, r.slack = 0, 0
	v, err := r.readValue(c, 0)
	if err != nil {
		return Value{}, err
	}
	return v, nil
}

// readType reads the type byte of a frame nested in another.
func (r *Reader) readType() (byte, error) {
	c, err := r.br.ReadByte()
	if err != nil {
		return 0, unexpected(err)
	}
	r.off++
	return c, nil
}

// unexpected turns io.EOF inside a frame into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (r *Reader) protoErr(off int64, msg string) error {
	return &ProtocolError{Offset: off, Msg: msg}
}

// readValue reads the rest of a frame whose type byte c has been consumed, at
// nesting depth depth.
func (r *Reader) readValue(c byte, depth int) (Value, error) {
	start := r.off - 1
	var attrs []Value
	for c == byte(Attribute) {
		// Attributes decorate the value that follows: read them, then
		// that value, at the same depth.
		kv, err := r.readAggregate(start, depth, true, false)
		if err != nil {
			return Value{}, err
		}
		if len(attrs)+len(kv) > r.maxElems {
			return Value{}, r.protoErr(start, "too many attributes")
		}
		attrs = append(attrs, kv...)
		if c, err = r.readType(); err != nil {
			return Value{}, err
		}
		start = r.off - 1
	}
	v, err := r.readPlain(c, start, depth)
	if err != nil {
		return Value{}, err
	}
	if len(attrs) > 0 {
		if err := r.charge(start, 32); err != nil { // the boxed slice header
			return Value{}, err
		}
		box := attrs
		v.attrs = &box
	}
	return v, nil
}

// readPlain reads a frame other than an attribute.
func (r *Reader) readPlain(c byte, start int64, depth int) (Value, error) {
	switch k := Kind(c); k {
	case SimpleString, ErrorReply:
		line, err := r.readLine(start)
		if err != nil {
			return Value{}, err
		}
		str, ok := internLine(line)
		if !ok {
			if err := r.charge(start, int64(len(line))); err != nil {
				return Value{}, err
			}
			str = string(line)
		}
		return Value{Kind: k, Str: str}, nil
	case Integer:
		line, err := r.readLine(start)
		if err != nil {
			return Value{}, err
		}
		n, ok := parseInt(line)
		if !ok {
			return Value{}, r.protoErr(start, "invalid integer "+quoteShort(line))
		}
		return Value{Kind: Integer, Int: n}, nil
	case Null:
		line, err := r.readLine(start)
		if err != nil {
			return Value{}, err
		}
		if len(line) != 0 {
			return Value{}, r.protoErr(start, "invalid null "+quoteShort(line))
		}
		return Value{Kind: Null}, nil
	case Double:
		line, err := r.readLine(start)
		if err != nil {
			return Value{}, err
		}
		f, ok := parseFloat(line)
		if !ok {
			return Value{}, r.protoErr(start, "invalid double "+quoteShort(line))
		}
		return Value{Kind: Double, Int: int64(math.Float64bits(f))}, nil
	case Boolean:
		line, err := r.readLine(start)
		if err != nil {
			return Value{}, err
		}
		switch string(line) {
		case "t":
			return Value{Kind: Boolean, Int: 1}, nil
		case "f":
			return Value{Kind: Boolean}, nil
		}
		return Value{}, r.protoErr(start, "invalid boolean "+quoteShort(line))
	case BigNumber:
		line, err := r.readLine(start)
		if err != nil {
			return Value{}, err
		}
		if !validBigNumber(line) {
			return Value{}, r.protoErr(start, "invalid big number "+quoteShort(line))
		}
		if err := r.charge(start, int64(len(line))); err != nil {
			return Value{}, err
		}
		return Value{Kind: BigNumber, Str: string(line)}, nil
	case BulkString, BlobError, Verbatim:
		n, err := r.readLength(start, k == BulkString)
		if err != nil {
			return Value{}, err
		}
		if n < 0 {
			return Value{Kind: Null}, nil
		}
		if n > r.maxBulk {
			return Value{}, r.protoErr(start, "bulk length "+strconv.Itoa(n)+" over the limit of "+strconv.Itoa(r.maxBulk))
		}
		if err := r.charge(start, int64(n)); err != nil {
			return Value{}, err
		}
		s, err := r.readBulk(n)
		if err != nil {
			return Value{}, err
		}
		if k == Verbatim {
			if len(s) < 4 || s[3] != ':' {
				return Value{}, r.protoErr(start, "verbatim string without a format")
			}
			return Value{Kind: Verbatim, Int: packFormat(s[:3]), Str: s[4:]}, nil
		}
		return Value{Kind: k, Str: s}, nil
	case Array, Map, Set, Push:
		elems, err := r.readAggregate(start, depth, k == Map, k == Array)
		if err != nil {
			if errors.Is(err, errNullAggregate) {
				return Value{Kind: Null}, nil
			}
			return Value{}, err
		}
		return Value{Kind: k, Elems: elems}, nil
	}
	return Value{}, r.protoErr(start, "unknown type byte "+strconv.QuoteRune(rune(c)))
}

// errNullAggregate reports a RESP2 null array ("*-1"), which reads as Null.
var errNullAggregate = errors.New("null aggregate")

// readAggregate reads the count line and the elements of an aggregate whose
// type byte at start has been consumed. pairs doubles the count (maps and
// attributes); nullOK accepts the RESP2 null array.
func (r *Reader) readAggregate(start int64, depth int, pairs, nullOK bool) ([]Value, error) {
	n, err := r.readLength(start, nullOK)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, errNullAggregate
	}
	if depth+1 > r.maxDepth {
		return nil, r.protoErr(start, "aggregates nested deeper than "+strconv.Itoa(r.maxDepth))
	}
	if n > r.maxElems || (pairs && n > r.maxElems/2) {
		return nil, r.protoErr(start, "aggregate of "+strconv.Itoa(n)+" elements over the limit of "+strconv.Itoa(r.maxElems))
	}
	if pairs {
		n *= 2
	}
	if n == 0 {
		return nil, nil
	}
	var elems []Value
	for range n {
		if len(elems) == cap(elems) {
			if elems, err = r.grow(start, elems, n); err != nil {
				return nil, err
			}
		}
		c, err := r.readType()
		if err != nil {
			return nil, err
		}
		v, err := r.readValue(c, depth+1)
		if err != nil {
			return nil, err
		}
		elems = append(elems, v)
		r.slack--
	}
	return elems, nil
}

// grow returns elems, full, with room for more of the n elements its
// aggregate announced, never beyond n: at least as many as it holds
// already, and more when the bytes buffered and not yet spoken for by
// other open aggregates can hold them (minFrame bytes each). Memory
// follows the data that arrived, not the header: an aggregate that
// arrived whole is allocated once, exactly, and a lying header costs one
// slot per element that did arrive.
func (r *Reader) grow(start int64, elems []Value, n int) ([]Value, error) {
	c := max(2*len(elems), len(elems)+r.br.Buffered()/minFrame-r.slack, 1)
	c = min(c, n)
	if err := r.charge(start, int64(c-cap(elems))*valueSize); err != nil {
		return nil, err
	}
	r.slack += c - len(elems)
	grown := make([]Value, len(elems), c)
	copy(grown, elems)
	return grown, nil
}

// charge adds n bytes to the memory of the reply being read and fails
// once it is over MaxReplyMemory.
func (r *Reader) charge(start, n int64) error {
	r.used += n
	if r.used > r.maxMem {
		return r.protoErr(start, "reply needs more than MaxReplyMemory ("+strconv.FormatInt(r.maxMem, 10)+" bytes) of memory")
	}
	return nil
}

// readLength reads the length line of a bulk string or an aggregate. It
// returns -1 for a null ("$-1", "*-1"), accepted only when nullOK.
func (r *Reader) readLength(start int64, nullOK bool) (int, error) {
	line, err := r.readLine(start)
	if err != nil {
		return 0, err
	}
	if len(line) == 1 && line[0] == '?' {
		return 0, r.protoErr(start, "streamed strings and aggregates are not supported")
	}
	n, ok := parseInt(line)
	if !ok || (len(line) > 0 && line[0] == '+') {
		return 0, r.protoErr(start, "invalid length "+quoteShort(line))
	}
	if n == -1 && nullOK {
		return -1, nil
	}
	if n < 0 {
		return 0, r.protoErr(start, "negative length "+quoteShort(line))
	}
	if n > math.MaxInt32*2 {
		return 0, r.protoErr(start, "length "+quoteShort(line)+" out of range")
	}
	return int(n), nil
}

// readLine returns the rest of a line without its CRLF. The slice is valid
// until the next read. A line must end with CRLF, hold no other CR, and be
// at most MaxLine bytes long.
func (r *Reader) readLine(start int64) ([]byte, error) {
	buf, _ := r.br.Peek(r.br.Buffered())
	i := bytes.IndexByte(buf, '\n')
	if i < 0 || i > r.maxLine+1 {
		return r.readLineSlow(start)
	}
	line := buf[:i+1]
	_, _ = r.br.Discard(i + 1)
	r.off += int64(i + 1)
	return r.checkLine(line)
}

// readLineSlow reads a line that has not arrived whole, or is too long.
// It fails as soon as the bytes that arrived without a LF exceed the
// limit, without waiting for more.
func (r *Reader) readLineSlow(start int64) ([]byte, error) {
	limit := r.maxLine + 1 // the line and its CR, before the LF
	r.scratch = r.scratch[:0]
	for {
		n := r.br.Buffered()
		buf, _ := r.br.Peek(n)
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			if len(r.scratch)+i > limit {
				return nil, r.lineTooLong(start)
			}
			line := buf[:i+1]
			if len(r.scratch) > 0 {
				r.scratch = append(r.scratch, line...)
				line = r.scratch
			}
			_, _ = r.br.Discard(i + 1)
			r.off += int64(i + 1)
			if cap(r.scratch) > maxScratch {
				r.scratch = nil // line stays valid: only the Reader lets go of it
			}
			return r.checkLine(line)
		}
		// limit bytes without a LF are a line too long unless the last is
		// its CR.
		if got := len(r.scratch) + n; got > limit || (got == limit && r.lastByte(buf) != '\r') {
			return nil, r.lineTooLong(start)
		}
		if n == r.br.Size() {
			// The buffer is full and holds no LF: keep its bytes aside.
			r.scratch = append(r.scratch, buf...)
			_, _ = r.br.Discard(n)
			r.off += int64(n)
			n = 0
		}
		// Wait for at least one more byte.
		if _, err := r.br.Peek(n + 1); err != nil {
			r.scratch = r.scratch[:0]
			return nil, unexpected(err)
		}
	}
}

// lastByte returns the last byte of a line read so far: of buf, else of
// the scratch buffer.
func (r *Reader) lastByte(buf []byte) byte {
	switch {
	case len(buf) > 0:
		return buf[len(buf)-1]
	case len(r.scratch) > 0:
		return r.scratch[len(r.scratch)-1]
	}
	return 0
}

func (r *Reader) lineTooLong(start int64) error {
	r.scratch = nil
	return r.protoErr(start, "line longer than "+strconv.Itoa(r.maxLine)+" bytes")
}

// checkLine strips the CRLF of a line read up to its LF.
func (r *Reader) checkLine(line []byte) ([]byte, error) {
	n := len(line)
	if n < 2 || line[n-2] != '\r' {
		return nil, r.protoErr(r.off-1, "line not terminated by CRLF")
	}
	line = line[:n-2]
	if i := slices.Index(line, '\r'); i >= 0 {
		return nil, r.protoErr(r.off-int64(n)+int64(i), "CR inside a line")
	}
	return line, nil
}

// readBulk reads n bytes of payload and their CRLF.
func (r *Reader) readBulk(n int) (string, error) {
	if n+2 <= r.br.Size() {
		p, err := r.br.Peek(n + 2)
		if err != nil {
			return "", unexpected(err)
		}
		if p[n] != '\r' || p[n+1] != '\n' {
			return "", r.protoErr(r.off+int64(n), "bulk string not terminated by CRLF")
		}
		var s string
		if n > 0 {
			s = string(p[:n])
		}
		_, _ = r.br.Discard(n + 2)
		r.off += int64(n + 2)
		return s, nil
	}
	// Too large for the buffer: read in steps that double, so that memory
	// grows with the data that actually arrives, not with the announced
	// length, and the last step is exactly n.
	buf := make([]byte, 0, min(n, bulkChunk))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(n, 2*cap(buf)))
			copy(grown, buf)
			buf = grown
		}
		m, err := io.ReadFull(r.br, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		r.off += int64(m)
		if err != nil {
			return "", unexpected(err)
		}
	}
	end := r.off
	var crlf [2]byte
	m, err := io.ReadFull(r.br, crlf[:])
	r.off += int64(m)
	if err != nil {
		return "", unexpected(err)
	}
	if crlf != [2]byte{'\r', '\n'} {
		return "", r.protoErr(end, "bulk string not terminated by CRLF")
	}
	return unsafe.String(unsafe.SliceData(buf), len(buf)), nil
}

// internLine returns the common replies as constant strings, without
// allocating; ok is false for any other line.
func internLine(line []byte) (s string, ok bool) {
	switch string(line) {
	case "OK":
		return "OK", true
	case "QUEUED":
		return "QUEUED", true
	case "PONG":
		return "PONG", true
	case "":
		return "", true
	}
	return "", false
}

// validBigNumber reports whether b is an optionally signed run of digits.
func validBigNumber(b []byte) bool {
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// quoteShort quotes b for an error message, cut to 32 bytes.
func quoteShort(b []byte) string {
	if len(b) > 32 {
		return strconv.Quote(string(b[:32])) + "..."
	}
	return strconv.Quote(string(b))
}
