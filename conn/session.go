package conn

import (
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// Quit sends QUIT after the commands already sent and closes the
// connection, as Disconnect does (txredisapi's quit, which also stops
// reconnecting): commands sent after Quit fail with ErrClosed, the
// replies of those before it arrive, and nothing is redialled. The
// returned Deferred fires with the server's reply ("OK") once the
// connection is closed and its goroutines have ended; if QUIT could not
// be sent or answered (the connection was down, or leased by a
// transaction), it fails with that error, and the connection is closed
// all the same.
//
// Quit is a method of Conn only: on a pool, a sharded or a cluster handle
// QUIT would close one connection under other callers; their Disconnect
// is the equivalent.
func (c *Conn) Quit() *deferred.Deferred[string] {
	r := &typed[string]{conv: asString}
	cmd := proto.NewCmd("QUIT")
	var res Resolver = r
	if len(c.opts.Hooks) != 0 {
		res = observe(c.HookTarget(), cmd, res, false)
	}
	c.mu.Lock()
	err := c.acceptOwnLocked()
	if err == nil {
		// Nothing may follow QUIT on this socket: refuse what comes after
		// it, as Disconnect (called below) does.
		c.closing = true
	}
	c.sendBatchLocked(err, []*proto.Cmd{cmd}, []Resolver{res})
	closed := c.Disconnect()
	return deferred.Chain(closed, func(struct{}) *deferred.Deferred[string] { return &r.d })
}

// Auth sends AUTH password on this connection (txredisapi's auth) and
// fires with "OK"; a wrong password fails with the server's error and
// leaves the connection as it was. AuthUser is the form with an ACL user
// name (Redis 6).
//
// Auth changes the identity of the live socket only, for the commands
// sent after it. When the connection is lost and redialled, the handshake
// logs in with Options.Username and Options.Password, not with what Auth
// sent, as txredisapi's reconnect does: give the credentials in Options
// for a connection that must stay logged in. Auth is a method of Conn
// only, for the same reason as Quit; Do("AUTH", ...) stays refused (see
// RefuseShared), so that only this documented call changes the identity
// of a live socket.
func (c *Conn) Auth(password string) *deferred.Deferred[string] {
	return c.auth(proto.NewCmd("AUTH").Arg(password))
}

// AuthUser is Auth as the ACL user username (AUTH username password).
func (c *Conn) AuthUser(username, password string) *deferred.Deferred[string] {
	return c.auth(proto.NewCmd("AUTH").Arg(username).Arg(password))
}

// auth sends an AUTH command past the refusal of Send.
func (c *Conn) auth(cmd *proto.Cmd) *deferred.Deferred[string] {
	r := &typed[string]{conv: asString}
	c.send(cmd, r)
	return &r.d
}
