package cluster_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testutil"
)

// Start URLs that cannot be used fail Connect and every command of New
// with ErrBadURL, start nothing, and never show a password.
func TestBadStartURL(t *testing.T) {
	for _, tc := range []struct {
		name  string
		seeds []string
		opts  cluster.Options
		say   string
	}{
		{"unknown option", []string{"redis://:clu-pw@127.0.0.1:1?nope=1"}, cluster.Options{}, `unknown option "nope"`},
		{"a database", []string{"redis://:clu-pw@127.0.0.1:1/2"}, cluster.Options{}, "database 0 only"},
		{"seeds disagree", []string{"redis://:clu-pw@127.0.0.1:1", "redis://:other-pw@127.0.0.1:2"}, cluster.Options{}, "Options.Password differs"},
		{"conflict with the options", []string{"redis://127.0.0.1:1?protocol=3"}, cluster.Options{Options: conn.Options{Protocol: 2}}, "Options.Protocol"},
		{"Addr as the seed", nil, cluster.Options{Options: conn.Options{Addr: "redis://:clu-pw@127.0.0.1:1/5"}}, "database 0 only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			_, err := testutil.Wait(t, cluster.Connect(tc.seeds, tc.opts))
			if !errors.Is(err, conn.ErrBadURL) || !strings.Contains(err.Error(), tc.say) {
				t.Fatalf("Connect: %v, want ErrBadURL saying %q", err, tc.say)
			}
			c := cluster.New(tc.seeds, tc.opts)
			_, err2 := testutil.Wait(t, c.Get("k"))
			if !errors.Is(err2, conn.ErrBadURL) {
				t.Errorf("GET on New: %v, want ErrBadURL", err2)
			}
			if _, err := testutil.Wait(t, c.Ready()); !errors.Is(err, conn.ErrBadURL) {
				t.Errorf("Ready: %v, want ErrBadURL", err)
			}
			testutil.Must(t, c.Disconnect())
			for _, s := range []string{err.Error(), err2.Error(), c.Options().Addr} {
				if strings.Contains(s, "clu-pw") || strings.Contains(s, "other-pw") {
					t.Errorf("%q shows a password", s)
				}
			}
			testutil.CheckGoroutines(t, before)
		})
	}
}
