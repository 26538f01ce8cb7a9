package conn_test

import (
	"errors"
	"io"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// The reader takes pending commands from the FIFO in batches: when the
// server answers the start of a burst and then stalls, the commands
// already taken by the reader still time out.
func TestReplyTimeoutAfterPartOfABurst(t *testing.T) {
	var first sync.Once
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		stall := false
		first.Do(func() { stall = true })
		if !stall {
			p.Serve(fakeserver.Echo)
			return
		}
		for i := 0; i < 3; i++ {
			args, err := p.ReadCommand()
			if err != nil {
				return
			}
			p.Reply(fakeserver.Echo(args))
		}
		io.Copy(io.Discard, p)
	}, conn.Options{ReplyTimeout: 100 * time.Millisecond})
	ds := make([]*deferred.Deferred[string], 10)
	for i := range ds {
		ds[i] = c.Get(strconv.Itoa(i))
	}
	for i, d := range ds {
		have, err := testutil.Wait(t, d)
		switch {
		case i < 3 && (err != nil || have != strconv.Itoa(i)):
			t.Fatalf("command %d: have %q, %v", i, have, err)
		case i >= 3 && !errors.Is(err, conn.ErrTimeout):
			t.Fatalf("command %d after the stall: have %q, %v, want a timeout", i, have, err)
		}
	}
}

// Disconnect waits for the replies in flight and returns as soon as the
// last one has arrived, even when the reader had already taken their
// commands from the FIFO.
func TestDisconnectReturnsWhenTheLastReplyArrives(t *testing.T) {
	release := make(chan struct{})
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		args, err := p.ReadCommand() // the first reply lets the reader take the rest
		if err != nil {
			return
		}
		p.Reply(fakeserver.Echo(args))
		<-release
		p.Serve(fakeserver.Echo)
	}, conn.Options{ConnectTimeout: 10 * time.Second})
	ds := make([]*deferred.Deferred[string], 50)
	for i := range ds {
		ds[i] = c.Get(strconv.Itoa(i))
	}
	testutil.Must(t, ds[0])
	dd := c.Disconnect()
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	close(release)
	testutil.Must(t, dd)
	if waited := time.Since(start); waited > 2*time.Second {
		t.Fatalf("Disconnect took %v after the last reply (it waits up to ConnectTimeout, 10s, when it misses it)", waited)
	}
	for i, d := range ds {
		if have, err := testutil.Wait(t, d); err != nil || have != strconv.Itoa(i) {
			t.Fatalf("command %d: have %q, %v", i, have, err)
		}
	}
}

// A connection lost while the reader holds commands in its inbox fails
// them, oldest first, before those still in the FIFO.
func TestLostConnectionFailsTheInboxInOrder(t *testing.T) {
	sent := make(chan struct{})
	c, _ := fakeConn(t, func(p *fakeserver.Peer) {
		args, err := p.ReadCommand()
		if err != nil {
			return
		}
		p.Reply(fakeserver.Echo(args))
		<-sent
		p.Send("!bad frame\r\n")
		io.Copy(io.Discard, p)
	}, conn.Options{NoReconnect: true})
	var mu sync.Mutex
	var order []int
	ds := make([]*deferred.Deferred[string], 300)
	for i := range ds {
		ds[i] = c.Get(strconv.Itoa(i))
		ds[i].Observe(func(_ string, err error) {
			if err != nil {
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
			}
		})
	}
	close(sent)
	for i, d := range ds[1:] {
		if _, err := testutil.Wait(t, d); !errors.Is(err, proto.ErrProtocol) && !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("command %d: have %v, want the connection's error", i+1, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i, k := range order {
		if k != i+1 {
			t.Fatalf("failures out of order at %d: %v", i, order[:i+1])
		}
	}
}
