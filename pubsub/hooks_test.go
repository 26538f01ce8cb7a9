package pubsub_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/hooktest"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/pubsub"
)

func TestHooksSeeASubscribersCommands(t *testing.T) {
	m := testserver.Mini(t)
	rec := hooktest.New()
	h := &collector{}
	s := subscriber(t, pubsub.Options{Options: conn.Options{Addr: m.Addr(), Hooks: []conn.Hook{rec}}}, h)
	testutil.Must(t, s.Subscribe("a", "b"))
	testutil.Must(t, s.PSubscribe("n*"))
	testutil.Must(t, s.Ping())
	testutil.Must(t, s.Unsubscribe("a"))
	m.Publish("b", "hello")
	h.waitCount(t, 1)

	// Each request is followed by a PING that bounds its wait on a silent
	// connection; hooks see those PINGs too, beside the caller's own.
	all := rec.Commands()
	have := slices.DeleteFunc(slices.Clone(all), func(c string) bool { return c == "PING@"+m.Addr() })
	if want := []string{
		"SUBSCRIBE@" + m.Addr(), "PSUBSCRIBE@" + m.Addr(), "UNSUBSCRIBE@" + m.Addr(),
	}; !slices.Equal(have, want) || len(all)-len(have) < 1 {
		t.Fatalf("commands seen: %v, want %v and PINGs", all, want)
	}
	sub := rec.Find(conn.OpCommand, "SUBSCRIBE")[0]
	if sub.Args != `SUBSCRIBE "a" "b"` || sub.Err != nil || sub.Duration <= 0 {
		t.Fatalf("SUBSCRIBE: %+v", sub)
	}
	if len(rec.Find(conn.OpDial, "")) != 1 {
		t.Fatalf("dial not seen: %s", hooktest.Dump(rec.Events()))
	}
	if st := s.Stats(); st.Received != 1 || st.Conns != 1 || st.Open != 1 || st.Dials != 1 {
		t.Fatalf("stats: %+v", st)
	}
}

// A refused subscription ends with the server's error; after a lost
// connection the resubscription is reported too.
func TestHooksSeeRefusedSubscriptionsAndResubscriptions(t *testing.T) {
	srv := fakeserver.New(func(p *fakeserver.Peer) {
		for {
			args, err := p.ReadCommand()
			if err != nil {
				return
			}
			if args[0] == "PING" {
				p.Reply(proto.ArrayValue(proto.BulkValue("pong"), proto.BulkValue("")))
				continue
			}
			if args[1] == "forbidden" {
				p.Reply(proto.ErrorValue("NOPERM no permissions to access the 'forbidden' channel"))
				continue
			}
			for i, ch := range args[1:] {
				p.Reply(proto.ArrayValue(proto.BulkValue("subscribe"), proto.BulkValue(ch), proto.IntValue(int64(i+1))))
			}
		}
	})
	t.Cleanup(srv.Close)
	rec := hooktest.New()
	s := subscriber(t, pubsub.Options{Options: conn.Options{
		Addr: "fake:6379", Dialer: srv.Dialer, Hooks: []conn.Hook{rec},
		Backoff: func(int) time.Duration { return time.Millisecond },
	}}, &collector{})
	testutil.Must(t, s.Subscribe("news"))
	if _, err := testutil.Wait(t, s.Subscribe("forbidden")); err == nil {
		t.Fatal("forbidden channel subscribed")
	}
	subs := rec.Find(conn.OpCommand, "SUBSCRIBE")
	if len(subs) != 2 || subs[0].Err != nil || subs[1].Err == nil {
		t.Fatalf("subscriptions: %s", hooktest.Dump(rec.Events()))
	}
	rec.Reset()
	srv.CloseAll()
	rec.WaitFor(t, "the resubscription", func(evs []hooktest.Event) bool {
		return slices.ContainsFunc(evs, func(e hooktest.Event) bool {
			return e.Kind == conn.OpCommand && e.Name == "SUBSCRIBE" && e.Args == `SUBSCRIBE "news"` && e.Err == nil
		})
	})
	testutil.Eventually(t, func() error {
		if st := s.Stats(); st.Reconnects != 1 {
			return fmt.Errorf("stats after the resubscription: %+v", st)
		}
		return nil
	})
}
