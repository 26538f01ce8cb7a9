package conn

import (
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// PFAdd adds elements to the HyperLogLog at key and fires with true when
// its estimate changed (elements may be empty: it then creates the key).
func (c Commands) PFAdd(key string, elements ...string) *deferred.Deferred[bool] {
	return request(c.s, withKeyArgs("PFADD", key, elements), asBool)
}

// PFCount fires with the estimated cardinality of the union of the
// HyperLogLogs at keys.
func (c Commands) PFCount(keys ...string) *deferred.Deferred[int64] {
	if len(keys) == 0 {
		return fail[int64]("PFCOUNT", "no keys given")
	}
	return request(c.s, withKeys("PFCOUNT", keys), asInt)
}

// PFMerge merges the HyperLogLogs at srcs into dst and fires with "OK".
func (c Commands) PFMerge(dst string, srcs ...string) *deferred.Deferred[string] {
	cmd := proto.NewCmd("PFMERGE").Key(dst)
	for _, k := range srcs {
		cmd.Key(k)
	}
	return request(c.s, cmd, asString)
}

// BitUnit is the unit of the ranges of BITCOUNT and BITPOS (Redis 7):
// "" (the server's default, bytes), Byte or Bit; "byte" and "bit" in any
// letter case are accepted too.
type BitUnit string

// The units of bit ranges.
const (
	Byte BitUnit = "BYTE"
	Bit  BitUnit = "BIT"
)

// canonical returns u as sent.
func (u BitUnit) canonical() (string, bool) {
	if u == "" {
		return "", true
	}
	return keyword(string(u), string(Byte), string(Bit))
}

// SetBit sets the bit at offset of the string at key to value (0 or 1) and
// fires with the old bit.
func (c Commands) SetBit(key string, offset int64, value int) *deferred.Deferred[int64] {
	if offset < 0 || (value != 0 && value != 1) {
		return fail[int64]("SETBIT", "offset %d, bit %d: want offset >= 0 and bit 0 or 1", offset, value)
	}
	return request(c.s, proto.NewCmd("SETBIT").Key(key).Int(offset).Int(int64(value)), asInt)
}

// GetBit fires with the bit at offset of the string at key.
func (c Commands) GetBit(key string, offset int64) *deferred.Deferred[int64] {
	if offset < 0 {
		return fail[int64]("GETBIT", "negative offset %d", offset)
	}
	return request(c.s, proto.NewCmd("GETBIT").Key(key).Int(offset), asInt)
}

// BitCount fires with the number of set bits in the string at key.
func (c Commands) BitCount(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("BITCOUNT").Key(key), asInt)
}

// BitCountRange fires with the number of set bits from start to end, both
// included, in unit.
func (c Commands) BitCountRange(key string, start, end int64, unit BitUnit) *deferred.Deferred[int64] {
	u, ok := unit.canonical()
	if !ok {
		return fail[int64]("BITCOUNT", "unit %q is not BYTE or BIT", unit)
	}
	cmd := proto.NewCmd("BITCOUNT").Key(key).Int(start).Int(end)
	if u != "" {
		cmd.Arg(u)
	}
	return request(c.s, cmd, asInt)
}

// BitPos fires with the position of the first bit set to bit (0 or 1).
func (c Commands) BitPos(key string, bit int) *deferred.Deferred[int64] {
	if bit != 0 && bit != 1 {
		return fail[int64]("BITPOS", "bit %d is not 0 or 1", bit)
	}
	return request(c.s, proto.NewCmd("BITPOS").Key(key).Int(int64(bit)), asInt)
}

// BitPosRange is BitPos looking from start to end, both included, in unit.
func (c Commands) BitPosRange(key string, bit int, start, end int64, unit BitUnit) *deferred.Deferred[int64] {
	if bit != 0 && bit != 1 {
		return fail[int64]("BITPOS", "bit %d is not 0 or 1", bit)
	}
	u, ok := unit.canonical()
	if !ok {
		return fail[int64]("BITPOS", "unit %q is not BYTE or BIT", unit)
	}
	cmd := proto.NewCmd("BITPOS").Key(key).Int(int64(bit)).Int(start).Int(end)
	if u != "" {
		cmd.Arg(u)
	}
	return request(c.s, cmd, asInt)
}

// BitOp stores the bitwise op ("AND", "OR", "XOR", "NOT", in any letter
// case) of the strings at keys in dst and fires with its length. NOT
// takes exactly one key.
func (c Commands) BitOp(op, dst string, keys ...string) *deferred.Deferred[int64] {
	canon, _ := keyword(op, "AND", "OR", "XOR", "NOT")
	switch canon {
	case "AND", "OR", "XOR":
		if len(keys) == 0 {
			return fail[int64]("BITOP", "no keys given")
		}
	case "NOT":
		if len(keys) != 1 {
			return fail[int64]("BITOP", "NOT takes one key, not %d", len(keys))
		}
	default:
		return fail[int64]("BITOP", "operator %q is not AND, OR, XOR or NOT", op)
	}
	cmd := proto.NewCmd("BITOP").Arg(canon).Key(dst)
	for _, k := range keys {
		cmd.Key(k)
	}
	return request(c.s, cmd, asInt)
}

// BitFieldOp is one operation of BITFIELD: Op is "GET", "SET", "INCRBY"
// or "OVERFLOW"; Encoding is a type such as "u8" or "i16"; Offset a bit
// offset ("100", or "#2" for the third field of the type); Value the
// value of SET and the increment of INCRBY; Overflow ("WRAP", "SAT",
// "FAIL") is the argument of OVERFLOW. Op and Overflow may be in any
// letter case; Encoding is sent as given (the server wants "i" or "u" in
// lower case).
type BitFieldOp struct {
	Op       string
	Encoding string
	Offset   string
	Value    int64
	Overflow string
}

func bitfieldCmd(name, key string, ops []BitFieldOp) (*proto.Cmd, error) {
	if len(ops) == 0 {
		return nil, plumb.BadArgs(name, "no operations given")
	}
	cmd := proto.NewCmd(name).Key(key)
	for _, o := range ops {
		op, _ := keyword(o.Op, "GET", "SET", "INCRBY", "OVERFLOW")
		overflow, overflowOK := keyword(o.Overflow, "WRAP", "SAT", "FAIL")
		switch {
		case op == "GET":
			cmd.Arg("GET").Arg(o.Encoding).Arg(o.Offset)
		case name == "BITFIELD_RO":
			cmd.Release()
			return nil, plumb.BadArgs(name, "only GET is allowed, not %q", o.Op)
		case op == "SET" || op == "INCRBY":
			cmd.Arg(op).Arg(o.Encoding).Arg(o.Offset).Int(o.Value)
		case op == "OVERFLOW" && overflowOK:
			cmd.Arg("OVERFLOW").Arg(overflow)
		default:
			cmd.Release()
			return nil, plumb.BadArgs(name, "bad operation %q %q", o.Op, o.Overflow)
		}
	}
	return cmd, nil
}

// BitField runs ops on the string at key and fires with one result per
// GET, SET and INCRBY (not Valid where OVERFLOW FAIL stopped an INCRBY).
func (c Commands) BitField(key string, ops ...BitFieldOp) *deferred.Deferred[[]Nullable[int64]] {
	cmd, err := bitfieldCmd("BITFIELD", key, ops)
	if err != nil {
		return deferred.Fail[[]Nullable[int64]](err)
	}
	return request(c.s, cmd, asNullInts)
}

// BitFieldRO is BitField with GET operations only (BITFIELD_RO).
func (c Commands) BitFieldRO(key string, ops ...BitFieldOp) *deferred.Deferred[[]Nullable[int64]] {
	cmd, err := bitfieldCmd("BITFIELD_RO", key, ops)
	if err != nil {
		return deferred.Fail[[]Nullable[int64]](err)
	}
	return request(c.s, cmd, asNullInts)
}
