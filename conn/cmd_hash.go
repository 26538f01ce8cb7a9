package conn

import (
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// FieldValue is a hash field with its value (HRANDFIELD WITHVALUES).
type FieldValue struct {
	Field, Value string
}

// HSet sets fields of the hash at key, given as field, value pairs, and
// fires with how many fields were added.
func (c Commands) HSet(key string, fieldsAndValues ...string) *deferred.Deferred[int64] {
	if len(fieldsAndValues) == 0 || len(fieldsAndValues)%2 != 0 {
		return fail[int64]("HSET", "want field, value pairs, got %d arguments", len(fieldsAndValues))
	}
	return request(c.s, withKeyArgs("HSET", key, fieldsAndValues), asInt)
}

// HMSet sets the fields of the hash at key to the values of fields and
// fires with "OK" (txredisapi's hmset; HSet is the modern form).
func (c Commands) HMSet(key string, fields map[string]string) *deferred.Deferred[string] {
	if len(fields) == 0 {
		return fail[string]("HMSET", "no fields given")
	}
	cmd := proto.NewCmd("HMSET").Key(key)
	for f, v := range fields {
		cmd.Arg(f).Arg(v)
	}
	return request(c.s, cmd, asString)
}

// HSetNX sets field of the hash at key only if it does not exist and fires
// with true when it was set.
func (c Commands) HSetNX(key, field, value string) *deferred.Deferred[bool] {
	return request(c.s, proto.NewCmd("HSETNX").Key(key).Arg(field).Arg(value), asBool)
}

// HGet fires with the value of field in the hash at key; proto.ErrNil when
// missing.
func (c Commands) HGet(key, field string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("HGET").Key(key).Arg(field), asString)
}

// HMGet fires with the values of fields in the hash at key, in order; a
// missing field is an element that is not Valid.
func (c Commands) HMGet(key string, fields ...string) *deferred.Deferred[[]Nullable[string]] {
	if len(fields) == 0 {
		return fail[[]Nullable[string]]("HMGET", "no fields given")
	}
	return request(c.s, withKeyArgs("HMGET", key, fields), asNullStrings)
}

// HGetAll fires with the fields and values of the hash at key (empty when
// missing).
func (c Commands) HGetAll(key string) *deferred.Deferred[map[string]string] {
	return request(c.s, proto.NewCmd("HGETALL").Key(key), asMap)
}

// HDel deletes fields from the hash at key and fires with how many existed.
func (c Commands) HDel(key string, fields ...string) *deferred.Deferred[int64] {
	if len(fields) == 0 {
		return fail[int64]("HDEL", "no fields given")
	}
	return request(c.s, withKeyArgs("HDEL", key, fields), asInt)
}

// HExists fires with whether field exists in the hash at key.
func (c Commands) HExists(key, field string) *deferred.Deferred[bool] {
	return request(c.s, proto.NewCmd("HEXISTS").Key(key).Arg(field), asBool)
}

// HIncrBy increments the integer in field of the hash at key by n and fires
// with the new value.
func (c Commands) HIncrBy(key, field string, n int64) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("HINCRBY").Key(key).Arg(field).Int(n), asInt)
}

// HIncrByFloat increments the number in field of the hash at key by f and
// fires with the new value.
func (c Commands) HIncrByFloat(key, field string, f float64) *deferred.Deferred[float64] {
	return request(c.s, proto.NewCmd("HINCRBYFLOAT").Key(key).Arg(field).Float(f), asFloat)
}

// HKeys fires with the fields of the hash at key, in no particular order.
func (c Commands) HKeys(key string) *deferred.Deferred[[]string] {
	return request(c.s, proto.NewCmd("HKEYS").Key(key), asStrings)
}

// HVals fires with the values of the hash at key, in no particular order.
func (c Commands) HVals(key string) *deferred.Deferred[[]string] {
	return request(c.s, proto.NewCmd("HVALS").Key(key), asStrings)
}

// HLen fires with the number of fields of the hash at key.
func (c Commands) HLen(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("HLEN").Key(key), asInt)
}

// HStrLen fires with the length of the value of field in the hash at key.
func (c Commands) HStrLen(key, field string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("HSTRLEN").Key(key).Arg(field), asInt)
}

// HRandField fires with up to count random fields of the hash at key
// (count < 0: exactly -count, possibly repeated).
func (c Commands) HRandField(key string, count int64) *deferred.Deferred[[]string] {
	return request(c.s, proto.NewCmd("HRANDFIELD").Key(key).Int(count), asStrings)
}

// HRandFieldWithValues is HRandField with the values of the fields.
func (c Commands) HRandFieldWithValues(key string, count int64) *deferred.Deferred[[]FieldValue] {
	return request(c.s, proto.NewCmd("HRANDFIELD").Key(key).Int(count).Arg("WITHVALUES"), asFieldValues)
}

// asFieldValues converts a RESP2 flat array of field, value or a RESP3
// array of pairs.
func asFieldValues(v proto.Value) ([]FieldValue, error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	var flat []proto.Value
	if len(elems) > 0 && elems[0].Kind == proto.Array {
		for _, e := range elems {
			flat = append(flat, e.Elems...)
		}
	} else {
		flat = elems
	}
	if len(flat)%2 != 0 {
		return nil, proto.ErrConversion
	}
	out := make([]FieldValue, len(flat)/2)
	for i := range out {
		if out[i].Field, err = flat[2*i].AsString(); err != nil {
			return nil, err
		}
		if out[i].Value, err = flat[2*i+1].AsString(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
