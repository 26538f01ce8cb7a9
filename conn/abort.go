package conn

import "errors"

// Abort fails the live socket at once, as if it had been lost, without
// waiting for replies in flight: every pending command fails with cause
// (as it is when cause is a *ConnectionError, else wrapped in one whose
// Op is "aborted"), and the connection redials as after any loss, unless
// Disconnect was called or NoReconnect is set. Handles that learn that a
// server must no longer be waited for use it: a cluster aborts the
// connections of a master that stopped answering and was replaced, so
// that the commands queued on it fail instead of being acknowledged by a
// demoted server once it resumes. A connection that is not connected is
// left as it is.
//
// For handle writers (see "Writing a handle" in the package documentation).
func (c *Conn) Abort(cause error) {
	c.mu.Lock()
	gen, live := c.gen, c.nc != nil
	c.mu.Unlock()
	if !live {
		return
	}
	var ce *ConnectionError
	if !errors.As(cause, &ce) {
		cause = &ConnectionError{Addr: c.opts.Addr, Op: "aborted", Err: cause}
	}
	c.fail(gen, cause)
}
