package pool_test

import (
	"strconv"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/lazy"
	"github.com/txredis/txredis/pool"
)

// Iterating a pool holds no connection between pages: the loop body sees
// no lease, and commands sent from it are answered while the scan is
// under way. A lazy pool iterates as well, from before its first dial.
func TestScanSeqHoldsNoConnection(t *testing.T) {
	m := testserver.Mini(t)
	p := connectPool(t, opts(m.Addr(), 2))
	for i := 0; i < 200; i++ {
		m.Set("seq:"+strconv.Itoa(i), "v")
	}
	n := 0
	for k, err := range p.ScanSeq(t.Context(), conn.ScanArgs{Match: "seq:*", Count: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		if s := p.Stats(); s.Leased != 0 {
			t.Fatalf("a lease is held during the scan: %+v", s)
		}
		if v := testutil.Must(t, p.Get(k)); v != "v" {
			t.Fatalf("GET %s from the loop body: %q", k, v)
		}
		n++
	}
	if n < 200 {
		t.Errorf("scanned %d keys, want 200", n)
	}

	lp := lazy.ConnectionPool(pool.Options{Options: conn.Options{Addr: m.Addr()}, PoolSize: 2})
	defer lp.Disconnect()
	seen := map[string]bool{}
	for k, err := range lp.ScanSeq(t.Context(), conn.ScanArgs{Match: "seq:*"}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[k] = true
	}
	if len(seen) != 200 {
		t.Errorf("lazy pool scanned %d keys, want 200", len(seen))
	}
}
