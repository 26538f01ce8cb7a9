package reliability

import (
	"errors"
	"strings"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// TestServerEchoNeverShowsTheSecret provokes the server-echo path: a
// server without HELLO (Redis 5, or HELLO renamed away) answers
// "ERR unknown command 'HELLO', with args beginning with: '3' 'AUTH'
// 'default' '<password>'". Neither the error, the log, nor a state event
// may carry the password, whatever the server echoes.
func TestServerEchoNeverShowsTheSecret(t *testing.T) {
	srv := testserver.Start(t, "--requirepass", theSecret, "--rename-command", "HELLO", "HELLO_RENAMED_AWAY")
	var w secretWatch
	_, err := testutil.Wait(t, conn.Connect(w.options(conn.Options{Addr: srv.Addr(), Password: theSecret, Protocol: 3})))
	var perr *proto.Error
	if !errors.As(err, &perr) || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("have %v, want the server's unknown-command error", err)
	}
	if w.log.String() == "" {
		t.Fatal("nothing was logged: the check would prove nothing")
	}
	w.check(t, theSecret, err)
	w.check(t, theSecret[:8], err)
	checkPrinted(t, "echoed handshake error", err)
	t.Logf("the echoed error reads: %v", err)

	// A lazy handle keeps the redacted error for its commands.
	lc := conn.New(w.options(conn.Options{Addr: srv.Addr(), Password: theSecret, Protocol: 3}))
	_, cerr := testutil.Wait(t, lc.Get("k"))
	testutil.Must(t, lc.Disconnect())
	w.check(t, theSecret, cerr)

	// Whatever a server echoes, cut anywhere, quoted or not.
	for _, echo := range []string{
		"ERR unknown command 'HELLO', with args beginning with: '3' 'AUTH' 'default' '" + theSecret[:11] + "' ",
		"ERR bad password " + theSecret + "!",
		"WRONGPASS " + theSecret[:len(theSecret)-1],
		"ERR '" + theSecret[:2] + "'",
	} {
		fs := fakeserver.New(func(p *fakeserver.Peer) {
			p.ReadCommand()
			p.Send("-" + echo + "\r\n")
		})
		var w secretWatch
		_, err := testutil.Wait(t, conn.Connect(w.options(conn.Options{Addr: "fake:1", Password: theSecret, Protocol: 3, Dialer: fs.Dialer})))
		fs.Close()
		if err == nil {
			t.Fatal("a refused handshake succeeded")
		}
		w.check(t, theSecret[:8], err)
		if strings.Contains(err.Error(), "'"+theSecret[:2]+"'") {
			t.Errorf("a quoted prefix of the password shows: %v", err)
		}
		checkPrinted(t, "echo "+echo, err)
	}
}
