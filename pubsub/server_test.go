package pubsub_test

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pubsub"
)

func TestRealConfirmationShapes(t *testing.T) {
	srv := testserver.Start(t)
	s := subscriber(t, pubsub.Options{Options: conn.Options{Addr: srv.Addr()}}, nil)
	type C = pubsub.Confirmation
	steps := []struct {
		name string
		have func() []C
		want []C
	}{
		{"subscribe", func() []C { return testutil.Must(t, s.Subscribe("a", "b")) },
			[]C{{"subscribe", "a", 1}, {"subscribe", "b", 2}}},
		{"psubscribe", func() []C { return testutil.Must(t, s.PSubscribe("p*")) },
			[]C{{"psubscribe", "p*", 3}}},
		{"ssubscribe", func() []C { return testutil.Must(t, s.SSubscribe("s1")) },
			[]C{{"ssubscribe", "s1", 1}}},
		{"unsubscribe one", func() []C { return testutil.Must(t, s.Unsubscribe("a")) },
			[]C{{"unsubscribe", "a", 2}}},
		{"unsubscribe all", func() []C { return testutil.Must(t, s.Unsubscribe()) },
			[]C{{"unsubscribe", "b", 1}}},
		{"unsubscribe all with none", func() []C { return testutil.Must(t, s.Unsubscribe()) },
			[]C{{"unsubscribe", "", 1}}},
		{"punsubscribe all", func() []C { return testutil.Must(t, s.PUnsubscribe()) },
			[]C{{"punsubscribe", "p*", 0}}},
		{"sunsubscribe all", func() []C { return testutil.Must(t, s.SUnsubscribe()) },
			[]C{{"sunsubscribe", "s1", 0}}},
	}
	for _, st := range steps {
		have := st.have()
		if fmt.Sprint(have) != fmt.Sprint(st.want) {
			t.Fatalf("%s: have %+v, want %+v", st.name, have, st.want)
		}
	}
	// Several requests in flight at once, of different kinds, each get
	// their own confirmations.
	d1 := s.Subscribe("x", "y", "z")
	d2 := s.PSubscribe("q*")
	d3 := s.Unsubscribe()
	d4 := s.Subscribe("x")
	for i, c := range []struct {
		have []C
		want string
	}{
		{testutil.Must(t, d1), "[{subscribe x 1} {subscribe y 2} {subscribe z 3}]"},
		{testutil.Must(t, d2), "[{psubscribe q* 4}]"},
		{testutil.Must(t, d3), "[{unsubscribe x 3} {unsubscribe y 2} {unsubscribe z 1}]"},
		{testutil.Must(t, d4), "[{subscribe x 2}]"},
	} {
		// The order of an unsubscribe-all is the server's; compare as sets.
		if !sameConfs(c.have, c.want) {
			t.Fatalf("request %d: have %v, want %s", i+1, c.have, c.want)
		}
	}
	if have := fmt.Sprint(s.Channels(), s.Patterns(), s.ShardChannels()); have != "[x] [q*] []" {
		t.Fatalf("tracked: %s", have)
	}
	v := testutil.Must(t, s.Do("unsubscribe", "x"))
	if v.String() == "" || len(v.Elems) != 1 || v.Elems[0].Elems[1].Str != "x" {
		t.Fatalf("Do(UNSUBSCRIBE): %v", v)
	}
}

func sameConfs(have []pubsub.Confirmation, want string) bool {
	if fmt.Sprint(have) == want {
		return true
	}
	parts := strings.Fields(strings.NewReplacer("[", "", "]", "", "{", "", "}", "").Replace(want))
	if len(parts) != 3*len(have) {
		return false
	}
	seen := map[string]bool{}
	for _, c := range have {
		seen[c.Kind+" "+c.Channel] = true
	}
	for i := 0; i < len(parts); i += 3 {
		if !seen[parts[i]+" "+parts[i+1]] {
			return false
		}
	}
	return true
}

func TestRealManyMessagesInOrder(t *testing.T) {
	srv := testserver.Start(t)
	for _, protocol := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(protocol), func(t *testing.T) {
			const channels, perChannel = 50, 200
			var got collector
			s := subscriber(t, pubsub.Options{Options: conn.Options{Addr: srv.Addr(), Protocol: protocol}}, &got)
			names := make([]string, channels)
			for i := range names {
				names[i] = "ch" + strconv.Itoa(i)
			}
			testutil.Must(t, s.Subscribe(names...))
			pub := publisher(t, conn.Options{Addr: srv.Addr()})
			start := time.Now()
			for i := 0; i < perChannel; i++ {
				for _, ch := range names {
					pub.Do("PUBLISH", ch, strconv.Itoa(i))
				}
			}
			msgs := got.waitCount(t, channels*perChannel)
			took := time.Since(start)
			next := map[string]int{}
			for _, m := range msgs {
				if m.Payload != strconv.Itoa(next[m.Channel]) {
					t.Fatalf("channel %s: have %q, want %d", m.Channel, m.Payload, next[m.Channel])
				}
				next[m.Channel]++
			}
			if len(msgs) != channels*perChannel || len(next) != channels || s.Dropped() != 0 {
				t.Fatalf("%d messages on %d channels, %d dropped", len(msgs), len(next), s.Dropped())
			}
			t.Logf("%d messages across %d channels published and delivered in %v", len(msgs), channels, took)
		})
	}
}

func TestRealPatternAndShardMessages(t *testing.T) {
	srv := testserver.Start(t)
	var got collector
	s := subscriber(t, pubsub.Options{Options: conn.Options{Addr: srv.Addr()}}, &got)
	testutil.Must(t, s.PSubscribe("news.*"))
	testutil.Must(t, s.Subscribe("plain"))
	testutil.Must(t, s.SSubscribe("shard{1}"))
	pub := publisher(t, conn.Options{Addr: srv.Addr()})
	testutil.Must(t, pub.Do("PUBLISH", "news.sport", "goal"))
	testutil.Must(t, pub.Do("PUBLISH", "plain", "hello"))
	testutil.Must(t, pub.Do("SPUBLISH", "shard{1}", "sharded"))
	msgs := got.waitCount(t, 3)
	want := []pubsub.Message{
		{Pattern: "news.*", Channel: "news.sport", Payload: "goal"},
		{Channel: "plain", Payload: "hello"},
		{Channel: "shard{1}", Payload: "sharded"},
	}
	if fmt.Sprint(msgs) != fmt.Sprint(want) {
		t.Fatalf("have %+v, want %+v", msgs, want)
	}
}

func TestRealChannelDeliveryMarksShardMessages(t *testing.T) {
	srv := testserver.Start(t)
	s := subscriber(t, pubsub.Options{Options: conn.Options{Addr: srv.Addr()}, Channel: true}, nil)
	testutil.Must(t, s.SSubscribe("orders"))
	pub := publisher(t, conn.Options{Addr: srv.Addr()})
	testutil.Must(t, pub.Do("SPUBLISH", "orders", "1"))
	select {
	case m := <-s.Messages():
		if m != (pubsub.Message{Channel: "orders", Payload: "1", Shard: true}) {
			t.Fatalf("have %+v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no message on the channel")
	}
}

func TestRealResubscribeAfterRestart(t *testing.T) {
	srv := testserver.Start(t)
	var got collector
	type resub struct{ channels, patterns, shards []string }
	resubscribed := make(chan resub, 4)
	opts := pubsub.Options{
		Options: conn.Options{Addr: srv.Addr()},
		OnResubscribed: func(c, p, s []string) {
			resubscribed <- resub{c, p, s}
		},
	}
	s := subscriber(t, opts, &got)
	testutil.Must(t, s.Subscribe("a", "b"))
	testutil.Must(t, s.PSubscribe("p.*"))
	testutil.Must(t, s.SSubscribe("sh"))
	testutil.Must(t, s.Unsubscribe("b"))

	srv.Kill()
	srv.Restart()
	var r resub
	select {
	case r = <-resubscribed:
	case <-time.After(10 * time.Second):
		t.Fatal("OnResubscribed not called after the server restarted")
	}
	if have := fmt.Sprint(r.channels, r.patterns, r.shards); have != "[a] [p.*] [sh]" {
		t.Fatalf("resubscribed %s, want [a] [p.*] [sh]", have)
	}
	pub := publisher(t, conn.Options{Addr: srv.Addr()})
	testutil.Must(t, pub.Do("PUBLISH", "b", "unsubscribed"))
	testutil.Must(t, pub.Do("PUBLISH", "a", "1"))
	testutil.Must(t, pub.Do("PUBLISH", "p.x", "2"))
	testutil.Must(t, pub.Do("SPUBLISH", "sh", "3"))
	msgs := got.waitCount(t, 3)
	want := []pubsub.Message{{Channel: "a", Payload: "1"}, {Pattern: "p.*", Channel: "p.x", Payload: "2"}, {Channel: "sh", Payload: "3"}}
	if fmt.Sprint(msgs) != fmt.Sprint(want) {
		t.Fatalf("after restart: have %+v, want %+v", msgs, want)
	}
	if st := s.Stats(); st.Reconnects != 1 {
		t.Fatalf("stats %+v, want 1 reconnect", st)
	}
	// The server holds exactly what the subscriber tracks.
	numsub := testutil.Must(t, pub.Do("PUBSUB", "NUMSUB", "a", "b"))
	if numsub.String() == "" || numsub.Elems[1].Int != 1 || numsub.Elems[3].Int != 0 {
		t.Fatalf("PUBSUB NUMSUB a b: %v", numsub)
	}
}

func TestRealSlowConsumerDoesNotStallOthers(t *testing.T) {
	srv := testserver.Start(t)
	for _, policy := range []pubsub.Overflow{pubsub.Drop, pubsub.Block} {
		t.Run(policy.String(), func(t *testing.T) {
			const blockFor = 20 * time.Millisecond
			var handled sync.WaitGroup
			stop := make(chan struct{})
			opts := pubsub.Options{Options: conn.Options{Addr: srv.Addr()}, BufferSize: 8, Overflow: policy, BlockTimeout: blockFor}
			s := subscriber(t, opts, pubsub.HandlerFunc(func(_, _, _ string) {
				handled.Add(1)
				defer handled.Done()
				select { // a slow consumer: 50ms per message
				case <-time.After(50 * time.Millisecond):
				case <-stop:
				}
			}))
			defer close(stop)
			testutil.Must(t, s.Subscribe("slow"))
			other := publisher(t, conn.Options{Addr: srv.Addr()})
			sent := 200
			if policy == pubsub.Block {
				sent = 40 // the reader waits up to BlockTimeout per message
			}
			start := time.Now()
			for i := 0; i < sent; i++ {
				other.Do("PUBLISH", "slow", strconv.Itoa(i))
			}
			// Another connection keeps answering at once.
			if _, err := testutil.Wait(t, other.Ping()); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("publishing and a PING on another connection took %v", d)
			}
			// The subscriber's reader gets through the burst: every message
			// is received, and all but the few that fit are dropped.
			testutil.Eventually(t, func() error {
				if st := s.Stats(); st.Received != uint64(sent) || st.Dropped == 0 {
					return fmt.Errorf("stats %+v", st)
				}
				return nil
			})
			took := time.Since(start)
			st := s.Stats()
			// Drop keeps only what fits (the buffer, plus what the handler
			// took while the burst arrived); Block also saves messages for
			// which room was made within BlockTimeout.
			if policy == pubsub.Drop && (st.Dropped > uint64(sent-8) || st.Dropped < uint64(sent-8-10)) {
				t.Fatalf("stats %+v: want about %d dropped", st, sent-9)
			}
			if policy == pubsub.Block && took > time.Duration(sent)*blockFor+2*time.Second {
				t.Fatalf("reader took %v for %d messages with BlockTimeout %v", took, sent, blockFor)
			}
			t.Logf("%s: %d received, %d dropped, reader through the burst in %v", policy, st.Received, st.Dropped, took)
			if _, err := testutil.Wait(t, s.Ping()); err != nil {
				t.Fatalf("subscriber PING: %v", err)
			}
		})
	}
}

func TestRealPassword(t *testing.T) {
	srv := testserver.Start(t, "--requirepass", "s3cret")
	var got collector
	s := subscriber(t, pubsub.Options{Options: conn.Options{Addr: srv.Addr(), Password: "s3cret"}}, &got)
	testutil.Must(t, s.Subscribe("auth"))
	pub := publisher(t, conn.Options{Addr: srv.Addr(), Password: "s3cret"})
	testutil.Must(t, pub.Do("PUBLISH", "auth", "ok"))
	if have := got.waitCount(t, 1); have[0].Payload != "ok" {
		t.Fatalf("have %+v", have)
	}
	_, err := testutil.Wait(t, pubsub.Connect(pubsub.Options{Options: conn.Options{Addr: srv.Addr(), Password: "wrong"}}, nil))
	if !errors.Is(err, conn.ErrConnection) || !strings.Contains(err.Error(), "WRONGPASS") {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestRealRESP3AndPing(t *testing.T) {
	srv := testserver.Start(t)
	for _, protocol := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(protocol), func(t *testing.T) {
			var got collector
			s := subscriber(t, pubsub.Options{Options: conn.Options{Addr: srv.Addr(), Protocol: protocol}}, &got)
			if have := testutil.Must(t, s.Ping()); have != "PONG" {
				t.Fatalf("PING before subscribing: %q", have)
			}
			testutil.Must(t, s.Subscribe("r"))
			testutil.Must(t, s.PSubscribe("r*"))
			if have := testutil.Must(t, s.Ping()); have != "PONG" {
				t.Fatalf("PING while subscribed: %q", have)
			}
			pub := publisher(t, conn.Options{Addr: srv.Addr(), Protocol: protocol})
			testutil.Must(t, pub.Do("PUBLISH", "r", "x"))
			msgs := got.waitCount(t, 2)
			want := []pubsub.Message{{Channel: "r", Payload: "x"}, {Pattern: "r*", Channel: "r", Payload: "x"}}
			if fmt.Sprint(msgs) != fmt.Sprint(want) {
				t.Fatalf("have %+v, want %+v", msgs, want)
			}
			// Do returns the raw reply: RESP2 answers a subscribed PING
			// with ["pong", ""], RESP3 with +PONG.
			have := testutil.Must(t, s.Do("PING"))
			if protocol == 2 && (len(have.Elems) != 2 || have.Elems[0].Str != "pong") || protocol == 3 && have.Str != "PONG" {
				t.Fatalf("Do(PING): %v", have)
			}
		})
	}
}

func TestRealMonitor(t *testing.T) {
	srv := testserver.Start(t)
	lines := make(chan string, 100)
	m := testutil.Must(t, pubsub.ConnectMonitor(pubsub.Options{Options: conn.Options{Addr: srv.Addr()}}, func(line string) {
		lines <- line
	}))
	c := publisher(t, conn.Options{Addr: srv.Addr()})
	testutil.Must(t, c.Set("watched", "value"))
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l := <-lines:
			if strings.Contains(l, `"SET" "watched" "value"`) {
				goto restart
			}
		case <-deadline:
			t.Fatal("MONITOR did not report the SET")
		}
	}
restart:
	// After a restart the monitor is redialled and monitors again: a SET
	// made once it is back is reported (earlier ones fall in the gap).
	srv.Kill()
	srv.Restart()
	testutil.Eventually(t, func() error {
		c.Set("after", "restart")
		for {
			select {
			case l := <-lines:
				if strings.Contains(l, `"SET" "after" "restart"`) {
					return nil
				}
			case <-time.After(20 * time.Millisecond):
				return errors.New("no SET reported since the restart")
			}
		}
	})
	testutil.Must(t, m.Stop())
	if m.Stats().Received < 2 {
		t.Fatalf("stats %+v", m.Stats())
	}
}

func TestRealNoGoroutineLeak(t *testing.T) {
	srv := testserver.Start(t)
	before := runtime.NumGoroutine()
	for _, channel := range []bool{false, true} {
		var got collector
		opts := pubsub.Options{Options: conn.Options{Addr: srv.Addr()}, Channel: channel, PingInterval: 10 * time.Millisecond}
		s := testutil.Must(t, pubsub.Connect(opts, &got))
		testutil.Must(t, s.Subscribe("leak"))
		pub := testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr()}))
		for i := 0; i < 100; i++ {
			pub.Do("PUBLISH", "leak", "m")
		}
		testutil.Must(t, pub.Ping())
		testutil.Must(t, pub.Disconnect())
		testutil.Must(t, s.Disconnect())
		lazy := pubsub.New(opts, nil)
		testutil.Must(t, lazy.Subscribe("lazy"))
		testutil.Must(t, lazy.Disconnect())
		m := testutil.Must(t, pubsub.ConnectMonitor(opts, func(string) {}))
		testutil.Must(t, m.Disconnect())
	}
	testutil.CheckGoroutines(t, before)
}
