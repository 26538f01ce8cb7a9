package shard_test

import (
	"context"
	"slices"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/hooktest"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/shard"
)

func TestHooksSeeTheCommandsOfARingOnTheirNodes(t *testing.T) {
	_, addrs := minis(t, 2)
	rec := hooktest.New()
	for name, r := range map[string]*shard.Ring{
		"connections": testutil.Must(t, shard.Connect(addrs, conn.Options{Hooks: []conn.Hook{rec}})),
		"pools":       testutil.Must(t, shard.ConnectPool(addrs, pool.Options{Options: conn.Options{Hooks: []conn.Hook{rec}}, PoolSize: 2})),
	} {
		t.Run(name, func(t *testing.T) {
			defer func() { testutil.Must(t, r.Disconnect()) }()
			rec.Reset()
			a, b := twoShardKeys(t, r)
			ctx := context.WithValue(context.Background(), hooktest.Key{}, "req")
			rc := r.WithContext(ctx)
			testutil.Must(t, rc.Set(a, "1"))
			testutil.Must(t, rc.Set(b, "2"))
			testutil.Must(t, rc.MGet(a, b)) // split in two, one part per node

			sets := rec.Find(conn.OpCommand, "SET")
			if len(sets) != 2 || sets[0].Addr != r.Shard(a) || sets[1].Addr != r.Shard(b) {
				t.Fatalf("SETs: %s", hooktest.Dump(rec.Events()))
			}
			mgets := rec.Find(conn.OpCommand, "MGET")
			var at []string
			for _, e := range mgets {
				at = append(at, e.Addr)
				if e.Value != "req" {
					t.Errorf("a part of MGET lost the context: %v", e)
				}
			}
			slices.Sort(at)
			want := []string{r.Shard(a), r.Shard(b)}
			slices.Sort(want)
			if !slices.Equal(at, want) {
				t.Fatalf("MGET parts answered by %v, want %v", at, want)
			}

			// A pipeline on one shard is reported without an address:
			// the ring spans several servers.
			rec.Reset()
			p := rc.Pipeline()
			p.Get(a)
			p.Incr(a)
			testutil.Must(t, p.Execute())
			ps := rec.Find(conn.OpPipeline, "PIPELINE")
			if len(ps) != 1 || ps[0].Addr != "" || ps[0].Size != 2 || ps[0].Value != "req" {
				t.Fatalf("pipeline: %s", hooktest.Dump(rec.Events()))
			}
			if cmds := rec.Commands(); !slices.Equal(cmds, []string{"GET@" + r.Shard(a) + " batched", "INCR@" + r.Shard(a) + " batched"}) {
				t.Fatalf("pipelined commands: %v", cmds)
			}

			st := r.Stats()
			if st.Nodes != 2 || st.Open != st.Conns || st.Conns < 2 {
				t.Fatalf("stats: %+v", st)
			}
		})
	}
}
