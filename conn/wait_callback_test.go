package conn_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/goroutine"
	"github.com/txredis/txredis/internal/testutil"
)

// A Wait in a callback running on the connection's reader goroutine would
// stop every later reply, the awaited one included: it fails at once with
// ErrWaitOnDispatcher (and is reported), and the connection goes on.
func TestWaitInCallbackFailsLoudly(t *testing.T) {
	if !goroutine.Supported() {
		t.Skip("goroutines cannot be told apart on this platform")
	}
	reported := make(chan error, 10)
	prev := deferred.SetErrorHandler(func(err error) { reported <- err })
	defer func() { deferred.SetErrorHandler(prev) }()

	release := make(chan struct{})
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		<-release // the callback is in place before the reply comes
		p.Serve(fakeserver.Echo)
	}, conn.Options{})
	inner := make(chan error, 1)
	var second *deferred.Deferred[string]
	outer := deferred.Then(c.Get("first"), func(string) (string, error) {
		second = c.Get("second")
		_, err := second.Wait(context.Background()) // the mistake
		inner <- err
		return "", err
	})
	close(release)
	select {
	case err := <-inner:
		if !errors.Is(err, deferred.ErrWaitOnDispatcher) {
			t.Fatalf("Wait in a callback: have %v, want ErrWaitOnDispatcher", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait in a callback hung the connection")
	}
	if _, err := testutil.Wait(t, outer); !errors.Is(err, deferred.ErrWaitOnDispatcher) {
		t.Fatalf("the chain: have %v, want ErrWaitOnDispatcher", err)
	}
	for found := false; !found; {
		select {
		case err := <-reported:
			found = errors.Is(err, deferred.ErrWaitOnDispatcher)
		case <-time.After(10 * time.Second):
			t.Fatal("the refused Wait was not reported")
		}
	}
	// Nothing is lost: the awaited reply and later ones arrive.
	if v := testutil.Must(t, second); v != "second" {
		t.Fatalf("the awaited command: have %q", v)
	}
	if v := testutil.Must(t, c.Get("after")); v != "after" {
		t.Fatalf("after: have %q", v)
	}
}

// The right way: a callback returns the Deferred it needs (Chain).
func TestChainInCallback(t *testing.T) {
	c, _ := fakeConn(t, echoServer, conn.Options{})
	d := deferred.Chain(c.Get("first"), func(v string) *deferred.Deferred[string] {
		return c.Get(v + "+second")
	})
	if v := testutil.Must(t, d); v != "first+second" {
		t.Fatalf("have %q", v)
	}
}
