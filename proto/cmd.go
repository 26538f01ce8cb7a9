package proto

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Cmd is one command being built: its arguments are encoded as bulk strings
// as they are added, and the boundaries of each argument and which ones are
// keys are kept, so that routers (shards, cluster) can find the keys and
// re-encode subsets.
//
// Cmds come from a pool: NewCmd takes one, Release gives it back. A Cmd is
// not safe for concurrent use, and must not be used after Release.
type Cmd struct {
	ctx  context.Context // see SetContext
	name string
	// body holds the bulk-encoded arguments, the name first, without the
	// array header; the payload of a large argument is not in it (see
	// large).
	body []byte
	args []span // payload of each argument within body, or in large
	keys []int  // indexes of the key arguments, in order
	// large holds the payloads of the arguments of LargeArg bytes or more,
	// in order: a string's own bytes (never written to), or the one copy
	// of a []byte argument. Their "$n\r\n" header and CRLF are in body.
	large    [][]byte
	block    time.Duration
	blocking bool
	released bool
}

// span is the payload of one argument: body[start:end], or, when start
// is negative, large[-start-1], which belongs at body offset end.
type span struct{ start, end int }

// LargeArg is the size from which an argument is not copied into the
// command's buffer: a string argument is written to the socket from the
// caller's own memory, and a []byte argument is copied once (the caller
// may reuse its slice as soon as the method returns). Smaller arguments
// are cheaper to copy than to write as a separate piece.
const LargeArg = 8 << 10

// maxPooledBody is the largest body a released Cmd keeps; larger ones are
// left to the garbage collector rather than pooled.
const maxPooledBody = 64 << 10

var cmdPool = sync.Pool{New: func() any { return new(Cmd) }}

// NewCmd returns an empty Cmd, from a pool, whose first argument is the
// command name. The name is upper-cased ("get" becomes "GET"); a name that
// is upper-case already is kept without allocating.
func NewCmd(name string) *Cmd {
	c := cmdPool.Get().(*Cmd)
	c.released = false
	c.name = upper(name)
	c.add(c.name)
	return c
}

// upper returns s upper-cased, s itself when it has no lower-case ASCII.
func upper(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

// Release returns c to the pool. c must not be used afterwards. Releasing a
// Cmd twice panics.
func (c *Cmd) Release() {
	if c.released {
		panic("txredis/proto: Cmd released twice")
	}
	c.released = true
	if cap(c.body) > maxPooledBody {
		return
	}
	c.ctx = nil
	c.name = ""
	clear(c.large)
	c.large = c.large[:0]
	c.body = c.body[:0]
	c.args = c.args[:0]
	c.keys = c.keys[:0]
	c.block, c.blocking = 0, false
	cmdPool.Put(c)
}

func (c *Cmd) add(s string) {
	if len(s) >= LargeArg {
		c.addLarge(unsafe.Slice(unsafe.StringData(s), len(s)))
		return
	}
	c.body = appendHeader(c.body, '$', int64(len(s)))
	start := len(c.body)
	c.body = append(c.body, s...)
	c.args = append(c.args, span{start, len(c.body)})
	c.body = append(c.body, '\r', '\n')
}

func (c *Cmd) addBytes(b []byte) {
	if len(b) >= LargeArg {
		c.addLarge(slices.Clone(b))
		return
	}
	c.body = appendHeader(c.body, '$', int64(len(b)))
	start := len(c.body)
	c.body = append(c.body, b...)
	c.args = append(c.args, span{start, len(c.body)})
	c.body = append(c.body, '\r', '\n')
}

// addLarge adds an argument whose payload p stays outside body. p must
// not change while c is in use.
func (c *Cmd) addLarge(p []byte) {
	c.body = appendHeader(c.body, '$', int64(len(p)))
	c.large = append(c.large, p)
	c.args = append(c.args, span{-len(c.large), len(c.body)})
	c.body = append(c.body, '\r', '\n')
}

// Arg adds the argument s and returns c.
func (c *Cmd) Arg(s string) *Cmd {
	c.add(s)
	return c
}

// Key adds the key argument s and returns c: like Arg, and recorded as a key
// for routing.
func (c *Cmd) Key(s string) *Cmd {
	c.keys = append(c.keys, len(c.args))
	c.add(s)
	return c
}

// Bytes adds the argument b and returns c.
func (c *Cmd) Bytes(b []byte) *Cmd {
	c.addBytes(b)
	return c
}

// KeyBytes adds the key argument b and returns c.
func (c *Cmd) KeyBytes(b []byte) *Cmd {
	c.keys = append(c.keys, len(c.args))
	c.addBytes(b)
	return c
}

// Int adds the decimal form of n and returns c.
func (c *Cmd) Int(n int64) *Cmd {
	var buf [24]byte
	c.addBytes(strconv.AppendInt(buf[:0], n, 10))
	return c
}

// Uint adds the decimal form of n and returns c.
func (c *Cmd) Uint(n uint64) *Cmd {
	var buf [24]byte
	c.addBytes(strconv.AppendUint(buf[:0], n, 10))
	return c
}

// Float adds f in the form of AppendBulkFloat ("1.5", "+inf", "-inf") and
// returns c.
func (c *Cmd) Float(f float64) *Cmd {
	var buf [32]byte
	if math.IsInf(f, 1) {
		c.addBytes(append(buf[:0], "+inf"...))
		return c
	}
	c.addBytes(appendFloatText(buf[:0], f))
	return c
}

// Any adds a, which is a string, []byte, an integer of any size, a float32
// or float64, or a bool (sent as 1 or 0). Any other type, and nil, is an
// error and leaves c unchanged.
func (c *Cmd) Any(a any) error {
	switch a := a.(type) {
	case string:
		c.add(a)
	case []byte:
		c.addBytes(a)
	case int:
		c.Int(int64(a))
	case int8:
		c.Int(int64(a))
	case int16:
		c.Int(int64(a))
	case int32:
		c.Int(int64(a))
	case int64:
		c.Int(a)
	case uint:
		c.Uint(uint64(a))
	case uint8:
		c.Uint(uint64(a))
	case uint16:
		c.Uint(uint64(a))
	case uint32:
		c.Uint(uint64(a))
	case uint64:
		c.Uint(a)
	case float32:
		c.Float(float64(a))
	case float64:
		c.Float(a)
	case bool:
		if a {
			c.add("1")
		} else {
			c.add("0")
		}
	case nil:
		return fmt.Errorf("txredis/proto: nil argument to %s", c.name)
	default:
		return fmt.Errorf("txredis/proto: unsupported argument type %T", a)
	}
	return nil
}

// Name returns the upper-case command name ("GET").
func (c *Cmd) Name() string { return c.name }

// Len returns the number of arguments, the name included.
func (c *Cmd) Len() int { return len(c.args) }

// ArgBytes returns the payload of argument i (0 is the name). The slice
// aliases c's buffer: it is valid until c changes or is released.
func (c *Cmd) ArgBytes(i int) []byte {
	s := c.args[i]
	if s.start < 0 {
		p := c.large[-s.start-1]
		return p[:len(p):len(p)]
	}
	return c.body[s.start:s.end:s.end]
}

// KeyIndexes returns the index of each key argument, in order. It allocates
// a new slice.
func (c *Cmd) KeyIndexes() []int {
	return append([]int(nil), c.keys...)
}

// MarkKey records argument i as a key of c, as Key does while building;
// out-of-range indexes (and the name, 0) are ignored, and keys stay in
// argument order.
func (c *Cmd) MarkKey(i int) {
	if i <= 0 || i >= len(c.args) {
		return
	}
	at := len(c.keys)
	for j, k := range c.keys {
		if k == i {
			return
		}
		if k > i {
			at = j
			break
		}
	}
	c.keys = slices.Insert(c.keys, at, i)
}

// Keys returns the index of each key argument, in order, without
// allocating: the slice aliases c and must not be modified; it is valid
// until c changes or is released. Routers use it on the hot path.
func (c *Cmd) Keys() []int { return c.keys }

// FirstKey returns the payload of the first key argument, aliasing c's
// buffer as ArgBytes does, and false when c has no key.
func (c *Cmd) FirstKey() ([]byte, bool) {
	if len(c.keys) == 0 {
		return nil, false
	}
	return c.ArgBytes(c.keys[0]), true
}

// SetBlocking marks c as a command that blocks the connection on the server
// (BLPOP, XREAD BLOCK...) for up to timeout; 0 means it may block forever.
func (c *Cmd) SetBlocking(timeout time.Duration) {
	c.block, c.blocking = timeout, true
}

// Blocking returns the timeout given to SetBlocking, and whether it was
// called.
func (c *Cmd) Blocking() (timeout time.Duration, ok bool) {
	return c.block, c.blocking
}

// AppendTo appends the command as it goes on the wire: an array header and
// the bulk-encoded arguments.
func (c *Cmd) AppendTo(dst []byte) []byte { return c.Encode(dst, copyLarge{}) }

// copyLarge appends large arguments like the others.
type copyLarge struct{}

func (copyLarge) Large(dst, large []byte) []byte { return append(dst, large...) }

// LargeWriter receives the pieces of a command from Encode.
type LargeWriter interface {
	// Large is given the buffer Encode has appended to so far and large,
	// an argument of at least LargeArg bytes that goes on the wire right
	// after it, as it is. It returns the buffer Encode appends the rest of
	// the command to.
	Large(dst, large []byte) []byte
}

// Encode appends the command to dst as AppendTo does, except for its
// large arguments (LargeArg bytes or more): for each, in order, it calls
// w.Large with the buffer so far and the argument, which is not copied,
// and carries on appending to the buffer w returns. A writer keeps each
// large argument until it is written; the command may be released at
// once. With no large argument, Encode is AppendTo and w is not called.
func (c *Cmd) Encode(dst []byte, w LargeWriter) []byte {
	dst = AppendArrayHeader(dst, len(c.args))
	if len(c.large) == 0 {
		return append(dst, c.body...)
	}
	at := 0
	for _, s := range c.args {
		if s.start < 0 {
			dst = append(dst, c.body[at:s.end]...)
			dst = w.Large(dst, c.large[-s.start-1])
			at = s.end
		}
	}
	return append(dst, c.body[at:]...)
}

// Clone returns a copy of c, from the pool, that shares nothing with it
// but the payloads of large arguments, which never change.
func (c *Cmd) Clone() *Cmd {
	d := cmdPool.Get().(*Cmd)
	d.released = false
	d.ctx = c.ctx
	d.name = c.name
	d.body = append(d.body[:0], c.body...)
	d.args = append(d.args[:0], c.args...)
	d.large = append(d.large[:0], c.large...)
	d.keys = append(d.keys[:0], c.keys...)
	d.block, d.blocking = c.block, c.blocking
	return d
}

// Limits of Cmd.String.
const (
	stringMaxArgs = 16
	stringMaxArg  = 64
)

// String returns the command in a readable form for errors and logs, such as
// `SET "foo" "bar"`. Long arguments and long commands are shortened.
// Secrets never appear: the arguments of AUTH, the credentials after AUTH in
// HELLO and MIGRATE, the password rules of ACL SETUSER and the values of
// CONFIG SET requirepass/masterauth are shown as (masked).
func (c *Cmd) String() string {
	var b strings.Builder
	b.WriteString(c.name)
	secret := c.secretArgs()
	for i := 1; i < len(c.args); i++ {
		if i > stringMaxArgs {
			b.WriteString(" ...(")
			b.WriteString(strconv.Itoa(len(c.args) - 1))
			b.WriteString(" arguments)")
			break
		}
		b.WriteByte(' ')
		if secret(i) {
			b.WriteString("(masked)")
			continue
		}
		a := c.ArgBytes(i)
		if len(a) > stringMaxArg {
			b.WriteString(strconv.Quote(string(a[:stringMaxArg])))
			b.WriteString("...(")
			b.WriteString(strconv.Itoa(len(a)))
			b.WriteString(" bytes)")
			continue
		}
		b.WriteString(strconv.Quote(string(a)))
	}
	return b.String()
}

// secretArgs returns a test of which arguments String must mask.
func (c *Cmd) secretArgs() func(i int) bool {
	argIs := func(i int, s string) bool {
		return i < len(c.args) && strings.EqualFold(string(c.ArgBytes(i)), s)
	}
	// after masks the n arguments that follow the token tok.
	after := func(tok string, n int) func(int) bool {
		return func(i int) bool {
			for j := i - 1; j >= i-n && j >= 1; j-- {
				if argIs(j, tok) {
					return true
				}
			}
			return false
		}
	}
	switch c.name {
	case "AUTH":
		return func(int) bool { return true }
	case "HELLO":
		return after("AUTH", 2)
	case "MIGRATE":
		auth, auth2 := after("AUTH", 1), after("AUTH2", 2)
		return func(i int) bool { return auth(i) || auth2(i) }
	case "CONFIG":
		if !argIs(1, "SET") {
			break
		}
		return func(i int) bool {
			if i < 3 || i%2 == 0 {
				return false
			}
			p := strings.ToLower(string(c.ArgBytes(i - 1)))
			return strings.Contains(p, "pass") || strings.Contains(p, "auth") || strings.Contains(p, "masteruser")
		}
	case "ACL":
		if !argIs(1, "SETUSER") {
			break
		}
		return func(i int) bool {
			a := c.ArgBytes(i)
			return i >= 3 && len(a) > 0 && (a[0] == '>' || a[0] == '<' || a[0] == '#' || a[0] == '!')
		}
	}
	return func(int) bool { return false }
}
