package conn

import (
	"errors"
	"net"
	"strings"
)

// ErrConnection matches every connection problem: errors.Is(err,
// conn.ErrConnection) is true for each *ConnectionError.
var ErrConnection = errors.New("txredis/conn: connection error")

// ErrTimeout matches a reply or connect timeout; such errors are
// connection errors too.
var ErrTimeout = errors.New("txredis/conn: timeout")

// ErrClosed matches commands sent after Disconnect.
var ErrClosed = errors.New("txredis/conn: connection closed")

// ErrNotConnected matches commands sent while the connection is down.
var ErrNotConnected = errors.New("txredis/conn: not connected")

// ConnectionError reports a failed, lost or unavailable connection, as
// txredisapi's ConnectionError. Test for it with errors.Is(err,
// ErrConnection) or errors.As.
type ConnectionError struct {
	Addr string // the server address
	Op   string // what failed: "dial", "handshake", "lost connection", "not connected", "closed", "reply timeout"
	Step string // for handshake errors: the command that failed (HELLO, AUTH, SELECT, CLIENT SETNAME)
	Err  error  // the cause
}

// Error reads "txredis/conn: <addr>: <op>: <cause>", each part once: a
// cause that is itself a connection error of the same address reads as
// the next step of the chain ("not connected: dial: connection
// refused"), and the address a net.OpError repeats is left out.
func (e *ConnectionError) Error() string {
	var b strings.Builder
	b.WriteString("txredis/conn: ")
	if e.Addr != "" {
		b.WriteString(e.Addr)
		b.WriteString(": ")
	}
	e.writeChain(&b, e.Addr)
	return b.String()
}

func (e *ConnectionError) writeChain(b *strings.Builder, addr string) {
	b.WriteString(e.Op)
	if e.Step != "" {
		b.WriteString(" (")
		b.WriteString(e.Step)
		b.WriteString(")")
	}
	switch cause := e.Err; {
	case cause == nil,
		cause == ErrClosed && e.Op == "closed",
		cause == ErrNotConnected && e.Op == "not connected":
		// The op says it all.
	default:
		b.WriteString(": ")
		var inner *ConnectionError
		if ce, ok := cause.(*ConnectionError); ok && (ce.Addr == addr || ce.Addr == "") {
			inner = ce
		}
		if inner != nil {
			inner.writeChain(b, addr)
			return
		}
		b.WriteString(causeText(cause))
	}
}

// causeText is err's message without what the chain already says: the
// package prefix of this package's sentinels, and the operation and
// address of a net.OpError (its cause is what matters).
func causeText(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil && err == error(oe) {
		return oe.Err.Error()
	}
	return strings.TrimPrefix(err.Error(), "txredis/conn: ")
}

// Unwrap returns the cause.
func (e *ConnectionError) Unwrap() error { return e.Err }

// Is reports ErrConnection for every ConnectionError.
func (e *ConnectionError) Is(target error) bool { return target == ErrConnection }

// timeoutError is the cause of a timed-out dial or reply: it matches
// ErrTimeout, and unwraps to what the socket or context reported.
type timeoutError struct {
	msg   string // "timed out after 5s", "no reply within 10s"
	cause error
}

func (e *timeoutError) Error() string { return e.msg }

// Is reports ErrTimeout.
func (e *timeoutError) Is(target error) bool { return target == ErrTimeout }

// Unwrap returns what the socket or context reported.
func (e *timeoutError) Unwrap() error { return e.cause }
