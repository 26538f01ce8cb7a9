package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/proto"
)

// Any matches any one argument in On.
const Any = "\x00redistest.Any"

// FakeAddr is the address a Fake's Options give: it is never dialled
// (the Dialer hands out a net.Pipe), but it appears in errors and Addr.
const FakeAddr = "redistest.fake:6379"

// Fake is a scripted Redis server over net.Pipe. It answers each command
// with the reply of the first expectation (On) that matches it and still
// has replies to give, else with the Handle function's reply, else, for
// the handshake commands a connection sends by itself (HELLO, AUTH,
// SELECT, CLIENT SETNAME, READONLY) and PING, with what a server would
// say; any other command is unexpected: it is answered with an error
// reply ("ERR redistest: unexpected command ...") and reported by Check.
type Fake struct {
	srv *fakeserver.Server // immutable

	mu         sync.Mutex // protects the fields below
	calls      []*Call
	handler    func(args []string) proto.Value
	received   [][]string
	unexpected [][]string
	clients    []interface {
		Disconnect() *deferred.Deferred[struct{}]
	}
	closed bool
}

// Call is an expected command and the replies it gets.
type Call struct {
	f    *Fake
	args []string

	// protected by f.mu
	replies []proto.Value
	times   int // -1: any number
	seen    int
}

// NewFake returns a scripted server. With t not nil, the Fake is closed
// when the test ends and Check's findings are reported as test errors;
// with a nil t the caller calls Close and Check.
func NewFake(t testing.TB) *Fake {
	f := &Fake{}
	f.srv = fakeserver.New(func(p *fakeserver.Peer) { p.Serve(f.answer) })
	if t != nil {
		t.Cleanup(func() {
			f.Close()
			if err := f.Check(); err != nil {
				t.Error(err)
			}
		})
	}
	return f
}

// On expects the command args (name first, matched in any case; the
// other arguments exactly, or anything where Any is given) and returns
// its Call, to which Reply gives the answers. The expectation must be
// met at least once (Times changes that), or Check reports it.
func (f *Fake) On(args ...string) *Call {
	c := &Call{f: f, args: args, times: -1}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	return c
}

// Reply sets the replies of the call: the first matching command gets
// the first, the next one the next, and the last is repeated. Build them
// with the proto constructors: proto.SimpleValue("OK"),
// proto.BulkValue("v"), proto.IntValue(1), proto.NullValue(),
// proto.ArrayValue(...), proto.ErrorValue("ERR ...").
func (c *Call) Reply(vs ...proto.Value) *Call {
	c.f.mu.Lock()
	c.replies = append(c.replies, vs...)
	c.f.mu.Unlock()
	return c
}

// Error is Reply(proto.ErrorValue(msg)): the command fails with the
// server error msg ("ERR something", "WRONGTYPE ...").
func (c *Call) Error(msg string) *Call { return c.Reply(proto.ErrorValue(msg)) }

// Times makes the call match exactly n commands: later ones go to the
// next expectation or are unexpected, and Check reports fewer.
func (c *Call) Times(n int) *Call {
	c.f.mu.Lock()
	c.times = n
	c.f.mu.Unlock()
	return c
}

// Handle sets a function answering the commands no expectation matches.
func (f *Fake) Handle(h func(args []string) proto.Value) {
	f.mu.Lock()
	f.handler = h
	f.mu.Unlock()
}

// Options returns the options of a connection to the Fake: Addr is
// FakeAddr and Dialer hands out a net.Pipe to it. Set other fields
// (Password, DB, Protocol...) as the code under test would.
func (f *Fake) Options() conn.Options {
	return conn.Options{Addr: FakeAddr, Dialer: f.Dialer}
}

// Dialer is a conn.Options.Dialer connecting to the Fake, for handles
// built with options of their own (pools, sharded rings).
func (f *Fake) Dialer(ctx context.Context, network, addr string) (net.Conn, error) {
	return f.srv.Dialer(ctx, network, addr)
}

// Conn returns a lazy connection to the Fake (conn.New(f.Options())),
// disconnected by Close.
func (f *Fake) Conn() *conn.Conn {
	c := conn.New(f.Options())
	f.mu.Lock()
	closed := f.closed
	if !closed {
		f.clients = append(f.clients, c)
	}
	f.mu.Unlock()
	if closed {
		c.Disconnect()
	}
	return c
}

// Sender returns a conn.Sender that answers from the same script without
// a connection: each command is resolved at once, on the caller's
// goroutine, so callbacks run before the method sending it returns.
// conn.NewCommands(f.Sender()) is a command set for unit tests of code
// that takes one.
func (f *Fake) Sender() conn.Sender { return senderFunc(f.send) }

type senderFunc func(cmd *proto.Cmd, r conn.Resolver)

func (s senderFunc) Send(cmd *proto.Cmd, r conn.Resolver) { s(cmd, r) }

func (f *Fake) send(cmd *proto.Cmd, r conn.Resolver) {
	args := make([]string, cmd.Len())
	for i := range args {
		args[i] = string(cmd.ArgBytes(i))
	}
	cmd.Release()
	r.Resolve(f.answer(args), nil)
}

// Received returns every command the Fake received, in order of arrival
// (over all connections and the Sender), the name as sent.
func (f *Fake) Received() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([][]string, len(f.received))
	for i, r := range f.received {
		out[i] = append([]string(nil), r...)
	}
	return out
}

// Drop closes every connection made so far, as a server that went away
// would; the clients see a lost connection and redial, which succeeds
// unless Refuse(true) was called.
func (f *Fake) Drop() { f.srv.CloseAll() }

// Refuse makes later dials fail (a server that is down), or succeed
// again.
func (f *Fake) Refuse(refuse bool) { f.srv.Refuse(refuse) }

// Check returns an error listing the commands that no expectation, Handle
// or default answered, and the expectations not met (never matched, or
// matched a number of times other than Times); nil when all went as
// scripted.
func (f *Fake) Check() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []error
	for _, u := range f.unexpected {
		errs = append(errs, fmt.Errorf("redistest: unexpected command %s", quote(u)))
	}
	for _, c := range f.calls {
		switch {
		case c.times < 0 && c.seen == 0:
			errs = append(errs, fmt.Errorf("redistest: expected command %s was never sent", quote(c.args)))
		case c.times >= 0 && c.seen != c.times:
			errs = append(errs, fmt.Errorf("redistest: expected command %s %d times, got %d", quote(c.args), c.times, c.seen))
		}
	}
	return errors.Join(errs...)
}

// Close disconnects the connections Conn made, closes every connection
// to the Fake and refuses new ones. It is idempotent.
func (f *Fake) Close() {
	f.mu.Lock()
	clients := f.clients
	f.clients = nil
	f.closed = true
	f.mu.Unlock()
	ctx := context.Background()
	for _, c := range clients {
		_, _ = c.Disconnect().Wait(ctx)
	}
	f.srv.Close()
}

// answer finds the reply to one command.
func (f *Fake) answer(args []string) proto.Value {
	f.mu.Lock()
	f.received = append(f.received, args)
	for _, c := range f.calls {
		if (c.times < 0 || c.seen < c.times) && matches(c.args, args) {
			c.seen++
			v := proto.ErrorValue("ERR redistest: no reply given for " + quote(c.args))
			if n := len(c.replies); n > 0 {
				v = c.replies[min(c.seen, n)-1]
			}
			f.mu.Unlock()
			return v
		}
	}
	h := f.handler
	f.mu.Unlock()
	if h != nil {
		return h(args)
	}
	if v, ok := builtin(args); ok {
		return v
	}
	f.mu.Lock()
	f.unexpected = append(f.unexpected, args)
	f.mu.Unlock()
	return proto.ErrorValue("ERR redistest: unexpected command " + quote(args))
}

// builtin answers the commands a connection sends by itself.
func builtin(args []string) (proto.Value, bool) {
	switch strings.ToUpper(args[0]) {
	case "PING":
		return proto.SimpleValue("PONG"), true
	case "AUTH", "SELECT", "READONLY", "QUIT":
		return proto.SimpleValue("OK"), true
	case "CLIENT":
		if len(args) > 1 && strings.EqualFold(args[1], "SETNAME") {
			return proto.SimpleValue("OK"), true
		}
	case "HELLO":
		ver := int64(2)
		if len(args) > 1 && args[1] == "3" {
			ver = 3
		}
		return proto.MapValue(
			proto.BulkValue("server"), proto.BulkValue("redistest"),
			proto.BulkValue("version"), proto.BulkValue("7.0.0"),
			proto.BulkValue("proto"), proto.IntValue(ver),
		), true
	}
	return proto.Value{}, false
}

func matches(want, have []string) bool {
	if len(want) != len(have) || len(want) == 0 || !strings.EqualFold(want[0], have[0]) {
		return false
	}
	for i := 1; i < len(want); i++ {
		if want[i] != Any && want[i] != have[i] {
			return false
		}
	}
	return true
}

func quote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == Any {
			q[i] = "<any>"
			continue
		}
		q[i] = fmt.Sprintf("%q", a)
	}
	return "[" + strings.Join(q, " ") + "]"
}
