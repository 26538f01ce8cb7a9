package conn

import (
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// XMessage is a stream entry: its ID and its field, value pairs. Values
// is nil for an entry deleted while pending (XCLAIM, XAUTOCLAIM).
type XMessage struct {
	ID     string
	Values map[string]string
}

// XStream is the entries read from one stream by XREAD or XREADGROUP.
type XStream struct {
	Stream   string
	Messages []XMessage
}

func asXMessage(v proto.Value) (XMessage, error) {
	if len(v.Elems) != 2 {
		return XMessage{}, proto.ErrConversion
	}
	id, err := v.Elems[0].AsString()
	if err != nil {
		return XMessage{}, err
	}
	m := XMessage{ID: id}
	if !v.Elems[1].IsNull() {
		if m.Values, err = v.Elems[1].AsMap(); err != nil {
			return XMessage{}, err
		}
	}
	return m, nil
}

func asXMessages(v proto.Value) ([]XMessage, error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]XMessage, 0, len(elems))
	for _, e := range elems {
		if e.IsNull() {
			continue
		}
		m, err := asXMessage(e)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// asXStreams converts XREAD's reply: a RESP2 array of [stream, entries],
// a RESP3 map of stream to entries, or nil (nothing read) as no streams.
func asXStreams(v proto.Value) ([]XStream, error) {
	if v.IsNull() {
		return nil, nil
	}
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	var out []XStream
	add := func(name, entries proto.Value) error {
		s, err := name.AsString()
		if err != nil {
			return err
		}
		ms, err := asXMessages(entries)
		out = append(out, XStream{Stream: s, Messages: ms})
		return err
	}
	if v.Kind == proto.Map {
		for i := 0; i+1 < len(elems); i += 2 {
			if err := add(elems[i], elems[i+1]); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	for _, e := range elems {
		if len(e.Elems) != 2 {
			return nil, proto.ErrConversion
		}
		if err := add(e.Elems[0], e.Elems[1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// XTrimArgs say how XADD and XTRIM trim a stream: to MaxLen entries, or
// evicting IDs lower than MinID (one of them); Approx trims with "~"
// (efficiently, possibly leaving more), Limit caps the evictions of an
// approximate trim.
type XTrimArgs struct {
	MaxLen int64
	MinID  string
	Approx bool
	Limit  int64
}

func (a XTrimArgs) set() bool { return a.MaxLen > 0 || a.MinID != "" }

func (a XTrimArgs) append(name string, cmd *proto.Cmd) error {
	switch {
	case a.MaxLen < 0 || a.Limit < 0:
		return plumb.BadArgs(name, "negative MAXLEN or LIMIT")
	case a.MaxLen > 0 && a.MinID != "":
		return plumb.BadArgs(name, "MAXLEN and MINID are exclusive")
	case a.Limit > 0 && !a.Approx:
		return plumb.BadArgs(name, "LIMIT needs an approximate (~) trim")
	}
	if a.MaxLen > 0 {
		cmd.Arg("MAXLEN")
	} else {
		cmd.Arg("MINID")
	}
	if a.Approx {
		cmd.Arg("~")
	} else {
		cmd.Arg("=")
	}
	if a.MaxLen > 0 {
		cmd.Int(a.MaxLen)
	} else {
		cmd.Arg(a.MinID)
	}
	if a.Limit > 0 {
		cmd.Arg("LIMIT").Int(a.Limit)
	}
	return nil
}

// XAddArgs are the options of XADD: NoMkStream (do not create the
// stream), a trim, and the entry ID ("" sends "*": the server picks).
type XAddArgs struct {
	NoMkStream bool
	Trim       XTrimArgs
	ID         string
}

// XAdd appends an entry of field, value pairs to the stream at key and
// fires with its ID; proto.ErrNil when NoMkStream is set and the stream
// does not exist.
func (c Commands) XAdd(key string, args XAddArgs, fieldsAndValues ...string) *deferred.Deferred[string] {
	if len(fieldsAndValues) == 0 || len(fieldsAndValues)%2 != 0 {
		return fail[string]("XADD", "want field, value pairs, got %d arguments", len(fieldsAndValues))
	}
	cmd := proto.NewCmd("XADD").Key(key)
	if args.NoMkStream {
		cmd.Arg("NOMKSTREAM")
	}
	if args.Trim.set() || args.Trim.Limit != 0 {
		if err := args.Trim.append("XADD", cmd); err != nil {
			return failed[string](cmd, err)
		}
	}
	if args.ID == "" {
		cmd.Arg("*")
	} else {
		cmd.Arg(args.ID)
	}
	for _, a := range fieldsAndValues {
		cmd.Arg(a)
	}
	return request(c.s, cmd, asString)
}

// XTrim trims the stream at key as args say and fires with how many
// entries were evicted.
func (c Commands) XTrim(key string, args XTrimArgs) *deferred.Deferred[int64] {
	if !args.set() {
		return fail[int64]("XTRIM", "give MaxLen or MinID")
	}
	cmd := proto.NewCmd("XTRIM").Key(key)
	if err := args.append("XTRIM", cmd); err != nil {
		return failed[int64](cmd, err)
	}
	return request(c.s, cmd, asInt)
}

// XLen fires with the number of entries of the stream at key.
func (c Commands) XLen(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("XLEN").Key(key), asInt)
}

// XDel deletes entries by ID and fires with how many existed.
func (c Commands) XDel(key string, ids ...string) *deferred.Deferred[int64] {
	if len(ids) == 0 {
		return fail[int64]("XDEL", "no IDs given")
	}
	return request(c.s, withKeyArgs("XDEL", key, ids), asInt)
}

// XRange fires with the entries with IDs from start to end ("-" and "+"
// for the ends; "(" for exclusive), at most count (0: all).
func (c Commands) XRange(key, start, end string, count int64) *deferred.Deferred[[]XMessage] {
	return c.xrange("XRANGE", key, start, end, count)
}

// XRevRange is XRange from end down to start.
func (c Commands) XRevRange(key, end, start string, count int64) *deferred.Deferred[[]XMessage] {
	return c.xrange("XREVRANGE", key, end, start, count)
}

func (c Commands) xrange(name, key, a, b string, count int64) *deferred.Deferred[[]XMessage] {
	if count < 0 {
		return fail[[]XMessage](name, "negative count %d", count)
	}
	cmd := proto.NewCmd(name).Key(key).Arg(a).Arg(b)
	if count > 0 {
		cmd.Arg("COUNT").Int(count)
	}
	return request(c.s, cmd, asXMessages)
}

// XReadArgs are the arguments of XREAD and XREADGROUP: the streams and,
// for each, the ID to read after ("$": new entries only; ">" for
// XREADGROUP: never delivered ones); Count caps the entries per stream;
// Block waits up to that long for entries (BlockForever: no limit),
// marking the command blocking; NoAck is XREADGROUP's NOACK.
type XReadArgs struct {
	Streams      []string
	IDs          []string
	Count        int64
	Block        time.Duration
	BlockForever bool
	NoAck        bool
}

func xreadCmd(name string, a XReadArgs, group, consumer string) (*proto.Cmd, error) {
	switch {
	case len(a.Streams) == 0:
		return nil, plumb.BadArgs(name, "no streams given")
	case len(a.Streams) != len(a.IDs):
		return nil, plumb.BadArgs(name, "%d streams but %d IDs", len(a.Streams), len(a.IDs))
	case a.Count < 0 || a.Block < 0:
		return nil, plumb.BadArgs(name, "negative COUNT or BLOCK")
	case a.NoAck && group == "":
		return nil, plumb.BadArgs(name, "NOACK is for XREADGROUP")
	}
	cmd := proto.NewCmd(name)
	if group != "" {
		cmd.Arg("GROUP").Arg(group).Arg(consumer)
	}
	if a.Count > 0 {
		cmd.Arg("COUNT").Int(a.Count)
	}
	switch {
	case a.BlockForever:
		cmd.Arg("BLOCK").Int(0)
		cmd.SetBlocking(0)
	case a.Block > 0:
		ms := int64(a.Block / time.Millisecond)
		if ms == 0 {
			ms = 1
		}
		cmd.Arg("BLOCK").Int(ms)
		cmd.SetBlocking(a.Block)
	}
	if a.NoAck {
		cmd.Arg("NOACK")
	}
	cmd.Arg("STREAMS")
	for _, s := range a.Streams {
		cmd.Key(s)
	}
	for _, id := range a.IDs {
		cmd.Arg(id)
	}
	return cmd, nil
}

// XRead reads entries after the given IDs from the streams and fires with
// those of each stream that has some; empty when none came (within Block).
func (c Commands) XRead(args XReadArgs) *deferred.Deferred[[]XStream] {
	cmd, err := xreadCmd("XREAD", args, "", "")
	if err != nil {
		return deferred.Fail[[]XStream](err)
	}
	return request(c.s, cmd, asXStreams)
}

// XReadGroup is XRead as consumer of group.
func (c Commands) XReadGroup(group, consumer string, args XReadArgs) *deferred.Deferred[[]XStream] {
	if group == "" || consumer == "" {
		return fail[[]XStream]("XREADGROUP", "empty group or consumer")
	}
	cmd, err := xreadCmd("XREADGROUP", args, group, consumer)
	if err != nil {
		return deferred.Fail[[]XStream](err)
	}
	return request(c.s, cmd, asXStreams)
}

// XAck acknowledges entries of group and fires with how many were pending.
func (c Commands) XAck(key, group string, ids ...string) *deferred.Deferred[int64] {
	if len(ids) == 0 {
		return fail[int64]("XACK", "no IDs given")
	}
	cmd := proto.NewCmd("XACK").Key(key).Arg(group)
	for _, id := range ids {
		cmd.Arg(id)
	}
	return request(c.s, cmd, asInt)
}

// XSetID sets the last ID of the stream at key and fires with "OK".
func (c Commands) XSetID(key, lastID string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("XSETID").Key(key).Arg(lastID), asString)
}
