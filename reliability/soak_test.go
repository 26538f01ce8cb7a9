package reliability

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/examples/soak/load"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
)

// TestSoakShort is a five-second examples/soak: the verifying workload
// through a connection and a pool while the server is SIGKILLed and
// restarted twice. Nothing may be lost, wrong or resolved twice, the
// handles must recover after each restart, and nothing may leak.
func TestSoakShort(t *testing.T) {
	srv := testserver.Start(t)
	before := runtime.NumGoroutine()
	opts := conn.Options{Addr: srv.Addr(), ReplyTimeout: replyTimeout, ConnectTimeout: connectTimeout, Backoff: fastBackoff}
	c := testutil.Must(t, conn.Connect(opts))
	p := testutil.Must(t, pool.Connect(pool.Options{Options: opts, PoolSize: 3}))
	r := load.Start(load.Config{Workers: 6, Prefix: unique("soak:"), MaxWait: 5 * time.Second},
		load.Target{Name: "conn", S: c}, load.Target{Name: "pool", S: p})

	start := time.Now()
	progress := func(what string) {
		n := r.Snapshot().Succeeded
		testutil.EventuallyWithin(t, 5*time.Second, func() error {
			if r.Snapshot().Succeeded < n+100 {
				return fmt.Errorf("no progress %s", what)
			}
			return nil
		})
	}
	for kill := 1; kill <= 2; kill++ {
		time.Sleep(time.Second)
		progress("before the kill")
		srv.Kill()
		time.Sleep(100 * time.Millisecond)
		srv.Restart()
		recovered := time.Now()
		progress("after the restart")
		t.Logf("kill %d: recovered in %v", kill, time.Since(recovered).Round(time.Millisecond))
	}
	if rest := 5*time.Second - time.Since(start); rest > 0 {
		time.Sleep(rest)
	}
	r.Stop()
	testutil.Must(t, c.Disconnect())
	testutil.Must(t, p.Disconnect())
	st := r.Stats()
	t.Logf("soak %v, 2 kills:\n%s", time.Since(start).Round(time.Millisecond), st)
	if !st.OK() || st.Late != 0 {
		t.Errorf("lost %d, wrong %d, resolved twice %d, late %d; first wrong: %s", st.Lost, st.Wrong, st.DoubleFired, st.Late, st.FirstWrong)
	}
	if st.ConnErrors == 0 {
		t.Errorf("no connection errors: the kills did not reach the clients")
	}
	if st.OtherErrors != 0 {
		t.Errorf("%d commands failed with something other than a ConnectionError", st.OtherErrors)
	}
	if bound := connectTimeout + replyTimeout + margin; st.MaxLatency > bound {
		t.Errorf("max latency %v over %v", st.MaxLatency, bound)
	}
	testutil.CheckGoroutines(t, before)
}
