package conn

import (
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// XGroupCreate creates group on the stream at key, delivering entries
// after id ("$": new ones only), and fires with "OK"; with mkStream an
// empty stream is created when missing.
func (c Commands) XGroupCreate(key, group, id string, mkStream bool) *deferred.Deferred[string] {
	cmd := proto.NewCmd("XGROUP").Arg("CREATE").Key(key).Arg(group).Arg(id)
	if mkStream {
		cmd.Arg("MKSTREAM")
	}
	return request(c.s, cmd, asString)
}

// XGroupCreateConsumer creates consumer in group and fires with true when
// it is new.
func (c Commands) XGroupCreateConsumer(key, group, consumer string) *deferred.Deferred[bool] {
	return request(c.s, proto.NewCmd("XGROUP").Arg("CREATECONSUMER").Key(key).Arg(group).Arg(consumer), asBool)
}

// XGroupDelConsumer deletes consumer from group and fires with how many
// entries it had pending.
func (c Commands) XGroupDelConsumer(key, group, consumer string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("XGROUP").Arg("DELCONSUMER").Key(key).Arg(group).Arg(consumer), asInt)
}

// XGroupDestroy deletes group and fires with true when it existed.
func (c Commands) XGroupDestroy(key, group string) *deferred.Deferred[bool] {
	return request(c.s, proto.NewCmd("XGROUP").Arg("DESTROY").Key(key).Arg(group), asBool)
}

// XGroupSetID sets the last delivered ID of group and fires with "OK".
func (c Commands) XGroupSetID(key, group, id string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("XGROUP").Arg("SETID").Key(key).Arg(group).Arg(id), asString)
}

// XPendingSummary is the reply of the summary form of XPENDING.
type XPendingSummary struct {
	Count          int64
	Lower, Higher  string           // smallest and greatest pending IDs
	ConsumerCounts map[string]int64 // pending entries per consumer
}

// XPending fires with a summary of the pending entries of group.
func (c Commands) XPending(key, group string) *deferred.Deferred[XPendingSummary] {
	return request(c.s, proto.NewCmd("XPENDING").Key(key).Arg(group), asXPendingSummary)
}

func asXPendingSummary(v proto.Value) (XPendingSummary, error) {
	var s XPendingSummary
	elems, err := v.AsValues()
	if err != nil {
		return s, err
	}
	if len(elems) != 4 {
		return s, proto.ErrConversion
	}
	if s.Count, err = elems[0].AsInt(); err != nil {
		return s, err
	}
	s.Lower, s.Higher = elems[1].Str, elems[2].Str
	s.ConsumerCounts = map[string]int64{}
	for _, e := range elems[3].Elems {
		if len(e.Elems) != 2 {
			return s, proto.ErrConversion
		}
		n, err := e.Elems[1].AsInt()
		if err != nil {
			return s, err
		}
		s.ConsumerCounts[e.Elems[0].Str] = n
	}
	return s, nil
}

// XPendingArgs are the arguments of the extended form of XPENDING.
type XPendingArgs struct {
	Idle       time.Duration // only entries idle at least this long
	Start, End string        // ID range ("-", "+")
	Count      int64
	Consumer   string // only this consumer's entries
}

// XPendingEntry is one entry of the extended form of XPENDING.
type XPendingEntry struct {
	ID, Consumer string
	Idle         time.Duration
	Deliveries   int64
}

// XPendingExt fires with the pending entries of group that args select.
func (c Commands) XPendingExt(key, group string, args XPendingArgs) *deferred.Deferred[[]XPendingEntry] {
	if args.Count <= 0 || args.Start == "" || args.End == "" || args.Idle < 0 {
		return fail[[]XPendingEntry]("XPENDING", "want Start, End and a positive Count")
	}
	cmd := proto.NewCmd("XPENDING").Key(key).Arg(group)
	if args.Idle > 0 {
		cmd.Arg("IDLE").Int(int64(args.Idle / time.Millisecond))
	}
	cmd.Arg(args.Start).Arg(args.End).Int(args.Count)
	if args.Consumer != "" {
		cmd.Arg(args.Consumer)
	}
	return request(c.s, cmd, asXPendingEntries)
}

func asXPendingEntries(v proto.Value) ([]XPendingEntry, error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]XPendingEntry, len(elems))
	for i, e := range elems {
		if len(e.Elems) != 4 {
			return nil, proto.ErrConversion
		}
		out[i] = XPendingEntry{ID: e.Elems[0].Str, Consumer: e.Elems[1].Str,
			Idle: time.Duration(e.Elems[2].Int) * time.Millisecond, Deliveries: e.Elems[3].Int}
	}
	return out, nil
}

// XClaimArgs are the options of XCLAIM.
type XClaimArgs struct {
	Idle       time.Duration // set the idle time
	Time       time.Time     // set the idle time as of this time
	RetryCount int64         // set the delivery count, when > 0
	Force      bool          // claim IDs not pending yet
	LastID     string
}

func xclaimCmd(key, group, consumer string, minIdle time.Duration, ids []string, a XClaimArgs, justID bool) (*proto.Cmd, error) {
	if len(ids) == 0 {
		return nil, plumb.BadArgs("XCLAIM", "no IDs given")
	}
	if minIdle < 0 || a.Idle < 0 || a.RetryCount < 0 {
		return nil, plumb.BadArgs("XCLAIM", "negative idle time or retry count")
	}
	cmd := proto.NewCmd("XCLAIM").Key(key).Arg(group).Arg(consumer).Int(int64(minIdle / time.Millisecond))
	for _, id := range ids {
		cmd.Arg(id)
	}
	if a.Idle > 0 {
		cmd.Arg("IDLE").Int(int64(a.Idle / time.Millisecond))
	}
	if !a.Time.IsZero() {
		cmd.Arg("TIME").Int(a.Time.UnixMilli())
	}
	if a.RetryCount > 0 {
		cmd.Arg("RETRYCOUNT").Int(a.RetryCount)
	}
	if a.Force {
		cmd.Arg("FORCE")
	}
	if justID {
		cmd.Arg("JUSTID")
	}
	if a.LastID != "" {
		cmd.Arg("LASTID").Arg(a.LastID)
	}
	return cmd, nil
}

// XClaim gives consumer the pending entries ids idle at least minIdle and
// fires with them.
func (c Commands) XClaim(key, group, consumer string, minIdle time.Duration, ids []string, args XClaimArgs) *deferred.Deferred[[]XMessage] {
	cmd, err := xclaimCmd(key, group, consumer, minIdle, ids, args, false)
	if err != nil {
		return deferred.Fail[[]XMessage](err)
	}
	return request(c.s, cmd, asXMessages)
}

// XClaimJustID is XClaim firing with the IDs only.
func (c Commands) XClaimJustID(key, group, consumer string, minIdle time.Duration, ids []string, args XClaimArgs) *deferred.Deferred[[]string] {
	cmd, err := xclaimCmd(key, group, consumer, minIdle, ids, args, true)
	if err != nil {
		return deferred.Fail[[]string](err)
	}
	return request(c.s, cmd, asStrings)
}

// XAutoClaimResult is the reply of XAUTOCLAIM: the cursor to continue
// from ("0-0": done), the claimed entries, and the IDs of entries that no
// longer existed.
type XAutoClaimResult struct {
	Next     string
	Messages []XMessage
	Deleted  []string
}

// XAutoClaim gives consumer up to count (0: the server's default)
// entries idle at least minIdle, scanning from start.
func (c Commands) XAutoClaim(key, group, consumer string, minIdle time.Duration, start string, count int64) *deferred.Deferred[XAutoClaimResult] {
	if minIdle < 0 || count < 0 {
		return fail[XAutoClaimResult]("XAUTOCLAIM", "negative idle time or count")
	}
	cmd := proto.NewCmd("XAUTOCLAIM").Key(key).Arg(group).Arg(consumer).Int(int64(minIdle / time.Millisecond)).Arg(start)
	if count > 0 {
		cmd.Arg("COUNT").Int(count)
	}
	return request(c.s, cmd, asXAutoClaim)
}

func asXAutoClaim(v proto.Value) (XAutoClaimResult, error) {
	var r XAutoClaimResult
	elems, err := v.AsValues()
	if err != nil {
		return r, err
	}
	if len(elems) < 2 {
		return r, proto.ErrConversion
	}
	r.Next = elems[0].Str
	if r.Messages, err = asXMessages(elems[1]); err != nil {
		return r, err
	}
	if len(elems) > 2 {
		r.Deleted, err = elems[2].AsStrings()
	}
	return r, err
}

// XInfoGroup describes a consumer group (XINFO GROUPS).
type XInfoGroup struct {
	Name            string
	Consumers       int64
	Pending         int64
	LastDeliveredID string
	EntriesRead     int64
	Lag             int64
}

// XInfoConsumer describes a consumer (XINFO CONSUMERS).
type XInfoConsumer struct {
	Name    string
	Pending int64
	Idle    time.Duration
}

// XInfoStreamReply describes a stream (XINFO STREAM).
type XInfoStreamReply struct {
	Length               int64
	RadixTreeKeys        int64
	RadixTreeNodes       int64
	Groups               int64
	LastGeneratedID      string
	MaxDeletedEntryID    string
	EntriesAdded         int64
	RecordedFirstEntryID string
	FirstEntry           *XMessage
	LastEntry            *XMessage
}

// fields calls f with each key and value of a RESP3 map or RESP2 flat
// array of pairs.
func fields(v proto.Value, f func(k string, v proto.Value) error) error {
	elems, err := v.AsValues()
	if err != nil {
		return err
	}
	for i := 0; i+1 < len(elems); i += 2 {
		if err := f(elems[i].Str, elems[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// XInfoStream fires with a description of the stream at key.
func (c Commands) XInfoStream(key string) *deferred.Deferred[XInfoStreamReply] {
	return request(c.s, proto.NewCmd("XINFO").Arg("STREAM").Key(key), asXInfoStream)
}

func asXInfoStream(v proto.Value) (XInfoStreamReply, error) {
	var r XInfoStreamReply
	err := fields(v, func(k string, e proto.Value) error {
		switch k {
		case "length":
			r.Length = e.Int
		case "radix-tree-keys":
			r.RadixTreeKeys = e.Int
		case "radix-tree-nodes":
			r.RadixTreeNodes = e.Int
		case "groups":
			r.Groups = e.Int
		case "last-generated-id":
			r.LastGeneratedID = e.Str
		case "max-deleted-entry-id":
			r.MaxDeletedEntryID = e.Str
		case "entries-added":
			r.EntriesAdded = e.Int
		case "recorded-first-entry-id":
			r.RecordedFirstEntryID = e.Str
		case "first-entry", "last-entry":
			if e.IsNull() {
				return nil
			}
			m, err := asXMessage(e)
			if err != nil {
				return err
			}
			if k == "first-entry" {
				r.FirstEntry = &m
			} else {
				r.LastEntry = &m
			}
		}
		return nil
	})
	return r, err
}

// XInfoStreamFull fires with the full description of the stream at key
// (XINFO STREAM FULL), up to count entries and PEL entries (0: the
// server's default), as the raw reply.
func (c Commands) XInfoStreamFull(key string, count int64) *deferred.Deferred[proto.Value] {
	cmd := proto.NewCmd("XINFO").Arg("STREAM").Key(key).Arg("FULL")
	if count > 0 {
		cmd.Arg("COUNT").Int(count)
	}
	return request(c.s, cmd, identity)
}

// XInfoGroups fires with the consumer groups of the stream at key.
func (c Commands) XInfoGroups(key string) *deferred.Deferred[[]XInfoGroup] {
	return request(c.s, proto.NewCmd("XINFO").Arg("GROUPS").Key(key), asXInfoGroups)
}

func asXInfoGroups(v proto.Value) ([]XInfoGroup, error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]XInfoGroup, len(elems))
	for i, g := range elems {
		err := fields(g, func(k string, e proto.Value) error {
			switch k {
			case "name":
				out[i].Name = e.Str
			case "consumers":
				out[i].Consumers = e.Int
			case "pending":
				out[i].Pending = e.Int
			case "last-delivered-id":
				out[i].LastDeliveredID = e.Str
			case "entries-read":
				out[i].EntriesRead = e.Int
			case "lag":
				out[i].Lag = e.Int
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// XInfoConsumers fires with the consumers of group.
func (c Commands) XInfoConsumers(key, group string) *deferred.Deferred[[]XInfoConsumer] {
	return request(c.s, proto.NewCmd("XINFO").Arg("CONSUMERS").Key(key).Arg(group), asXInfoConsumers)
}

func asXInfoConsumers(v proto.Value) ([]XInfoConsumer, error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]XInfoConsumer, len(elems))
	for i, g := range elems {
		err := fields(g, func(k string, e proto.Value) error {
			switch k {
			case "name":
				out[i].Name = e.Str
			case "pending":
				out[i].Pending = e.Int
			case "idle":
				out[i].Idle = time.Duration(e.Int) * time.Millisecond
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
