package shard

import (
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// nopHandle answers every command at once with OK, or with an array of
// nulls for MGET.
type nopHandle struct{}

func (nopHandle) Send(cmd *proto.Cmd, r conn.Resolver) {
	v := proto.SimpleValue("OK")
	if cmd.Name() == "MGET" {
		v = proto.ArrayValue(make([]proto.Value, cmd.Len()-1)...)
	}
	cmd.Release()
	r.Resolve(v, nil)
}

func (nopHandle) Disconnect() *deferred.Deferred[struct{}] { return deferred.Succeed(struct{}{}) }

func nopRing() *Ring {
	names := []string{"127.0.0.1:6379", "127.0.0.1:6380", "127.0.0.1:6381"}
	return newRing(names, []Handle{nopHandle{}, nopHandle{}, nopHandle{}}, config{})
}

// BenchmarkRouteSet measures the cost the ring adds to a single-key
// command: finding the key, hashing it, picking the node.
func BenchmarkRouteSet(b *testing.B) {
	r := nopRing()
	b.ReportAllocs()
	for b.Loop() {
		r.Set("user{42}:name", "v")
	}
}

// BenchmarkRouteMGet10 measures a 10-key MGET split over three nodes.
func BenchmarkRouteMGet10(b *testing.B) {
	r := nopRing()
	keys := []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"}
	b.ReportAllocs()
	for b.Loop() {
		r.MGet(keys...)
	}
}

func TestNopRingSplitsMGet(t *testing.T) {
	r := nopRing()
	v, err, ok := r.MGet("k0", "k1", "k2", "k3").Result()
	if !ok || err != nil || len(v) != 4 {
		t.Fatalf("MGET over a nop ring: %v %v %v", v, err, ok)
	}
}

// BenchmarkDirectSet is BenchmarkRouteSet without the ring: the baseline.
func BenchmarkDirectSet(b *testing.B) {
	c := conn.NewCommands(nopHandle{})
	b.ReportAllocs()
	for b.Loop() {
		c.Set("user{42}:name", "v")
	}
}
