package main

import (
	"context"
	"encoding/json"
	"expvar"
	"strings"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
)

func TestExportsStats(t *testing.T) {
	m := testserver.Mini(t)
	vars := new(expvar.Map) // not published: the test may run more than once
	var out strings.Builder
	if err := run(context.Background(), m.Addr(), vars, &out, ""); err != nil {
		t.Fatal(err)
	}
	var got map[string]conn.Stats
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
		t.Fatalf("output is not the JSON of the stats: %v\n%s", err, out.String())
	}
	if p := got["pool"]; p.PoolSize != 4 || p.Open != 4 || p.Leased != 1 || p.Transactions != 1 || p.Dials != 4 {
		t.Errorf("pool: %+v", p)
	}
	if r := got["ring"]; r.Nodes != 1 || r.Conns != 1 || r.Open != 1 {
		t.Errorf("ring: %+v", r)
	}
	if s := got["subscriber"]; s.Received != 1 || s.Open != 1 || s.Conns != 1 {
		t.Errorf("subscriber: %+v", s)
	}
}
