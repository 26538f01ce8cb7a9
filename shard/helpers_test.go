package shard_test

import (
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/shard"
)

// minis starts n miniredis servers and returns them with their addresses.
func minis(t testing.TB, n int) ([]*miniredis.Miniredis, []string) {
	t.Helper()
	ms := make([]*miniredis.Miniredis, n)
	addrs := make([]string, n)
	for i := range ms {
		ms[i] = testserver.Mini(t)
		addrs[i] = ms[i].Addr()
	}
	return ms, addrs
}

// miniRing connects a Ring over n miniredis servers.
func miniRing(t testing.TB, n int, opts ...shard.Option) (*shard.Ring, map[string]*miniredis.Miniredis) {
	t.Helper()
	ms, addrs := minis(t, n)
	r := testutil.Must(t, shard.Connect(addrs, conn.Options{}, opts...))
	t.Cleanup(func() { testutil.Must(t, r.Disconnect()) })
	byAddr := map[string]*miniredis.Miniredis{}
	for _, m := range ms {
		byAddr[m.Addr()] = m
	}
	return r, byAddr
}

// keysOnShards returns keys "prefix<i>" until every node of r owns at
// least one, with the node of each.
func keysOnShards(t testing.TB, r *shard.Ring, prefix string, n int) []string {
	t.Helper()
	var keys []string
	seen := map[string]bool{}
	for i := 0; i < 10000 && (len(keys) < n || len(seen) < len(r.Nodes())); i++ {
		k := prefix + string(rune('a'+i%26)) + itoa(i)
		keys = append(keys, k)
		seen[r.Shard(k)] = true
	}
	if len(seen) < len(r.Nodes()) {
		t.Fatalf("keys do not cover every node")
	}
	return keys
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// twoShardKeys returns two keys owned by different nodes.
func twoShardKeys(t testing.TB, r *shard.Ring) (string, string) {
	t.Helper()
	a := "k0"
	for i := 1; i < 1000; i++ {
		b := "k" + itoa(i)
		if r.Shard(b) != r.Shard(a) {
			return a, b
		}
	}
	t.Fatal("no two keys on different shards")
	return "", ""
}
