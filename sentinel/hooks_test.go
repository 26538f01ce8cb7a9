package sentinel_test

import (
	"context"
	"slices"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/hooktest"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/sentinel"
)

// The hooks see the discovery (SENTINEL on the sentinel, ROLE on the
// master) and the commands sent to the master.
func TestHooksSeeTheDiscoveryAndTheMastersCommands(t *testing.T) {
	const sent, master = "127.0.0.1:26001", "127.0.0.1:6001"
	g := newFakeGroup(t, map[string]func(*fakeserver.Peer){
		sent:   fakeSentinel("6001", 1, 2),
		master: fakeServer("master"),
	})
	rec := hooktest.New()
	opts := sentinel.Options{}
	opts.Dialer = g.dial
	opts.Hooks = []conn.Hook{rec}
	c := testutil.Must(t, sentinel.Connect([]string{sent}, "mymaster", opts))
	defer func() { testutil.Must(t, c.Disconnect()) }()
	rec.WaitFor(t, "the discovery", func(evs []hooktest.Event) bool {
		// (The fake sentinel confirms one channel of the event
		// subscription only, so the SUBSCRIBE never ends here.)
		return hooktest.Has(evs, conn.OpCommand, "SENTINEL") && hooktest.Has(evs, conn.OpCommand, "ROLE")
	})
	for _, e := range rec.Events() {
		want := master
		// The event subscriber follows its SUBSCRIBE with a PING (so that
		// a silent sentinel is found by PingTimeout); whether its event is
		// in yet depends on scheduling.
		if e.Name == "SENTINEL" || e.Name == "SUBSCRIBE" || (e.Name == "PING" && e.Addr == sent) {
			want = sent
		}
		if e.Kind == conn.OpCommand && e.Addr != want {
			t.Errorf("%v: want it answered by %s", e, want)
		}
	}

	rec.Reset()
	ctx := context.WithValue(context.Background(), hooktest.Key{}, "req")
	testutil.Must(t, c.WithContext(ctx).Get("k"))
	testutil.Must(t, c.Replica().Get("r")) // no replica: the master
	if have, want := rec.Commands(), []string{"GET@" + master, "GET@" + master}; !slices.Equal(have, want) {
		t.Fatalf("commands: %v, want %v", have, want)
	}
	if e := rec.Events()[0]; e.Value != "req" {
		t.Fatalf("GET lost its context: %+v", e)
	}
	if st := c.Stats(); st.Nodes != 1 || st.Open != 1 {
		t.Fatalf("stats: %+v", st)
	}
	p := c.Master().Pipeline()
	p.Get("a")
	p.Get("b")
	testutil.Must(t, p.Execute())
	if ps := rec.Find(conn.OpPipeline, "PIPELINE GET"); len(ps) != 1 || ps[0].Addr != master {
		t.Fatalf("pipeline: %s", hooktest.Dump(rec.Events()))
	}
}
