package conn_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/txredis/txredis/conn"
)

// A Nullable prints as the value it holds, or <nil> (it used to print
// its fields: {a true}, { false}).
func TestNullablePrints(t *testing.T) {
	a := conn.Nullable[string]{V: "a", Valid: true}
	none := conn.Nullable[string]{}
	n := conn.Nullable[int64]{V: 5, Valid: true}
	for _, tc := range []struct{ have, want string }{
		{fmt.Sprint(a), "a"},
		{fmt.Sprint(none), "<nil>"},
		{a.String(), "a"},
		{none.String(), "<nil>"},
		{fmt.Sprint([]conn.Nullable[string]{a, none, {V: "c", Valid: true}}), "[a <nil> c]"},
		{fmt.Sprintf("%q", a), `"a"`},
		{fmt.Sprintf("%5d|%-6v|%6v", n, none, none), "    5|<nil> | <nil>"},
		{fmt.Sprintf("%+v", n), "5"},
		{fmt.Sprintf("%#v", a), `conn.Nullable[string]{V:"a", Valid:true}`},
		{fmt.Sprintf("%#v", none), `conn.Nullable[string]{V:"", Valid:false}`},
		{fmt.Sprint(conn.Nullable[float64]{V: 1.5, Valid: true}), "1.5"},
	} {
		if tc.have != tc.want {
			t.Errorf("have %q, want %q", tc.have, tc.want)
		}
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("mget", "v", []conn.Nullable[string]{a, none})
	if !strings.Contains(buf.String(), "v=\"[a <nil>]\"") {
		t.Errorf("slog: %s", buf.String())
	}
}
