package conn

import (
	"bytes"

	"github.com/txredis/txredis/proto"
)

// connectionState names the commands that change the state of the
// connection they run on for the commands after them.
var connectionState = map[string]bool{
	"MULTI": true, "EXEC": true, "DISCARD": true, "WATCH": true, "UNWATCH": true,
	"SELECT": true, "HELLO": true, "AUTH": true, "RESET": true, "QUIT": true,
	"SUBSCRIBE": true, "PSUBSCRIBE": true, "SSUBSCRIBE": true,
	"UNSUBSCRIBE": true, "PUNSUBSCRIBE": true, "SUNSUBSCRIBE": true,
	"MONITOR": true,
}

// RefuseShared returns an error wrapping ErrBadArgs when cmd changes the
// state of the connection it runs on for the commands after it:
// transactions (MULTI, EXEC, DISCARD, WATCH, UNWATCH), the database
// (SELECT), identity and protocol (AUTH, HELLO, RESET, QUIT), subscriber
// and monitor modes, CLIENT REPLY. Handles that share connections among
// callers — pools, sharded and cluster handles — refuse such commands
// before sending, since they would change the connection under other
// callers' commands; transactions go through Multi and Watch, the rest
// through Options and the pubsub package. It returns nil for every other
// command.
func RefuseShared(cmd *proto.Cmd) error {
	name := cmd.Name()
	if connectionState[name] || (name == "CLIENT" && cmd.Len() > 1 && bytes.EqualFold(cmd.ArgBytes(1), []byte("REPLY"))) {
		return BadArgs(name, "it changes the state of a shared connection; use Multi/Watch for transactions, Options for the database and credentials, the pubsub package for subscriptions")
	}
	return nil
}
