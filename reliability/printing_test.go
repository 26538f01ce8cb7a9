package reliability

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/lazy"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/pubsub"
	"github.com/txredis/txredis/sentinel"
	"github.com/txredis/txredis/shard"
)

// theSecret is the password of every handle in these tests: no printed
// form may hold it, as text or hex.
const theSecret = "pw-Sekr3t-7f1c-d00d"

// leaks returns what of the secret out shows, or "".
func leaks(out string) string {
	for _, form := range []string{theSecret, hex.EncodeToString([]byte(theSecret)), strings.ToUpper(hex.EncodeToString([]byte(theSecret))), theSecret[:8]} {
		if strings.Contains(out, form) {
			return form
		}
	}
	return ""
}

// verbs are the fmt verbs a value may be printed with.
var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}

// checkPrinted prints v with every verb and through slog's text and JSON
// handlers, as it is and behind a pointer, and fails on any sign of the
// secret.
func checkPrinted(t *testing.T, name string, v any) {
	t.Helper()
	for _, verb := range verbs {
		if out := fmt.Sprintf(verb, v); leaks(out) != "" {
			t.Errorf("%s printed with %s shows the secret: %s", name, verb, out)
		}
	}
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(h(&b)).Info("handle", "v", v, slog.Group("g", "v", v))
		if leaks(b.String()) != "" {
			t.Errorf("%s through slog shows the secret: %s", name, b.String())
		}
	}
}

// TestNoSecretInPrintedValues prints every options and handle type with
// every fmt verb and through slog: none may show the password (issue 14,
// item 5: %v and %+v of conn.Options, *conn.Conn, *pool.Pool and
// *pubsub.Subscriber printed it, and so did a slog handler given one).
// Each handle also prints a readable form (issue 20).
func TestNoSecretInPrintedValues(t *testing.T) {
	srv := testserver.Start(t, "--requirepass", theSecret)
	ctx := context.Background()
	co := conn.Options{Addr: srv.Addr(), Username: "default", Password: theSecret, ClientName: "printed"}
	po := pool.Options{Options: co, PoolSize: 2}
	so := pubsub.Options{Options: co}
	clo := cluster.Options{Options: co}
	seo := sentinel.Options{Options: co, SentinelPassword: theSecret}

	c := connect(t, co)
	p := testutil.Must(t, pool.Connect(po))
	defer p.Disconnect()
	lc := lazy.Connection(co)
	defer lc.Disconnect()
	lp := lazy.ConnectionPool(po)
	defer lp.Disconnect()
	ring := testutil.Must(t, shard.Connect([]string{srv.Addr()}, co))
	defer ring.Disconnect()
	pring := lazy.ShardedConnectionPool([]string{srv.Addr()}, po)
	defer pring.Disconnect()
	sub := testutil.Must(t, pubsub.Connect(so, nil))
	defer sub.Disconnect()
	testutil.Must(t, sub.Subscribe("news"))
	mon := testutil.Must(t, pubsub.ConnectMonitor(so, func(string) {}))
	defer mon.Disconnect()
	cl := cluster.New([]string{srv.Addr()}, clo)
	defer cl.Disconnect()
	lease := testutil.Must(t, c.Lease(ctx))
	tx := testutil.Must(t, p.Multi())
	tx.Set("k", "v")
	pipe := c.Pipeline()
	pipe.Get("k")

	var events []conn.StateEvent
	var mu sync.Mutex
	eo := co
	eo.Password = "not-" + theSecret[3:] // a wrong password: the error path
	eo.OnState = func(e conn.StateEvent) { mu.Lock(); events = append(events, e); mu.Unlock() }
	_, werr := testutil.Wait(t, conn.Connect(eo))
	if werr == nil {
		t.Fatal("connect with a wrong password succeeded")
	}

	values := []struct {
		name string
		v    any
	}{
		{"conn.Options", co}, {"*conn.Options", &co},
		{"pool.Options", po}, {"*pool.Options", &po},
		{"pubsub.Options", so}, {"cluster.Options", clo},
		{"sentinel.Options", seo}, {"*sentinel.Options", &seo},
		{"*conn.Conn", c}, {"lazy *conn.Conn", lc},
		{"*pool.Pool", p}, {"lazy *pool.Pool", lp},
		{"*shard.Ring of connections", ring}, {"*shard.Ring of pools", pring},
		{"*pubsub.Subscriber", sub}, {"*pubsub.Monitor", mon},
		{"*cluster.Cluster", cl}, {"*cluster.Node", cl.Node("k")},
		{"*sentinel.Client (zero)", new(sentinel.Client)},
		{"*conn.Lease", lease}, {"*conn.Tx", tx}, {"*conn.Pipeline", pipe},
		{"conn.Commands", c.Commands},
		{"handshake error", werr},
		{"*proto.Cmd AUTH", proto.NewCmd("AUTH").Arg("default").Arg(theSecret)},
		{"*proto.Cmd HELLO", proto.NewCmd("HELLO").Arg("3").Arg("AUTH").Arg("default").Arg(theSecret)},
	}
	mu.Lock()
	for _, e := range events {
		values = append(values, struct {
			name string
			v    any
		}{"conn.StateEvent", e})
	}
	mu.Unlock()
	for _, tc := range values {
		checkPrinted(t, tc.name, tc.v)
	}
	for _, v := range []any{cl, cl.Node("k"), mon, lp, pring, clo, seo, so} {
		t.Logf("%T prints %v", v, v)
	}

	// The readable forms (txredisapi's repr).
	for _, tc := range []struct {
		v    any
		want []string
	}{
		{c, []string{"conn.Conn{", srv.Addr(), "connected", "pending="}},
		{p, []string{"pool.Pool{", srv.Addr(), "size=2"}},
		{ring, []string{"shard.Ring(", srv.Addr()}},
		{sub, []string{"pubsub.Subscriber{", srv.Addr(), "channels=1"}},
		{lease, []string{"conn.Lease{", srv.Addr()}},
		{tx, []string{"conn.Tx{", "multi", "queued="}},
		{pipe, []string{"conn.Pipeline{", "buffered=1"}},
		{cl, []string{"cluster.Cluster{", "start=" + srv.Addr(), "masters="}},
		{cl.Node("k"), []string{"cluster.Node{", srv.Addr()}},
		{new(sentinel.Client), []string{"sentinel.Client{", "master=none"}},
		{lc, []string{"conn.Conn{", srv.Addr()}},
		{lp, []string{"pool.Pool{", srv.Addr()}},
		{co, []string{"conn.Options{", srv.Addr(), "Password:"}},
	} {
		out := fmt.Sprint(tc.v)
		t.Logf("%T prints %s", tc.v, out)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%T prints %q, which lacks %q", tc.v, out, w)
			}
		}
	}
	testutil.Must(t, tx.Discard())
	lease.Release()
}

// TestNoURLPasswordInPrintedValues gives the password in a URL (issue
// 20: URLs are accepted wherever an address is) to every options type
// and every handle kind, before and after the first dial: no printed
// form may show it, and each still names the server.
func TestNoURLPasswordInPrintedValues(t *testing.T) {
	srv := testserver.Start(t, "--requirepass", theSecret)
	u := "redis://default:" + theSecret + "@" + srv.Addr() + "/0?client_name=printed"
	co := conn.Options{Addr: u}
	po := pool.Options{Options: co, PoolSize: 2}
	so := pubsub.Options{Options: co}
	clo := cluster.Options{Options: co}
	seo := sentinel.Options{Options: co}

	subBefore := pubsub.New(so, nil) // printed before its first dial completes
	checkPrinted(t, "*pubsub.Subscriber before its dial", subBefore)
	c := connect(t, co)
	p := testutil.Must(t, pool.Connect(po))
	defer p.Disconnect()
	lc := lazy.Connection(co)
	defer lc.Disconnect()
	lp := lazy.ConnectionPool(po)
	defer lp.Disconnect()
	ring := testutil.Must(t, shard.Connect([]string{u}, conn.Options{}))
	defer ring.Disconnect()
	sub := testutil.Must(t, pubsub.Connect(so, nil))
	defer sub.Disconnect()
	defer subBefore.Disconnect()
	cl := cluster.New([]string{u}, cluster.Options{})
	defer cl.Disconnect()
	bad := conn.New(conn.Options{Addr: u + "&bogus=1"})
	defer bad.Disconnect()
	_, badErr := testutil.Wait(t, bad.Get("k"))
	badPool := pool.New(pool.Options{Options: conn.Options{Addr: strings.Replace(u, "/0?", "/2?", 1), DB: 3}})
	defer badPool.Disconnect()
	_, badPoolErr := testutil.Wait(t, badPool.Get("k"))
	badRing := shard.New([]string{u + "&bogus=1"}, conn.Options{})
	defer badRing.Disconnect()
	badCluster := cluster.New([]string{u, "redis://default:" + theSecret + "x@" + srv.Addr() + "/0"}, cluster.Options{})
	defer badCluster.Disconnect()
	_, badClusterErr := testutil.Wait(t, badCluster.Get("k"))

	for _, tc := range []struct {
		name string
		v    any
	}{
		{"conn.Options", co}, {"pool.Options", po}, {"pubsub.Options", so},
		{"cluster.Options", clo}, {"sentinel.Options", seo},
		{"*conn.Conn", c}, {"*pool.Pool", p}, {"lazy *conn.Conn", lc}, {"lazy *pool.Pool", lp},
		{"*shard.Ring", ring}, {"*pubsub.Subscriber", sub}, {"*pubsub.Subscriber dialled", subBefore},
		{"*cluster.Cluster", cl}, {"*cluster.Node", cl.Node("k")},
		{"*conn.Conn with a bad URL", bad}, {"its error", badErr},
		{"*pool.Pool with a conflicting URL", badPool}, {"its error", badPoolErr},
		{"*shard.Ring with a bad URL", badRing},
		{"*cluster.Cluster with conflicting URLs", badCluster}, {"its error", badClusterErr},
	} {
		checkPrinted(t, tc.name, tc.v)
	}
	if !errors.Is(badErr, conn.ErrBadURL) || !errors.Is(badPoolErr, conn.ErrBadURL) || !errors.Is(badClusterErr, conn.ErrBadURL) {
		t.Fatalf("unusable URLs did not fail: %v, %v, %v", badErr, badPoolErr, badClusterErr)
	}
	for _, v := range []any{co, c, p, lc, lp, ring, sub, cl, bad, badPool, badRing, badCluster} {
		if out := fmt.Sprint(v); !strings.Contains(out, srv.Addr()) {
			t.Errorf("%T prints %q, which does not name the server %s", v, out, srv.Addr())
		} else {
			t.Logf("%T prints %s", v, out)
		}
	}
}
