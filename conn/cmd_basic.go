package conn

import (
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// Get returns the value of key; a missing key fails with proto.ErrNil.
func (c Commands) Get(key string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("GET").Key(key), proto.Value.AsString)
}

// Set sets key to value and fires with "OK".
func (c Commands) Set(key, value string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("SET").Key(key).Arg(value), proto.Value.AsString)
}

// Del deletes keys and fires with how many existed (txredisapi's delete).
func (c Commands) Del(keys ...string) *deferred.Deferred[int64] {
	if len(keys) == 0 {
		return deferred.Fail[int64](plumb.BadArgs("DEL", "no keys given"))
	}
	cmd := proto.NewCmd("DEL")
	for _, k := range keys {
		cmd.Key(k)
	}
	return request(c.s, cmd, proto.Value.AsInt)
}

// Incr increments the integer at key by one and fires with the new value.
func (c Commands) Incr(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("INCR").Key(key), proto.Value.AsInt)
}
