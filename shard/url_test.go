package shard_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/shard"
)

// Each node given as a URL connects with its own password and database;
// nodes are named, and keys placed, by "host:port" as for plain entries.
func TestURLNodes(t *testing.T) {
	m1, m2 := testserver.Mini(t), testserver.Mini(t)
	m1.RequireAuth("pw-one")
	m2.RequireAuth("pw-two")
	urls := []string{"redis://:pw-one@" + m1.Addr() + "/1", "redis://:pw-two@" + m2.Addr() + "/2"}
	for name, r := range map[string]*shard.Ring{
		"Connect":     testutil.Must(t, shard.Connect(urls, conn.Options{})),
		"ConnectPool": testutil.Must(t, shard.ConnectPool(urls, pool.Options{PoolSize: 2})),
		"New":         shard.New(urls, conn.Options{}),
	} {
		if have := strings.Join(r.Nodes(), " "); have != m1.Addr()+" "+m2.Addr() {
			t.Errorf("%s: Nodes() = %s", name, have)
		}
		if r.Node(urls[0]) == nil || r.Node(m1.Addr()) != r.Node(urls[0]) {
			t.Errorf("%s: Node does not find a node by its URL", name)
		}
		for _, k := range keysOnShards(t, r, name+":", 20) {
			testutil.Must(t, r.Set(k, "v"))
			m, db := m1, 1
			if r.Shard(k) == m2.Addr() {
				m, db = m2, 2
			}
			if v, err := m.DB(db).Get(k); err != nil || v != "v" {
				t.Fatalf("%s: key %q not in database %d of %s", name, k, db, r.Shard(k))
			}
		}
		testutil.Must(t, r.Disconnect())
	}
}

// A node URL that cannot be used, or that contradicts the options given
// for every node, makes the address list bad; no error shows a password.
func TestBadURLNodes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		addrs []string
		opts  conn.Options
		say   string
	}{
		{"unknown option", []string{"redis://:pw-one@h:1?nope=1", "h:2"}, conn.Options{}, "nope"},
		{"conflict with the options", []string{"redis://:pw-one@h:1/1", "h:2"}, conn.Options{DB: 2}, "Options.DB is 2 but the URL says 1"},
		{"password conflict", []string{"redis://:pw-one@h:1"}, conn.Options{Password: "other"}, "Options.Password"},
		{"listed twice", []string{"redis://:pw-one@h:1/1", "h:1"}, conn.Options{}, `listed twice: "h:1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testutil.Wait(t, shard.Connect(tc.addrs, tc.opts))
			if !errors.Is(err, shard.ErrBadAddrs) || !strings.Contains(err.Error(), tc.say) {
				t.Fatalf("Connect: %v, want ErrBadAddrs saying %q", err, tc.say)
			}
			if tc.name != "listed twice" && !errors.Is(err, conn.ErrBadURL) {
				t.Errorf("Connect: %v does not match conn.ErrBadURL", err)
			}
			r := shard.New(tc.addrs, tc.opts)
			if _, err2 := testutil.Wait(t, r.Get("k")); !errors.Is(err2, shard.ErrBadAddrs) {
				t.Errorf("lazy GET: %v", err2)
			}
			testutil.Must(t, r.Disconnect())
			if strings.Contains(err.Error(), "pw-one") {
				t.Errorf("%q shows the password", err)
			}
		})
	}
}
