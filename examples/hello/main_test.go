package main

import (
	"strings"
	"testing"

	"github.com/txredis/txredis/internal/testserver"
)

func TestHello(t *testing.T) {
	m := testserver.Mini(t)
	var out strings.Builder
	if err := run(m.Addr(), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "txredis:example:hello:foo: bar\n") {
		t.Fatalf("output:\n%s", out.String())
	}
	if v, _ := m.Get("txredis:example:hello:foo"); v != "bar" {
		t.Fatalf("server has foo=%q", v)
	}
}
