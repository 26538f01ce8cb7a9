package conn_test

import (
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/hooktest"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// Quit sends QUIT after what was sent before it, lets those replies
// arrive, fires with the server's "OK" once closed, refuses later
// commands and never redials (txredisapi's quit).
func TestQuit(t *testing.T) {
	var got atomic.Value
	release := make(chan struct{})
	c, srv := fakeConn(t, func(p *fakeserver.Peer) {
		<-release
		var seen []string
		for {
			args, err := p.ReadCommand()
			if err != nil {
				return
			}
			seen = append(seen, args[0])
			if args[0] == "QUIT" {
				got.Store(strings.Join(seen, " "))
				p.Reply(proto.SimpleValue("OK"))
				p.Close() // as the server does after QUIT
				return
			}
			p.Reply(fakeserver.Echo(args))
		}
	}, conn.Options{})
	before := c.Get("before")
	q := c.Quit()
	after := c.Get("after")
	close(release)
	if v := testutil.Must(t, before); v != "before" {
		t.Fatalf("the command before QUIT: %q", v)
	}
	if v := testutil.Must(t, q); v != "OK" {
		t.Fatalf("Quit: %q", v)
	}
	if _, err := testutil.Wait(t, after); !errors.Is(err, conn.ErrClosed) {
		t.Fatalf("a command after Quit: %v, want ErrClosed", err)
	}
	if seen := got.Load(); seen != "GET QUIT" {
		t.Fatalf("the server saw %q, want %q", seen, "GET QUIT")
	}
	if c.State() != conn.StateClosed {
		t.Fatalf("state %v after Quit, want closed", c.State())
	}
	time.Sleep(50 * time.Millisecond)
	if n := srv.Dials(); n != 1 {
		t.Fatalf("%d dials: Quit must not reconnect", n)
	}
	// Disconnect after Quit is a no-op.
	testutil.Must(t, c.Disconnect())
}

// Ported from txredisapi's test_quit and test_auth, on a real server.
func TestRealQuitAuth(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr(), NoReconnect: true})
	_, err := testutil.Wait(t, c.Auth("test"))
	var perr *proto.Error
	if !errors.As(err, &perr) {
		t.Fatalf("AUTH without a password set: %v, want a server error", err)
	}
	if v := testutil.Must(t, c.Quit()); v != "OK" {
		t.Fatalf("QUIT: %q", v)
	}
}

// Auth logs in the live socket; a reconnect logs in with the Options, as
// the documentation says (and as txredisapi does).
func TestRealAuthLogsInTheSocket(t *testing.T) {
	srv := testserver.Start(t, "--requirepass", "s3cret")
	admin := connectTo(t, conn.Options{Addr: srv.Addr(), Password: "s3cret"})
	c := connectTo(t, conn.Options{Addr: srv.Addr()})
	if _, err := testutil.Wait(t, c.Get("k")); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Fatalf("before Auth: %v, want NOAUTH", err)
	}
	if _, err := testutil.Wait(t, c.Auth("wrong")); err == nil {
		t.Fatal("Auth with a wrong password succeeded")
	}
	if v := testutil.Must(t, c.Auth("s3cret")); v != "OK" {
		t.Fatalf("Auth: %q", v)
	}
	testutil.Must(t, c.Set("k", "v"))
	testutil.Must(t, c.AuthUser("default", "s3cret"))

	id := testutil.Must(t, c.ClientID())
	testutil.Must(t, admin.Do("CLIENT", "KILL", "ID", id))
	testutil.Eventually(t, func() error {
		_, err := testutil.Wait(t, c.Get("k"))
		if err == nil || !strings.Contains(err.Error(), "NOAUTH") {
			return errors.New("not yet redialled without credentials")
		}
		return nil
	})
}

// Hooks see Quit and Auth as they see every command.
func TestQuitAuthReachHooks(t *testing.T) {
	rec := hooktest.New()
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		for {
			args, err := p.ReadCommand()
			if err != nil {
				return
			}
			p.Reply(proto.SimpleValue("OK"))
			if args[0] == "QUIT" {
				p.Close()
				return
			}
		}
	}, conn.Options{Hooks: []conn.Hook{rec}})
	rec.Reset()
	testutil.Must(t, c.Auth("pw"))
	testutil.Must(t, c.Quit())
	if have, want := rec.Commands(), []string{"AUTH@fake:6379", "QUIT@fake:6379"}; !slices.Equal(have, want) {
		t.Fatalf("hooks saw %v, want %v", have, want)
	}
	if rec.Open() != 0 {
		t.Fatalf("%d operations never ended", rec.Open())
	}
}
