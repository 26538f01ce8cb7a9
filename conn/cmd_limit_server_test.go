package conn_test

import (
	"slices"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
)

// The two calls against a real server: Offset alone skips, and
// Count alone takes the first.
func TestRealLimitHalfGiven(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr()})
	testutil.Must(t, c.RPush("l", "1", "2", "3", "4", "5"))
	z := []conn.ZMember{{Member: "a", Score: 1}, {Member: "b", Score: 2}, {Member: "c", Score: 3}}
	testutil.Must(t, c.ZAdd("z", z...))
	for _, tc := range []struct {
		name string
		have []string
		want []string
	}{
		{"SORT Offset 3", testutil.Must(t, c.Sort("l", conn.SortArgs{Offset: 3})), []string{"4", "5"}},
		{"SORT Count 2", testutil.Must(t, c.Sort("l", conn.SortArgs{Count: 2})), []string{"1", "2"}},
		{"ZRANGEBYSCORE Offset 1", testutil.Must(t, c.ZRangeByScore("z", "-inf", "+inf", conn.Limit{Offset: 1})), []string{"b", "c"}},
		{"ZRANGEBYSCORE Count 1", testutil.Must(t, c.ZRangeByScore("z", "-inf", "+inf", conn.Limit{Count: 1})), []string{"a"}},
		{"ZRANGEBYLEX Offset 2", testutil.Must(t, c.ZRangeByLex("z", "-", "+", conn.Limit{Offset: 2})), []string{"c"}},
		{"ZRANGE BYSCORE REV Offset 1", testutil.Must(t, c.ZRangeWithArgs("z",
			conn.ZRangeArgs{Start: "+inf", Stop: "-inf", ByScore: true, Rev: true, Limit: conn.Limit{Offset: 1}})), []string{"b", "a"}},
	} {
		if !slices.Equal(tc.have, tc.want) {
			t.Errorf("%s: have %q, want %q", tc.name, tc.have, tc.want)
		}
	}
}
