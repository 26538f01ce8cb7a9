package conn_test

import (
	"errors"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// cachedModes are the ways a connection can track: RESP3 on the same
// connection in the three modes, and RESP2 through an invalidation
// connection.
var cachedModes = []struct {
	name string
	opts conn.Options
}{
	{"resp3-default", conn.Options{Protocol: 3}},
	{"resp3-bcast", conn.Options{Protocol: 3, Cache: conn.CacheOptions{Mode: conn.TrackBroadcast}}},
	{"resp3-optin", conn.Options{Protocol: 3, Cache: conn.CacheOptions{Mode: conn.TrackOptIn}}},
	{"resp2-redirect", conn.Options{Protocol: 2}},
}

func TestRealCachedHitsAndInvalidation(t *testing.T) {
	srv := testserver.Start(t)
	w := connectTo(t, conn.Options{Addr: srv.Addr()})
	for _, m := range cachedModes {
		t.Run(m.name, func(t *testing.T) {
			o := m.opts
			o.Addr = srv.Addr()
			c := connectTo(t, o)
			v := c.Cached(time.Minute)
			key := "k:" + m.name
			testutil.Must(t, w.Set(key, "v1"))
			// The first reads may go uncached while tracking is turned on.
			warm(t, v, key)
			if have := testutil.Must(t, v.Get(key)); have != "v1" {
				t.Fatalf("Get: have %q, want v1", have)
			}
			testutil.Must(t, w.Set(key, "v2"))
			testutil.Must(t, v.Sync())
			if have := testutil.Must(t, v.Get(key)); have != "v2" {
				t.Fatalf("Get after write and Sync: have %q, want v2", have)
			}
			if _, err := testutil.Wait(t, v.Get(key+":missing")); !errors.Is(err, proto.ErrNil) {
				t.Fatalf("missing: %v", err)
			}
			s := v.Stats()
			t.Logf("%+v", s)
			if s.Hits == 0 || s.Misses == 0 || s.Invalidations == 0 || s.Tracking != 1 {
				t.Fatalf("stats: %+v", s)
			}
		})
	}
}
