// Package proto implements RESP, the Redis serialization protocol, in its
// versions 2 and 3: values, a reader, a writer, a command encoder and the
// server-error type. It knows nothing of networking: the connection package
// puts it on a socket.
//
// # Values
//
// A Value is one RESP frame. Its Kind is the byte that starts the frame on
// the wire (SimpleString '+', BulkString '$', Map '%', ...), and the payload
// sits in the field for it: Str for texts, Int for integers and booleans,
// Elems for aggregates (a map as alternating keys and values); a double is
// read with Float, a verbatim string's format with VerbatimFormat, and
// attributes with Attrs. Every kind shares these fields, so that a Value
// is 64 bytes. A RESP2 null bulk string or null array reads as Kind Null, like
// RESP3's null, so callers test one thing: IsNull.
//
// Typed commands convert replies with the As methods (AsString, AsInt,
// AsFloat, AsBool, AsStrings, AsMap, AsValues). They share their errors: the
// server's *Error for an error reply, ErrNil for a null, and an error
// matching ErrConversion for a reply of the wrong kind.
//
// # Reading
//
// A Reader reads exactly one frame per ReadValue call from a bufio.Reader
// and leaves what follows buffered, so replies can be read one by one as
// their commands wait in order. Every RESP3 type is read; attributes attach
// to the value that follows them (Value.Attrs). Streamed strings and
// aggregates ("$?", "*?") are refused with a *ProtocolError: Redis does not
// send them.
//
// The Reader trusts nothing it reads. Lines must end with CRLF; bulk
// lengths, line lengths, aggregate sizes, nesting depth and the memory of
// one reply are limited by ReaderOptions; memory is allocated as data
// arrives, not as headers announce it. No input makes it panic.
//
// # Memory
//
// What one reply costs is bounded twice. Per byte on the wire: an element
// of an aggregate costs a 64-byte Value and takes at least 3 bytes ("_\r\n"),
// so the decoded form of a reply of N bytes holds at most 25*N bytes of
// heap (21.3*N, plus the allocator's rounding of block sizes), and reading
// it allocates at most 64*N bytes in all, counting the copies an aggregate
// of unknown final size leaves behind as it grows. Measured on replies of
// 256 KiB to 4 MiB (go test -v -run Memory ./proto): 16 bytes of heap per
// wire byte for a large array of integers or of nested arrays, 21.3 for
// an array of nulls, 13.5 for values that each carry an attribute, 1.0
// for long lines and large bulk strings; 42, 56, 31 and 1.8 bytes
// allocated per wire byte. In total:
// MaxReplyMemory (1 GiB by default) caps the decoded form of one reply
// over every level of nesting and every attribute, and MaxLine (64 KiB)
// keeps simple lines short, far below MaxBulk. The common replies "OK", "QUEUED" and "PONG" are read
// without allocating, and a bulk string costs one allocation: its string.
//
// # Writing
//
// The Append functions encode onto a byte slice, strconv-style, without
// allocating when the slice has room: AppendCommand and AppendBulk* for
// requests, AppendValue (RESP3) and AppendValueRESP2 for fake servers and
// tests.
//
// # Commands
//
// A Cmd is a command being built: NewCmd("SET").Key("k").Arg("v"). The
// arguments are encoded as they are added, so sending one is a copy
// (AppendTo). A Cmd records which arguments are keys (FirstKey, KeyIndexes)
// for routers, and whether the command blocks the connection (SetBlocking).
// Cmds are pooled: Release one when it has been written. Its String form,
// for errors and logs, never shows a password.
//
// # Errors
//
// An error reply from the server is a *Error: its Prefix is the first word
// ("WRONGTYPE"), its Msg the full text. errors.Is matches it against the
// sentinels ErrWrongType, ErrNoScript, ErrNotBusy, ErrMoved, ErrAsk and the
// others; ParseRedirect reads a MOVED or ASK redirection. A null reply to a
// single-value command is ErrNil. Malformed input is a *ProtocolError,
// carrying the offset in the stream where the problem lies, and matching
// ErrProtocol; after one, the stream is out of step and must be closed.
//
// # Concurrency
//
// Values are plain data. A Reader and a Cmd are used by one goroutine at a
// time; the Append functions and the sentinels are safe everywhere.
package proto
