package reliability

import (
	"runtime"
	"testing"
	"time"

	"github.com/txredis/txredis/examples/soak/load"
	"github.com/txredis/txredis/internal/faultproxy"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
)

// TestDirectWriteAcrossReconnect stresses the path where a sending
// goroutine writes to the socket itself (the connection had no reply
// pending) while the socket breaks and is redialled: many round-trip
// bound senders, and a proxy that drops every connection after a few
// bytes of commands. Run under -race, it catches a direct write of one
// socket generation sharing state with the writes of the next; in any
// build, no reply may be lost, wrong or resolved twice.
func TestDirectWriteAcrossReconnect(t *testing.T) {
	srv := testserver.Start(t)
	p := faultproxy.Start(t, srv.Addr())
	before := runtime.NumGoroutine()
	h := connHandle(t, p.Addr(), 0, replyTimeout)
	r := load.Start(load.Config{Workers: 16, Prefix: unique("direct:"), MaxWait: 5 * time.Second, PipelineEvery: -1},
		load.Target{Name: "c", S: h.sender})
	for i := 0; i < 10; i++ {
		p.Set(faultproxy.Fault{Dir: faultproxy.ToServer, Kind: faultproxy.Drop, After: int64(10 + 37*i)})
		time.Sleep(50 * time.Millisecond)
		p.Clear()
		time.Sleep(20 * time.Millisecond)
	}
	r.Stop()
	testutil.Must(t, h.disconnect())
	st := r.Stats()
	t.Logf("sent %d, ok %d, conn errors %d, proxy dials %d", st.Sent, st.Succeeded, st.ConnErrors, p.Accepted())
	if !st.OK() || st.Late != 0 || st.OtherErrors != 0 {
		t.Errorf("lost %d, wrong %d, resolved twice %d, late %d, other errors %d; first wrong: %s",
			st.Lost, st.Wrong, st.DoubleFired, st.Late, st.OtherErrors, st.FirstWrong)
	}
	testutil.CheckGoroutines(t, before)
}
