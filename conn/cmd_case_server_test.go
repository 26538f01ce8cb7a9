package conn_test

import (
	"strings"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
)

// refused reports whether err is the server refusing a keyword.
func refused(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	for _, m := range []string{"syntax error", "unsupported unit", "Wrong restore policy", "Invalid OVERFLOW", "only support"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// The reason for TestKeywordsAnyCase: redis-server reads every keyword of
// the table in any letter case (and refuses a bogus one, so the check
// would see a refusal).
func TestRealKeywordsAnyCase(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr()})
	setup := func() {
		testutil.Must(t, c.FlushAll(""))
		items := make([]string, 40)
		for i := range items {
			items[i] = "x"
		}
		testutil.Must(t, c.RPush("a", items...))
		testutil.Must(t, c.RPush("b", "y"))
		testutil.Must(t, c.ZAdd("z", conn.ZMember{Member: "m1", Score: 1}, conn.ZMember{Member: "m2", Score: 2},
			conn.ZMember{Member: "m3", Score: 3}, conn.ZMember{Member: "m4", Score: 4}))
		testutil.Must(t, c.GeoAdd("g", conn.GeoAddArgs{}, conn.GeoLocation{Name: "p", GeoPos: conn.GeoPos{Longitude: 13.4, Latitude: 38.1}}))
		testutil.Must(t, c.Set("k", "abc"))
	}
	for _, kc := range keywordCases() {
		setup()
		for _, v := range kc.values {
			for _, s := range spellings(v) {
				args := kc.wire(s)
				do := make([]any, len(args))
				for i, a := range args {
					do[i] = a
				}
				if _, err := testutil.Wait(t, c.Do(do...)); refused(err) {
					t.Errorf("%s: the server refused %q: %v", kc.name, s, err)
				}
			}
		}
		args := kc.wire("bogus")
		do := make([]any, len(args))
		for i, a := range args {
			do[i] = a
		}
		if _, err := testutil.Wait(t, c.Do(do...)); !refused(err) {
			t.Errorf("%s: the server did not refuse a bogus keyword (%v): the check sees nothing", kc.name, err)
		}
	}
}
