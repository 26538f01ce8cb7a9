package shard_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/shard"
)

// Ring.ScanSeq visits every node; keyed iterators go to their key's node.
func TestRingScanSeq(t *testing.T) {
	r, byAddr := miniRing(t, 3)
	keys := keysOnShards(t, r, "scan:", 300)
	for _, k := range keys {
		testutil.Must(t, r.Set(k, "v"))
	}
	seen := map[string]bool{}
	for k, err := range r.ScanSeq(t.Context(), conn.ScanArgs{Match: "scan:*", Count: 25}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[k] = true
	}
	if len(seen) != len(keys) {
		t.Errorf("Ring.ScanSeq: %d keys, want %d over %d nodes", len(seen), len(keys), len(byAddr))
	}
	for i := 0; i < 50; i++ {
		testutil.Must(t, r.HSet("scan:hash", "f"+strconv.Itoa(i), "v"))
	}
	n := 0
	for _, err := range r.HScanSeq(t.Context(), "scan:hash", conn.ScanArgs{Count: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 50 {
		t.Errorf("Ring.HScanSeq: %d fields, want 50", n)
	}

	// A node that is down ends the iteration with an error naming it.
	var down string
	for addr, m := range byAddr {
		down = addr
		m.Close()
		break
	}
	var last error
	for _, err := range r.ScanSeq(t.Context(), conn.ScanArgs{Match: "scan:*"}) {
		last = err
	}
	var serr *shard.ShardError
	if !errors.As(last, &serr) || serr.Node != down || !errors.Is(last, conn.ErrConnection) {
		t.Errorf("with %s down: last error %v, want a ShardError naming it", down, last)
	}
}
