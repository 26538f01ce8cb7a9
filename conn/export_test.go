package conn

import "time"

// ViewState reports, for the command set of a context view, how many
// commands it tracks and whether it holds a registration on its context.
func ViewState(c Commands) (live int, registered bool) {
	v := c.s.(*view)
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.live), v.stop != nil
}

// SetPermanentRetry sets how long a handle waits between dials after a
// credential or configuration error, for tests, and returns a function
// that restores it.
func SetPermanentRetry(d time.Duration) (restore func()) {
	old := permanentRetry.Swap(int64(d))
	return func() { permanentRetry.Store(old) }
}
