package conn

import (
	"errors"
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

func (e *ConnectionError) Error() string {
	var b strings.Builder
	b.WriteString("txredis/conn: ")
	b.WriteString(e.Op)
	if e.Step != "" {
		b.WriteString(" (")
		b.WriteString(e.Step)
		b.WriteString(")")
	}
	if e.Addr != "" {
		b.WriteString(" ")
		b.WriteString(e.Addr)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *ConnectionError) Unwrap() error { return e.Err }

// Is reports ErrConnection for every ConnectionError.
func (e *ConnectionError) Is(target error) bool { return target == ErrConnection }
