package pool_test

import (
	"testing"

	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
)

// connectPool connects a pool and disconnects it when the test ends.
func connectPool(t testing.TB, opts pool.Options) *pool.Pool {
	t.Helper()
	p := testutil.Must(t, pool.Connect(opts))
	t.Cleanup(func() { _, _ = testutil.Wait(t, p.Disconnect()) })
	return p
}
