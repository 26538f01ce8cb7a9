package proto

import (
	"errors"
	"strconv"
	"strings"
)

// Error is an error reply sent by the server, such as
// "ERR wrong number of arguments", "WRONGTYPE Operation against a key holding
// the wrong kind of value" or "NOSCRIPT No matching script".
//
// Test for a kind of server error with errors.Is and the sentinels of this
// package (errors.Is(err, proto.ErrWrongType)); get at the text with
// errors.As(err, &perr) where perr is a *Error.
type Error struct {
	// Prefix is the first word of the reply, e.g. "WRONGTYPE" or "ERR".
	Prefix string
	// Msg is the full text the server sent, prefix included.
	Msg string
}

// NewError returns the *Error for the server error text msg, with Prefix set
// to its first word.
func NewError(msg string) *Error {
	return &Error{Prefix: errorPrefix(msg), Msg: msg}
}

// errorPrefix returns the first space-separated word of msg.
func errorPrefix(msg string) string {
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		return msg[:i]
	}
	return msg
}

// Error returns the full text the server sent.
func (e *Error) Error() string { return e.Msg }

// Is reports whether target is the sentinel of this package (ErrWrongType,
// ErrNoScript, ErrMoved, ...) that matches the error's Prefix.
func (e *Error) Is(target error) bool {
	p, ok := target.(*prefixError)
	return ok && p.prefix == e.Prefix
}

// prefixError is the type of the server-error sentinels: a *Error matches one
// when their prefixes are equal.
type prefixError struct{ prefix string }

func (p *prefixError) Error() string { return "txredis/proto: " + p.prefix + " error reply" }

// Sentinels that a server *Error matches, with errors.Is, when its first word
// is the one named.
var (
	// ErrNoScript matches NOSCRIPT replies: EVALSHA of an unknown script
	// (txredisapi's ScriptDoesNotExist).
	ErrNoScript error = &prefixError{"NOSCRIPT"}
	// ErrNotBusy matches NOTBUSY replies: SCRIPT KILL with no script running
	// (txredisapi's NoScriptRunning).
	ErrNotBusy error = &prefixError{"NOTBUSY"}
	// ErrWrongType matches WRONGTYPE replies.
	ErrWrongType error = &prefixError{"WRONGTYPE"}
	// ErrMoved matches MOVED redirections (see ParseRedirect).
	ErrMoved error = &prefixError{"MOVED"}
	// ErrAsk matches ASK redirections (see ParseRedirect).
	ErrAsk error = &prefixError{"ASK"}
	// ErrTryAgain matches TRYAGAIN replies (cluster slot being migrated).
	ErrTryAgain error = &prefixError{"TRYAGAIN"}
	// ErrClusterDown matches CLUSTERDOWN replies.
	ErrClusterDown error = &prefixError{"CLUSTERDOWN"}
	// ErrLoading matches LOADING replies (dataset being loaded in memory).
	ErrLoading error = &prefixError{"LOADING"}
	// ErrReadOnly matches READONLY replies (write sent to a replica).
	ErrReadOnly error = &prefixError{"READONLY"}
	// ErrExecAbort matches EXECABORT replies (transaction discarded).
	ErrExecAbort error = &prefixError{"EXECABORT"}
	// ErrBusy matches BUSY replies (a script is running).
	ErrBusy error = &prefixError{"BUSY"}
)

// ErrNil is the error of a null reply to a command that returns a single
// value (GET of a missing key). Test for it with errors.Is.
var ErrNil = errors.New("txredis/proto: nil reply")

// ErrProtocol is the sentinel that every *ProtocolError matches with
// errors.Is.
var ErrProtocol = errors.New("txredis/proto: protocol error")

// ProtocolError reports malformed input: the stream cannot be trusted past it
// and the connection that carries it must be closed.
type ProtocolError struct {
	// Offset is the position in the stream (bytes since the Reader was
	// created) of the header of the faulty frame, or of the terminator that
	// was missing.
	Offset int64
	// Msg says what was wrong.
	Msg string
}

// Error returns the message with its offset.
func (e *ProtocolError) Error() string {
	return "txredis/proto: protocol error at offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Msg
}

// Unwrap returns ErrProtocol.
func (e *ProtocolError) Unwrap() error { return ErrProtocol }

// ParseRedirect extracts the target of a cluster redirection from a MOVED or
// ASK error reply ("MOVED 3999 127.0.0.1:6381"). ask is true for ASK. ok is
// false when err is not a well-formed redirection.
func ParseRedirect(err error) (slot int, addr string, ask bool, ok bool) {
	var e *Error
	if !errors.As(err, &e) {
		return 0, "", false, false
	}
	switch e.Prefix {
	case "MOVED":
	case "ASK":
		ask = true
	default:
		return 0, "", false, false
	}
	f := strings.Fields(e.Msg)
	if len(f) != 3 {
		return 0, "", false, false
	}
	n, cerr := strconv.Atoi(f[1])
	if cerr != nil || n < 0 || n > 16383 {
		return 0, "", false, false
	}
	return n, f[2], ask, true
}
