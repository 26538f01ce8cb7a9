package cmdinfo

import (
	"strings"

	"github.com/txredis/txredis/proto"
)

// ParseInfo reads one entry of a COMMAND INFO reply, over RESP2 or RESP3:
// name, arity, flags, legacy key positions, ACL categories, and (Redis 7)
// key specifications and subcommands, which it returns after their
// container, as the table holds them. Group, Since and the documentation
// fields stay empty: COMMAND INFO does not say them. It reports false for
// a nil entry (a command the server does not know) or a malformed one.
func ParseInfo(v proto.Value) ([]Info, bool) {
	return parseInfo(v, "")
}

func parseInfo(v proto.Value, parent string) ([]Info, bool) {
	e := v.Elems
	if !isList(v) || len(e) < 6 || e[1].Kind != proto.Integer || e[3].Kind != proto.Integer ||
		e[4].Kind != proto.Integer || e[5].Kind != proto.Integer {
		return nil, false
	}
	name, err := e[0].AsString()
	if err != nil || name == "" {
		return nil, false
	}
	info := Info{
		Name:     strings.ToUpper(name),
		Arity:    int(e[1].Int),
		FirstKey: int(e[3].Int),
		LastKey:  int(e[4].Int),
		Step:     int(e[5].Int),
		Parent:   parent,
	}
	for _, f := range e[2].Elems {
		for i, text := range flagText {
			if f.Str == text {
				info.Flags |= 1 << i
			}
		}
	}
	if len(e) > 6 {
		for _, c := range e[6].Elems {
			info.ACL = append(info.ACL, strings.TrimPrefix(c.Str, "@"))
		}
	}
	if len(e) > 8 {
		for _, ks := range e[8].Elems {
			info.KeySpecs = append(info.KeySpecs, parseKeySpec(ks))
		}
	}
	out := []Info{info}
	if len(e) > 9 && len(e[9].Elems) > 0 {
		out[0].Container = true
		for _, sub := range e[9].Elems {
			subs, ok := parseInfo(sub, info.Name)
			if !ok {
				return nil, false
			}
			out = append(out, subs...)
		}
	}
	return out, true
}

// parseKeySpec reads one key specification: a RESP3 map, or under RESP2
// an array of alternating names and values.
func parseKeySpec(v proto.Value) KeySpec {
	var ks KeySpec
	unknown := false
	for _, f := range field(v, "flags").Elems {
		ks.Flags = append(ks.Flags, f.Str)
	}
	bs := field(v, "begin_search")
	bspec := field(bs, "spec")
	switch field(bs, "type").Str {
	case "index":
		ks.BeginIndex = int(field(bspec, "index").Int)
	case "keyword":
		ks.Keyword = field(bspec, "keyword").Str
		ks.StartFrom = int(field(bspec, "startfrom").Int)
	default:
		unknown = true
	}
	fk := field(v, "find_keys")
	fspec := field(fk, "spec")
	switch field(fk, "type").Str {
	case "range":
		ks.LastKey = int(field(fspec, "lastkey").Int)
		ks.KeyStep = int(field(fspec, "keystep").Int)
		ks.Limit = int(field(fspec, "limit").Int)
	case "keynum":
		ks.KeyNum = true
		ks.KeyNumIdx = int(field(fspec, "keynumidx").Int)
		ks.FirstKey = int(field(fspec, "firstkey").Int)
		ks.KeyStep = int(field(fspec, "keystep").Int)
	default:
		unknown = true
	}
	ks.Unknown = unknown
	return ks
}

// field returns the value named name in a RESP3 map or a RESP2 array of
// alternating names and values; the zero Value when absent.
func field(v proto.Value, name string) proto.Value {
	if !isList(v) && v.Kind != proto.Map {
		return proto.Value{}
	}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if v.Elems[i].Str == name {
			return v.Elems[i+1]
		}
	}
	return proto.Value{}
}

func isList(v proto.Value) bool {
	return v.Kind == proto.Array || v.Kind == proto.Set
}
