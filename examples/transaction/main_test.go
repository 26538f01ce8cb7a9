package main

import (
	"strings"
	"testing"

	"github.com/txredis/txredis/internal/testserver"
)

func TestTransaction(t *testing.T) {
	for _, tc := range []struct {
		name    string
		foo     string // "" leaves foo unset
		fooLine string
	}{
		{"foo missing", "", "foo= (nil)\n"},
		{"foo set", "bar", "foo= bar\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testserver.Mini(t)
			const p = "txredis:example:transaction:"
			m.Set(p+"a2", "stale") // deleted by the program before MULTI
			m.Set(p+"a4", "kept")
			if tc.foo != "" {
				m.Set(p+"foo", tc.foo)
			}
			var out strings.Builder
			if err := run(m.Addr(), &out); err != nil {
				t.Fatal(err)
			}
			have := out.String()
			t.Logf("output:\n%s", have)
			want := "keys a1, a2, a3 and foo are txredis:example:transaction:...\n" +
				"queued: SET a1 1, SET a2 2, SET a3 3, GET a1\n" +
				"t.Get(a1) fired before commit: false\n" +
				tc.fooLine +
				"commit= [OK OK OK \"1\"]\n" +
				"t.Get(a1) fired at commit with \"1\"\n"
			if have != want {
				t.Errorf("output:\n%s\nwant:\n%s", have, want)
			}
			for k, want := range map[string]string{"a1": "1", "a2": "2", "a3": "3", "a4": "kept"} {
				if v, err := m.Get(p + k); err != nil || v != want {
					t.Errorf("server has %s=%q (%v), want %q", k, v, err, want)
				}
			}
		})
	}
}

// TestTransactionRealServer runs the program on redis-server, where the
// transaction and the pool's GET really run on two connections.
func TestTransactionRealServer(t *testing.T) {
	srv := testserver.Start(t)
	var out strings.Builder
	if err := run(srv.Addr(), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "commit= [OK OK OK \"1\"]\n") {
		t.Errorf("output:\n%s", out.String())
	}
}
