package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/txredis/txredis/internal/testserver"
)

func TestSharded(t *testing.T) {
	a, b := testserver.Mini(t), testserver.Mini(t)
	var out strings.Builder
	if err := run([]string{a.Addr(), b.Addr()}, &out); err != nil {
		t.Fatal(err)
	}
	have := out.String()
	t.Logf("output:\n%s", have)

	for _, want := range []string{
		"  MULTI: txredis/shard: ",
		"  KEYS:  txredis/shard: ",
	} {
		if !strings.Contains(have, want) {
			t.Errorf("output lacks %q", want)
		}
	}

	// The 100 values, one per line, in key order.
	var values []string
	for _, line := range strings.Split(have, "\n") {
		if strings.HasPrefix(line, "bar") {
			values = append(values, line)
		}
	}
	if len(values) != 100 {
		t.Fatalf("%d values printed, want 100", len(values))
	}
	for i, v := range values {
		if want := fmt.Sprintf("bar%02d", i); v != want {
			t.Fatalf("value %d is %q, want %q", i, v, want)
		}
	}

	// Both servers hold some of the keys, and together all of them, each
	// with its value; the printed counts are the servers' counts.
	na, nb := len(a.Keys()), len(b.Keys())
	if na == 0 || nb == 0 || na+nb != 100 {
		t.Fatalf("keys per server: %d and %d, want both > 0 and 100 in all", na, nb)
	}
	for x := range 100 {
		key := fmt.Sprintf("txredis:example:sharded:foo%02d", x)
		va, _ := a.Get(key)
		vb, _ := b.Get(key)
		if va+vb != fmt.Sprintf("bar%02d", x) {
			t.Fatalf("%s is %q on a and %q on b", key, va, vb)
		}
	}
	for _, want := range []string{
		fmt.Sprintf("%d keys on %s\n", na, a.Addr()),
		fmt.Sprintf("%d keys on %s\n", nb, b.Addr()),
	} {
		if !strings.Contains(have, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
