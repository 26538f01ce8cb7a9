package pubsub

import (
	"context"
	"slices"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/proto"
)

// family is one of the three kinds of subscription. Each has its own
// subscribe and unsubscribe commands and its own confirmations, which
// arrive in the order the commands were sent.
type family int

const (
	famChannel family = iota
	famPattern
	famShard
	numFamilies
)

// commands[f][0] subscribes, commands[f][1] unsubscribes.
var commands = [numFamilies][2]string{
	{"SUBSCRIBE", "UNSUBSCRIBE"},
	{"PSUBSCRIBE", "PUNSUBSCRIBE"},
	{"SSUBSCRIBE", "SUNSUBSCRIBE"},
}

// request is one subscribe or unsubscribe command waiting for its
// confirmations.
type request struct {
	d         *deferred.Deferred[[]Confirmation] // nil for a resubscription
	fam       family
	subscribe bool
	args      []string
	seq       uint64 // send order across families, for error replies
	remaining int    // confirmations still expected
	confs     []Confirmation
	resub     *resubscription // set for a resubscription
	op        conn.ActiveOp   // the command as hooks see it, from its sending
}

func (r *request) fail(err error) {
	r.endOp(err)
	if r.d != nil {
		_ = r.d.Errback(err)
	}
}

// endOp reports the end of r's command to the hooks, once.
func (r *request) endOp(err error) {
	op := r.op
	r.op = conn.ActiveOp{}
	op.End(err)
}

// resubscription follows the requests that restore the subscriptions
// after a reconnect.
type resubscription struct {
	left                            int // requests not yet confirmed; protected by Subscriber.mu
	channels, patterns, shardChanns []string
}

// Subscribe subscribes to channels and fires with one confirmation per
// channel, in order, once the server has confirmed them all. Messages
// published to a channel after its confirmation are delivered.
func (s *Subscriber) Subscribe(channels ...string) *deferred.Deferred[[]Confirmation] {
	return s.request(famChannel, true, channels)
}

// PSubscribe subscribes to glob-style patterns; see Subscribe.
func (s *Subscriber) PSubscribe(patterns ...string) *deferred.Deferred[[]Confirmation] {
	return s.request(famPattern, true, patterns)
}

// SSubscribe subscribes to shard channels (SSUBSCRIBE, Redis 7); their
// messages are published with SPUBLISH. See Subscribe.
func (s *Subscriber) SSubscribe(shardChannels ...string) *deferred.Deferred[[]Confirmation] {
	return s.request(famShard, true, shardChannels)
}

// Unsubscribe unsubscribes from channels, or from every channel when none
// is given, and fires with the confirmations. Unsubscribing from nothing
// yields one confirmation with an empty Channel.
func (s *Subscriber) Unsubscribe(channels ...string) *deferred.Deferred[[]Confirmation] {
	return s.request(famChannel, false, channels)
}

// PUnsubscribe unsubscribes from patterns (all when none is given); see
// Unsubscribe.
func (s *Subscriber) PUnsubscribe(patterns ...string) *deferred.Deferred[[]Confirmation] {
	return s.request(famPattern, false, patterns)
}

// SUnsubscribe unsubscribes from shard channels (all when none is given);
// see Unsubscribe.
func (s *Subscriber) SUnsubscribe(shardChannels ...string) *deferred.Deferred[[]Confirmation] {
	return s.request(famShard, false, shardChannels)
}

// Channels returns the channels the server has confirmed, sorted.
func (s *Subscriber) Channels() []string { return s.trackedList(famChannel) }

// Patterns returns the patterns the server has confirmed, sorted.
func (s *Subscriber) Patterns() []string { return s.trackedList(famPattern) }

// ShardChannels returns the shard channels the server has confirmed, sorted.
func (s *Subscriber) ShardChannels() []string { return s.trackedList(famShard) }

func (s *Subscriber) trackedList(f family) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.tracked[f])
}

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (s *Subscriber) request(f family, subscribe bool, args []string) *deferred.Deferred[[]Confirmation] {
	if subscribe && len(args) == 0 {
		return deferred.Fail[[]Confirmation](handle.BadArgs(commands[f][0], "no channels given"))
	}
	r := &request{d: new(deferred.Deferred[[]Confirmation]), fam: f, subscribe: subscribe, args: slices.Clone(args)}
	s.mu.Lock()
	var err error
	sent := false
	switch {
	case s.closing || s.state == conn.StateDisconnected || s.state == conn.StateClosed:
		err = s.unavailableLocked()
	case s.state == conn.StateConnecting || s.c == nil:
		s.queued = append(s.queued, r)
	default:
		err = s.sendLocked(r)
		sent = err == nil
	}
	s.mu.Unlock()
	if err != nil {
		r.fail(err)
	}
	if sent {
		s.probe()
	}
	return r.d
}

// probe sends a PING behind a request, unless one is in flight: its
// reply timeout (PingTimeout) bounds how long the request can wait on a
// connection that went silent, instead of the next keepalive.
func (s *Subscriber) probe() {
	if s.pinging.CompareAndSwap(false, true) {
		s.Ping().Observe(func(string, error) { s.pinging.Store(false) })
	}
}

// sendLocked writes r and registers it for its confirmations.
func (s *Subscriber) sendLocked(r *request) error {
	verb := 0
	if !r.subscribe {
		verb = 1
	}
	cmd := proto.NewCmd(commands[r.fam][verb])
	for _, a := range r.args {
		cmd.Arg(a)
	}
	wire := s.wire[r.fam]
	r.remaining = len(r.args)
	if r.remaining == 0 {
		// Unsubscribe from everything: one confirmation per subscription
		// the server will hold by then, or one saying there was none.
		r.remaining = max(len(wire), 1)
	}
	op := s.startOp(cmd)
	if err := s.c.SendNoReply(cmd); err != nil {
		op.End(err)
		return err
	}
	r.op = op
	switch {
	case r.subscribe:
		for _, a := range r.args {
			wire[a] = struct{}{}
		}
	case len(r.args) == 0:
		clear(wire)
	default:
		for _, a := range r.args {
			delete(wire, a)
		}
	}
	s.seq++
	r.seq = s.seq
	s.pend[r.fam] = append(s.pend[r.fam], r)
	return nil
}

// resubscribeLocked sends one subscribe per family that holds anything
// and returns what it sent.
func (s *Subscriber) resubscribeLocked() *resubscription {
	rs := &resubscription{
		channels:    sortedKeys(s.tracked[famChannel]),
		patterns:    sortedKeys(s.tracked[famPattern]),
		shardChanns: sortedKeys(s.tracked[famShard]),
	}
	for f, list := range [numFamilies][]string{rs.channels, rs.patterns, rs.shardChanns} {
		if len(list) == 0 {
			continue
		}
		r := &request{fam: family(f), subscribe: true, args: list, resub: rs}
		if s.sendLocked(r) == nil {
			rs.left++
		} else {
			// The new socket is already gone; the next connect retries.
			rs.left = -1
			return rs
		}
	}
	return rs
}

// resubscribed reports a completed resubscription.
func (s *Subscriber) resubscribed(rs *resubscription) {
	s.reconnects.Add(1)
	if s.opts.OnResubscribed != nil {
		s.opts.OnResubscribed(rs.channels, rs.patterns, rs.shardChanns)
	}
}

// onPush receives everything the connection reads that is not the reply
// to a pending PING: messages, confirmations and error replies to
// subscribe commands. It runs on the connection's reader goroutine.
func (s *Subscriber) onPush(v proto.Value) {
	if v.IsError() {
		_ = s.failOldest(v.Err())
		return
	}
	if (v.Kind != proto.Push && v.Kind != proto.Array) || len(v.Elems) < 3 {
		return
	}
	e := v.Elems
	switch e[0].Str {
	case "message":
		s.buf.put(Message{Channel: e[1].Str, Payload: e[2].Str})
	case "pmessage":
		if len(e) >= 4 {
			s.buf.put(Message{Pattern: e[1].Str, Channel: e[2].Str, Payload: e[3].Str})
		}
	case "smessage":
		s.buf.put(Message{Channel: e[1].Str, Payload: e[2].Str, Shard: true})
	case "subscribe":
		s.confirm(famChannel, true, v)
	case "unsubscribe":
		s.confirm(famChannel, false, v)
	case "psubscribe":
		s.confirm(famPattern, true, v)
	case "punsubscribe":
		s.confirm(famPattern, false, v)
	case "ssubscribe":
		s.confirm(famShard, true, v)
	case "sunsubscribe":
		s.confirm(famShard, false, v)
	}
}

// confirm records one confirmation and completes the oldest pending
// request of its family when it was the last one that request expected.
// A confirmation no request expects (the server unsubscribing a shard
// channel by itself) only updates the tracked set.
func (s *Subscriber) confirm(f family, subscribe bool, v proto.Value) {
	c := Confirmation{Kind: v.Elems[0].Str, Channel: v.Elems[1].Str, Count: v.Elems[2].Int}
	nullChannel := v.Elems[1].IsNull()
	var done *request
	s.mu.Lock()
	switch {
	case subscribe:
		s.tracked[f][c.Channel] = struct{}{}
	case !nullChannel:
		delete(s.tracked[f], c.Channel)
	}
	if q := s.pend[f]; len(q) > 0 && q[0].subscribe == subscribe {
		r := q[0]
		r.confs = append(r.confs, c)
		r.remaining--
		if r.remaining <= 0 {
			q[0] = nil
			s.pend[f] = q[1:]
			done = r
		}
	} else if !subscribe && !nullChannel {
		delete(s.wire[f], c.Channel)
	}
	var rs *resubscription
	if done != nil && done.resub != nil {
		done.resub.left--
		if done.resub.left == 0 {
			rs = done.resub
		}
	}
	s.mu.Unlock()
	if done != nil {
		done.endOp(nil)
	}
	if done != nil && done.d != nil {
		_ = done.d.Callback(done.confs)
	}
	if rs != nil {
		s.resubscribed(rs)
	}
}

// failOldest fails the oldest pending request with a server error reply
// (an ACL refusal, say): an error replaces all of a command's
// confirmations. It reports whether there was a request to fail.
func (s *Subscriber) failOldest(err error) bool {
	s.mu.Lock()
	oldest := -1
	for f := range s.pend {
		if q := s.pend[f]; len(q) > 0 && (oldest < 0 || q[0].seq < s.pend[oldest][0].seq) {
			oldest = f
		}
	}
	var r *request
	if oldest >= 0 {
		q := s.pend[oldest]
		r = q[0]
		q[0] = nil
		s.pend[oldest] = q[1:]
		// The server did not apply it: undo its effect on the wire set
		// as far as it can be known.
		if r.subscribe {
			for _, a := range r.args {
				if _, held := s.tracked[r.fam][a]; !held {
					delete(s.wire[r.fam], a)
				}
			}
		}
	}
	s.mu.Unlock()
	if r == nil {
		return false
	}
	r.fail(err)
	return true
}

// startOp reports a subscribe or unsubscribe command to the hooks; it
// ends when the server has confirmed every channel, or failed.
func (s *Subscriber) startOp(cmd *proto.Cmd) conn.ActiveOp {
	if len(s.opts.Hooks) == 0 {
		return conn.ActiveOp{}
	}
	return conn.StartOp(context.Background(), s.opts.Hooks,
		conn.Op{Kind: conn.OpCommand, Name: cmd.Name(), Cmd: cmd, Addr: s.c.Addr(), DB: s.opts.DB})
}
