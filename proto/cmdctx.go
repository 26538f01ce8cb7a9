package proto

import "context"

// SetContext binds ctx to c: the context under which c is sent. The
// connection that sends c hands it to its hooks (conn.Hook), so that a
// tracer can attach the command to the caller's trace. It cancels
// nothing by itself: conn's context views (Commands.WithContext) do that.
// Clone copies it; Release drops it.
func (c *Cmd) SetContext(ctx context.Context) { c.ctx = ctx }

// Context returns the context bound by SetContext, or nil.
func (c *Cmd) Context() context.Context { return c.ctx }
