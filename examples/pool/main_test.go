package main

import (
	"strings"
	"testing"
	"time"

	"github.com/txredis/txredis/internal/testserver"
)

// TestPoolServerAlive: nothing happens during the sleep, get finds foo.
func TestPoolServerAlive(t *testing.T) {
	m := testserver.Mini(t)
	var out strings.Builder
	slept := time.Duration(-1)
	if err := run(m.Addr(), 5*time.Second, func(d time.Duration) { slept = d }, &out); err != nil {
		t.Fatal(err)
	}
	if slept != 5*time.Second {
		t.Errorf("slept %v, want the -sleep duration 5s", slept)
	}
	have := out.String()
	for _, want := range []string{
		"connected: a pool of 10 connections to " + m.Addr() + "\n",
		"sleeping for 5s, kill redis now...\n",
		"foo: bar\n",
	} {
		if !strings.Contains(have, want) {
			t.Errorf("output lacks %q:\n%s", want, have)
		}
	}
	if v, _ := m.Get("txredis:example:pool:foo"); v != "bar" {
		t.Errorf("server has foo=%q", v)
	}
}

// TestPoolServerKilledMini: the server is closed during the sleep; get
// fails with the connection error, which is printed, and run succeeds.
func TestPoolServerKilledMini(t *testing.T) {
	m := testserver.Mini(t)
	addr := m.Addr()
	var out strings.Builder
	if err := run(addr, 10*time.Millisecond, func(time.Duration) { m.Close() }, &out); err != nil {
		t.Fatal(err)
	}
	checkKilled(t, out.String())
}

// TestPoolServerKilledReal: the same with a real redis-server killed
// with SIGKILL.
func TestPoolServerKilledReal(t *testing.T) {
	srv := testserver.Start(t)
	var out strings.Builder
	start := time.Now()
	if err := run(srv.Addr(), 10*time.Millisecond, func(time.Duration) { srv.Kill() }, &out); err != nil {
		t.Fatal(err)
	}
	checkKilled(t, out.String())
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("run took %v with the server down; commands should fail at once", d)
	}
}

func checkKilled(t *testing.T, have string) {
	t.Helper()
	t.Logf("output:\n%s", have)
	if !strings.Contains(have, "sleeping for 10ms, kill redis now...\n") {
		t.Errorf("output lacks the sleep line:\n%s", have)
	}
	if strings.Contains(have, "foo: bar") {
		t.Fatalf("get succeeded with the server down:\n%s", have)
	}
	lines := strings.Split(strings.TrimSpace(have), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "txredis/conn: ") {
		t.Errorf("last line %q is not the connection error", last)
	}
}
