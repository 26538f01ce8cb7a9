package pool

import "github.com/txredis/txredis/conn"

// Abort fails every connection of the pool at once, pooled and extra,
// leased or not (see conn.Conn.Abort): the commands pending on them fail
// with cause, and the connections redial as after any loss.
func (p *Pool) Abort(cause error) {
	p.mu.Lock()
	extras := make([]*conn.Conn, 0, len(p.extras))
	for e := range p.extras {
		extras = append(extras, e.c)
	}
	p.mu.Unlock()
	for _, m := range p.members {
		m.c.Abort(cause)
	}
	for _, c := range extras {
		c.Abort(cause)
	}
}
