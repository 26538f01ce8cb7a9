package plumb

import (
	"bytes"

	"github.com/txredis/txredis/proto"
)

// Reasons a raw command is refused.
const (
	whyModes = "its replies do not answer one command each (subscriber and monitor modes); use the pubsub package (Subscriber, ConnectMonitor)"
	whyReply = "it stops or skips the server's replies, so that later replies would answer the wrong commands"
	whyRepl  = "it belongs to the replication protocol, whose replies do not answer one command each"
	whyDebug = "the Lua debugger's replies do not answer one command each"
	whyQuit  = "it closes the connection under other callers; use Disconnect"
	whyIdent = "it changes the connection's identity, protocol or database, which a redial would undo; use Options (Username, Password, Protocol, DB)"
	whyTx    = "a raw transaction would take other callers' commands into it; use Multi or Watch and the Tx they give"
)

// refusable[n] has bit c-'A' set when a refused command name of length n
// starts with the letter c: most commands are let through after two
// loads, without comparing names.
var refusable = func() (t [13]uint32) {
	for _, name := range []string{
		"MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH",
		"SELECT", "AUTH", "HELLO", "RESET", "QUIT",
		"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
		"MONITOR", "SYNC", "PSYNC", "REPLCONF", "CLIENT", "SCRIPT",
	} {
		t[len(name)] |= 1 << (name[0] - 'A')
	}
	return t
}()

// RefuseShared returns an error wrapping ErrBadArgs when cmd, sent as it
// is through a handle, would break the matching of replies to commands or
// change the connection under the commands of other callers:
//
//   - subscriber and monitor modes (SUBSCRIBE and the five other
//     subscription commands, MONITOR), whose messages answer no command;
//   - CLIENT REPLY (OFF and SKIP silence replies), the replication
//     protocol (SYNC, PSYNC, REPLCONF) and SCRIPT DEBUG, whose replies do
//     not answer one command each;
//   - QUIT, which closes the connection (use Disconnect);
//   - identity, protocol and database (AUTH, HELLO with arguments, RESET,
//     SELECT), which a redial would silently undo (use Options; Conn.Auth
//     is the one call that logs in a live socket, and says so);
//   - transactions (MULTI, EXEC, DISCARD, WATCH, UNWATCH), which would
//     take other callers' commands into them (use Multi and Watch).
//
// Every handle refuses them where raw commands come in — Do, DoCmd and
// Send on connections, leases, pipelines, transactions, pools, sharded
// and cluster handles — before anything is sent. The client handles
// those modes itself where it offers them: the pubsub package, and the
// Tx of Multi and Watch. It returns nil for every other command; most
// names are let through without a comparison.
func RefuseShared(cmd *proto.Cmd) error {
	name := cmd.Name()
	n := len(name)
	if n >= len(refusable) || n == 0 || name[0] < 'A' || name[0] > 'Z' ||
		refusable[n]&(1<<(name[0]-'A')) == 0 {
		return nil
	}
	if why := refusal(cmd, name); why != "" {
		return BadArgs(name, "%s", why)
	}
	return nil
}

// refusal returns why cmd is refused, or "".
func refusal(cmd *proto.Cmd, name string) string {
	switch name {
	case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR":
		return whyModes
	case "SYNC", "PSYNC", "REPLCONF":
		return whyRepl
	case "QUIT":
		return whyQuit
	case "AUTH", "RESET", "SELECT":
		return whyIdent
	case "HELLO":
		if cmd.Len() > 1 { // HELLO alone only reports the server's identity
			return whyIdent
		}
	case "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH":
		return whyTx
	case "CLIENT":
		if cmd.Len() > 1 && bytes.EqualFold(cmd.ArgBytes(1), []byte("REPLY")) {
			return whyReply
		}
	case "SCRIPT":
		if cmd.Len() > 1 && bytes.EqualFold(cmd.ArgBytes(1), []byte("DEBUG")) {
			return whyDebug
		}
	}
	return ""
}
