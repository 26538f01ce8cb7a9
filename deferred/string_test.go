package deferred

import (
	"fmt"
	"strings"
	"testing"
)

// String reads as Twisted's repr (test_repr, test_reprWithResult,
// test_reprWithChaining).
func TestString(t *testing.T) {
	d := New[string](nil)
	addr := fmt.Sprintf("%p", d)
	if have, want := d.String(), "<Deferred[string] at "+addr+">"; have != want {
		t.Errorf("pending: have %q, want %q", have, want)
	}
	d.Callback("orange")
	if have, want := fmt.Sprint(d), "<Deferred[string] at "+addr+` current result: "orange">`; have != want {
		t.Errorf("fired: have %q, want %q", have, want)
	}

	a := New[int](nil)
	b := a.Then(func(v int) (int, error) { return v, nil })
	if have, want := b.String(), fmt.Sprintf("<Deferred[int] at %p waiting on Deferred at %p>", b, a); have != want {
		t.Errorf("waiting: have %q, want %q", have, want)
	}
	a.Errback(errTest)
	if have := b.String(); !strings.HasSuffix(have, " failed: test error>") {
		t.Errorf("failed: have %q", have)
	}

	long := Succeed(strings.Repeat("x", 1000))
	if have := long.String(); len(have) > 300 || !strings.Contains(have, "...") {
		t.Errorf("a long result is not cut: %d bytes", len(have))
	}
}
