package conn

import (
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// Limit is the LIMIT offset count of range commands (and SORT's Offset
// and Count follow the same rule). The zero Limit sends none. Either half
// may be given alone and means what it says: Count alone is the first
// Count, Offset alone (Count 0, or any Count < 0) is everything from
// Offset on. A negative Offset fails with ErrBadArgs.
type Limit struct {
	Offset, Count int64
}

// appendLimit appends LIMIT offset count to cmd as Limit's rule says.
func appendLimit(name string, cmd *proto.Cmd, offset, count int64) error {
	switch {
	case offset < 0:
		return plumb.BadArgs(name, "negative LIMIT offset %d", offset)
	case offset == 0 && count == 0:
		return nil
	case count <= 0:
		count = -1 // all from offset
	}
	cmd.Arg("LIMIT").Int(offset).Int(count)
	return nil
}

func rangeCmd(name, key, a, b string, withScores bool, l Limit) (*proto.Cmd, error) {
	cmd := proto.NewCmd(name).Key(key).Arg(a).Arg(b)
	if withScores {
		cmd.Arg("WITHSCORES")
	}
	if err := appendLimit(name, cmd, l.Offset, l.Count); err != nil {
		cmd.Release()
		return nil, err
	}
	return cmd, nil
}

// byRange sends a ZRANGEBYSCORE-family command.
func byRange[T any](c Commands, name, key, a, b string, withScores bool, l Limit, conv func(proto.Value) (T, error)) *deferred.Deferred[T] {
	cmd, err := rangeCmd(name, key, a, b, withScores, l)
	if err != nil {
		return deferred.Fail[T](err)
	}
	return request(c.s, cmd, conv)
}
