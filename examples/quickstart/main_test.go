package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/internal/testserver"
)

// wantLines are the lines every run prints, in this order, whatever the
// servers' addresses.
var wantLines = []string{
	"== a connection: conn.Connect",
	"SET foo bar -> OK",
	"GET foo -> bar",
	"chain: SET counter 41, then INCR counter -> 42",
	"GET missing -> (no such key: Catch recovered the chain)",
	"DEL foo counter -> 2",
	"== a pool: pool.Connect, PoolSize 4",
	"100 goroutines sent INCR hits at once; GET hits -> 100",
	"== a lazy connection: lazy.Connection",
	"SET lazy yes, sent right away -> OK (state now: connected)",
	"== a sharded connection: shard.Connect over two servers",
	"MGET key00..key09 (split per server, in key order) -> value00 value01 value02 value03 value04 value05 value06 value07 value08 value09",
	"== a transaction: Multi, Commit",
	"queued SET tx:a 1, SET tx:b 2, INCR tx:a; INCR fired yet: false",
	"commit -> [OK OK (integer) 2]",
	"the INCR's Deferred[int64] fired with 2",
	"== publish/subscribe: pubsub.Connect, PUBLISH from the pool",
	"SUBSCRIBE channel -> 1 subscription",
	`handler got "hello from the pool" on channel`,
	"PUBLISH channel -> receivers: 1",
}

// checkInOrder fails unless every want line is a line of have, in order.
func checkInOrder(t *testing.T, have string, want []string) {
	t.Helper()
	lines := strings.Split(have, "\n")
	i := 0
	for _, w := range want {
		for i < len(lines) && lines[i] != w {
			i++
		}
		if i == len(lines) {
			t.Fatalf("output lacks %q (or has it out of order):\n%s", w, have)
		}
	}
}

func TestQuickstart(t *testing.T) {
	a, b := testserver.Mini(t), testserver.Mini(t)
	var out strings.Builder
	start := time.Now()
	if err := run(a.Addr(), b.Addr(), &out); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	have := out.String()
	t.Logf("took %v; output:\n%s", took, have)
	checkInOrder(t, have, wantLines)
	for _, want := range []string{
		"connected to " + a.Addr() + "\n",
		fmt.Sprintf("shard.Ring(%s, %s)\n", a.Addr(), b.Addr()),
	} {
		if !strings.Contains(have, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if !strings.Contains(have, "handle returned at once, state: ") {
		t.Errorf("output lacks the lazy handle's state")
	}

	// The server state each section left, under the tour's prefix.
	const prefix = "txredis:example:quickstart:"
	for k, want := range map[string]string{"hits": "100", "lazy": "yes", "tx:a": "2", "tx:b": "2"} {
		if v, _ := a.Get(prefix + k); v != want {
			t.Errorf("server has %s=%q, want %q", k, v, want)
		}
	}
	if a.Exists(prefix+"foo") || a.Exists(prefix+"counter") {
		t.Errorf("foo or counter not deleted")
	}
	// Each key is on the server the output names, with its value.
	servers := map[string]*miniredis.Miniredis{a.Addr(): a, b.Addr(): b}
	for i := range 10 {
		key := fmt.Sprintf("key%02d", i)
		var node string
		for addr := range servers {
			if strings.Contains(have, key+" is on "+addr+"\n") {
				node = addr
			}
		}
		if node == "" {
			t.Fatalf("output does not say where %s is", key)
		}
		for addr, m := range servers {
			v, _ := m.Get(prefix + key)
			if (addr == node) != (v == fmt.Sprintf("value%02d", i)) {
				t.Errorf("%s on %s is %q; the output says it is on %s", key, addr, v, node)
			}
		}
	}
	if took > 5*time.Second {
		t.Errorf("run took %v, want a second or two", took)
	}
}

// TestQuickstartNoSecondServer: with one server, the sharded section is
// skipped with a message and the others run.
func TestQuickstartNoSecondServer(t *testing.T) {
	a := testserver.Mini(t)
	var out strings.Builder
	if err := run(a.Addr(), "", &out); err != nil {
		t.Fatal(err)
	}
	have := out.String()
	var want []string
	for _, w := range wantLines {
		if strings.HasPrefix(w, "MGET") {
			w = "skipped: give a second server with -addr2"
		}
		want = append(want, w)
	}
	checkInOrder(t, have, want)
	if strings.Contains(have, "shard.Ring") {
		t.Errorf("sharded section ran with one server:\n%s", have)
	}
}

// TestQuickstartRealServers takes the tour on two redis-server processes.
func TestQuickstartRealServers(t *testing.T) {
	a, b := testserver.Start(t), testserver.Start(t)
	var out strings.Builder
	if err := run(a.Addr(), b.Addr(), &out); err != nil {
		t.Fatal(err)
	}
	checkInOrder(t, out.String(), wantLines)
}

// TestQuickstartServerDown: run fails (main exits non-zero) when the
// server is not there.
func TestQuickstartServerDown(t *testing.T) {
	m := testserver.Mini(t)
	addr := m.Addr()
	m.Close()
	var out strings.Builder
	err := run(addr, "", &out)
	if err == nil || !strings.HasPrefix(err.Error(), "connection: txredis/conn: ") {
		t.Fatalf("run on a closed server: %v", err)
	}
}
