package shard

import (
	"errors"
	"strconv"
	"strings"
)

// ErrNotSharded matches a command a Ring cannot route: one without keys
// (KEYS, FLUSHDB, PING), one whose keys live on different shards and that
// cannot be split (SUNION, RENAME, MSETNX), transactions and exclusive
// leases (MULTI, WATCH), and batches spanning shards. txredisapi raised
// NotImplementedError("Method '...' cannot be sharded") for these. Test
// with errors.Is; errors.As with *NotShardedError tells the command.
var ErrNotSharded = errors.New("txredis/shard: command cannot be sharded")

// ErrBadAddrs matches an address list a sharded constructor rejects: an
// empty list, an entry that is neither "host:port" nor a unix socket path,
// or two entries naming the same node. txredisapi raised ValueError("Please
// use a list or tuple of host:port for sharded connections").
var ErrBadAddrs = errors.New("txredis/shard: please use a list of host:port or unix socket paths for sharded connections")

// NotShardedError is the error of a command a Ring cannot route.
// errors.Is(err, ErrNotSharded) is true for it.
type NotShardedError struct {
	Command string // the command name ("SUNION")
	Reason  string // why: "no key", "keys on 2 shards", ...
}

// Error returns "txredis/shard: command cannot be sharded: SUNION: keys on 2 shards".
func (e *NotShardedError) Error() string {
	return ErrNotSharded.Error() + ": " + e.Command + ": " + e.Reason
}

// Is reports ErrNotSharded.
func (e *NotShardedError) Is(target error) bool { return target == ErrNotSharded }

// ShardError is the error of a command split across shards (MGET, DEL,
// EXISTS, UNLINK, TOUCH, MSET) when one shard's part failed: it names the
// command and the node. Unwrap gives the cause, so errors.Is(err,
// conn.ErrConnection) and errors.As(err, **proto.Error) see through it.
// When several shards fail, the errors are joined (errors.Join) in node
// order.
type ShardError struct {
	Command string // the command that was split ("MGET")
	Node    string // the node whose part failed ("127.0.0.1:6380")
	Err     error  // the cause: a *conn.ConnectionError or a *proto.Error
}

// Error returns "txredis/shard: MGET on 127.0.0.1:6380: <cause>".
func (e *ShardError) Error() string {
	return "txredis/shard: " + e.Command + " on " + e.Node + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *ShardError) Unwrap() error { return e.Err }

func badAddrs(format string, args ...string) error {
	var b strings.Builder
	b.WriteString(format)
	for _, a := range args {
		b.WriteString(" ")
		b.WriteString(strconv.Quote(a))
	}
	return &addrsError{msg: b.String()}
}

// addrsError is an ErrBadAddrs with the detail of what is wrong, and the
// cause (a URL's *conn.URLError) when there is one.
type addrsError struct {
	msg string
	err error
}

func (e *addrsError) Error() string {
	if e.err != nil {
		return ErrBadAddrs.Error() + ": " + e.msg + ": " + e.err.Error()
	}
	return ErrBadAddrs.Error() + ": " + e.msg
}

func (e *addrsError) Is(target error) bool {
	return target == ErrBadAddrs
}

// Unwrap returns the cause, if any.
func (e *addrsError) Unwrap() error { return e.err }
