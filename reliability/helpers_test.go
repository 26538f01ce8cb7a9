package reliability

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testutil"
)

// Timeouts of the connections under test: short, so that faults are
// detected quickly.
const (
	replyTimeout   = 200 * time.Millisecond
	connectTimeout = 500 * time.Millisecond
	// margin is what scheduling on a loaded 2-core machine under -race
	// may add to a deadline.
	margin = 1500 * time.Millisecond
)

// fastBackoff redials quickly so that recovery is measured in
// milliseconds.
var fastBackoff = conn.ExponentialBackoff(10*time.Millisecond, 100*time.Millisecond)

// connect connects with opts and disconnects when the test ends.
func connect(t testing.TB, opts conn.Options) *conn.Conn {
	t.Helper()
	c := testutil.Must(t, conn.Connect(opts))
	t.Cleanup(func() { c.Disconnect() })
	return c
}

var uniq atomic.Int64

// unique returns a string no other call in this process returns.
func unique(prefix string) string {
	return prefix + time.Now().Format("150405.000000") + "-" + strconv.FormatInt(uniq.Add(1), 10)
}
