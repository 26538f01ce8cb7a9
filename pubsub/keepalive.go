package pubsub

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/proto"
)

// ErrNotAllowed matches commands that Do refuses because they are not
// valid on a subscriber connection. Test with errors.Is; such errors also
// match conn.ErrBadArgs.
var ErrNotAllowed = errors.New("txredis/pubsub: command not allowed on a subscriber connection")

// keepalive sends a PING every PingInterval while connected, one at a
// time. A PING left unanswered for PingTimeout (the connection's
// ReplyTimeout) breaks the connection, which is then redialled.
func (s *Subscriber) keepalive() {
	defer close(s.keepaliveDone)
	if s.opts.PingInterval <= 0 {
		<-s.stop
		return
	}
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		up := s.state == conn.StateConnected && !s.closing
		s.mu.Unlock()
		if !up || !s.pinging.CompareAndSwap(false, true) {
			continue
		}
		s.Ping().Observe(func(string, error) { s.pinging.Store(false) })
	}
}

// Ping sends PING and fires with "PONG". It works subscribed or not, on
// RESP2 (where a subscribed connection answers ["pong", ""]) and RESP3.
// A PING unanswered within PingTimeout breaks the connection.
func (s *Subscriber) Ping() *deferred.Deferred[string] {
	r := &pingRequest{s: s}
	s.Conn().Send(proto.NewCmd("PING"), r)
	return &r.d
}

// pingRequest resolves a PING. A PING never fails on its own, so an error
// reply it receives belongs to a subscribe command written before it (an
// error reply to a subscribe takes the place of its confirmations and, with
// a PING pending, is matched to the PING): it is handed to that request,
// and the PING counts as answered, the server being alive. Its own reply
// then arrives with nothing pending and is ignored.
type pingRequest struct {
	d deferred.Deferred[string]
	s *Subscriber
}

func (r *pingRequest) Resolve(v proto.Value, err error) {
	if err == nil && v.IsError() {
		if r.s.failOldest(v.Err()) {
			_ = r.d.Callback("PONG")
			return
		}
		err = v.Err()
	}
	var str string
	if err == nil {
		str, err = pong(v)
	}
	_ = r.d.Resolve(str, err)
}

func pong(v proto.Value) (string, error) {
	if (v.Kind == proto.Array || v.Kind == proto.Push) && len(v.Elems) > 0 {
		v = v.Elems[0]
	}
	str, err := v.AsString()
	if err != nil {
		return "", err
	}
	return strings.ToUpper(str), nil
}

// Do sends one of the commands valid on a subscriber connection, given as
// its name and arguments, and fires with the raw reply. SUBSCRIBE and the
// other five subscription commands go through the same bookkeeping as
// their methods and fire with an array of [kind, channel, count] arrays;
// PING, QUIT and RESET are sent as they are (a RESET forgets every
// subscription). Anything else fails with ErrNotAllowed before sending.
func (s *Subscriber) Do(args ...string) *deferred.Deferred[proto.Value] {
	if len(args) == 0 {
		return deferred.Fail[proto.Value](handle.BadArgs("Do", "no command given"))
	}
	name := strings.ToUpper(args[0])
	for f, pair := range commands {
		for verb, cmd := range pair {
			if name == cmd {
				return deferred.Then(s.request(family(f), verb == 0, args[1:]), confirmationsValue)
			}
		}
	}
	switch name {
	case "PING", "QUIT", "RESET":
	default:
		return deferred.Fail[proto.Value](fmt.Errorf("%w: %s: %w", conn.ErrBadArgs, name, ErrNotAllowed))
	}
	cmd := proto.NewCmd(name)
	for _, a := range args[1:] {
		cmd.Arg(a)
	}
	d := handle.Request(s.Conn(), cmd, handle.Identity)
	if name == "RESET" {
		d = d.Then(func(v proto.Value) (proto.Value, error) {
			s.forget()
			return v, nil
		})
	}
	return d
}

// forget drops every tracked subscription (after RESET).
func (s *Subscriber) forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for f := range s.tracked {
		clear(s.tracked[f])
		clear(s.wire[f])
	}
}

func confirmationsValue(cs []Confirmation) (proto.Value, error) {
	out := make([]proto.Value, len(cs))
	for i, c := range cs {
		out[i] = proto.ArrayValue(proto.BulkValue(c.Kind), proto.BulkValue(c.Channel), proto.IntValue(c.Count))
	}
	return proto.ArrayValue(out...), nil
}
