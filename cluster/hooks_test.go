package cluster_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/hooktest"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// The hooks see each command on the node that answered it: a MOVED from
// one node, then the reply from the other; ASKING and the command after
// an ASK; the commands of a transaction on a slot's node.
func TestHooksSeeClusterCommandsOnTheNodeThatAnswered(t *testing.T) {
	var moved atomic.Bool
	k := keyIn("k", 0, 8191)
	ask := keyIn("a", 0, 8191)
	f := twoNodes(t, &moved, func(addr string, args []string) proto.Value {
		switch {
		case args[0] == "ASKING" || args[0] == "MULTI":
			return proto.SimpleValue("OK")
		case args[0] == "EXEC":
			return proto.ArrayValue(proto.IntValue(1))
		case args[0] == "INCR":
			return proto.SimpleValue("QUEUED")
		case addr == nodeA && moved.Load():
			return proto.ErrorValue("MOVED " + itoa(cluster.Slot(args[1])) + " " + nodeB)
		case addr == nodeA && args[1] == ask:
			return proto.ErrorValue("ASK " + itoa(cluster.Slot(ask)) + " " + nodeB)
		}
		return proto.BulkValue(addr)
	})
	rec := hooktest.New()
	c := connectFake(t, f, cluster.Options{Options: conn.Options{Hooks: []conn.Hook{rec}}}, nodeA)
	rec.Reset()
	ctx := context.WithValue(context.Background(), hooktest.Key{}, "req")
	rc := c.WithContext(ctx)

	testutil.Must(t, rc.Get(ask))
	if have, want := rec.Commands(), []string{"GET@" + nodeA, "ASKING@" + nodeB, "GET@" + nodeB}; !slices.Equal(have, want) {
		t.Fatalf("ASK: hooks saw %v, want %v", have, want)
	}
	for _, e := range rec.Events() {
		if e.Kind == conn.OpCommand && e.Value != "req" {
			t.Errorf("%v lost the context", e)
		}
	}
	if gets := hooktestFind(rec.Events(), "GET"); !errors.Is(gets[0].Err, proto.ErrAsk) {
		t.Errorf("the ASK reply: %v", gets[0].Err)
	}

	rec.Reset()
	moved.Store(true)
	testutil.Must(t, rc.Get(k))
	evs := rec.WaitFor(t, "the GET on both nodes", func(evs []hooktest.Event) bool {
		return len(hooktestFind(evs, "GET")) == 2
	})
	gets := hooktestFind(evs, "GET")
	if gets[0].Addr != nodeA || !errors.Is(gets[0].Err, proto.ErrMoved) || gets[1].Addr != nodeB || gets[1].Err != nil {
		t.Fatalf("MOVED: %s", hooktest.Dump(evs))
	}
	// The MOVED starts a refresh of the map, which after the move names
	// node B alone: whether it has ended yet is up to the scheduler, so
	// the node count is 2 before it and 1 after.
	if st := c.Stats(); st.Moved != 1 || st.Asked != 1 || st.Nodes < 1 || st.Nodes > 2 || st.Open < st.Nodes {
		t.Fatalf("stats: %+v", st)
	}

	rec.Reset()
	tx := testutil.Must(t, c.Node(k).WithContext(ctx).Multi())
	tx.Incr(k)
	testutil.Must(t, tx.Commit())
	// (The map refresh the MOVED asked for may show up too: CLUSTER
	// commands are left out.)
	have := slices.DeleteFunc(rec.Commands(), func(s string) bool { return s == "CLUSTER@"+nodeA || s == "CLUSTER@"+nodeB })
	if want := []string{"MULTI@" + nodeB + " batched", "EXEC@" + nodeB + " batched", "INCR@" + nodeB + " batched"}; !slices.Equal(have, want) {
		t.Fatalf("transaction on a node: %v, want %v", have, want)
	}
	if txs := rec.Find(conn.OpTransaction, "MULTI INCR"); len(txs) != 1 || txs[0].Addr != nodeB || txs[0].Value != "req" {
		t.Fatalf("transaction op: %s", hooktest.Dump(rec.Events()))
	}
}

func hooktestFind(evs []hooktest.Event, name string) []hooktest.Event {
	var out []hooktest.Event
	for _, e := range evs {
		if e.Kind == conn.OpCommand && e.Name == name {
			out = append(out, e)
		}
	}
	return out
}
