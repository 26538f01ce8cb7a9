package conn_test

import (
	"context"
	"errors"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testutil"
)

// Do and DoCmd refuse the commands that would break reply matching or
// change the shared connection also through a context view of a Conn or
// of a Pipeline, whose handle's own way in skips the check: nothing is
// written.
func TestContextViewsRefuseRawCommands(t *testing.T) {
	c, srv := fakeConn(t, echoServer, conn.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	views := map[string]conn.Commands{
		"Conn view (Background)":  c.WithContext(context.Background()),
		"Conn view (cancellable)": c.WithContext(ctx),
	}
	before := srv.Writes()
	for name, v := range views {
		for _, args := range [][]any{{"SELECT", "1"}, {"MULTI"}, {"subscribe", "x"}, {"CLIENT", "REPLY", "OFF"}} {
			if _, err := testutil.Wait(t, v.Do(args...)); !errors.Is(err, conn.ErrBadArgs) {
				t.Errorf("%s: Do%v: have %v, want ErrBadArgs", name, args, err)
			}
		}
	}
	pl := c.Pipeline()
	refused := pl.WithContext(ctx).Do("SELECT", "1")
	if res, err, ok := refused.Result(); !ok || !errors.Is(err, conn.ErrBadArgs) {
		t.Errorf("Pipeline view: Do SELECT before Execute: have %v, %v, fired %v; want ErrBadArgs at once", res, err, ok)
	}
	echo := pl.WithContext(ctx).Do("ECHO", "x")
	testutil.Must(t, pl.Execute())
	if have := testutil.Must(t, echo); have.Str != "x" {
		t.Fatalf("Pipeline view: ECHO: %v", have)
	}
	before++ // the pipeline's one write
	if srv.Writes() != before {
		t.Errorf("refused commands were written (%d writes)", srv.Writes()-before)
	}
	if have := testutil.Must(t, c.Do("ECHO", "ok")); have.Str != "ok" {
		t.Fatalf("after refusals: %v", have)
	}
}
