package handle_test

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/proto"
)

// memo is a handle that answers GET and SET from a map in memory: it
// implements conn.Sender and embeds the command set, so every typed
// command that reaches it (Get, Set, Do...) works as on a connection.
type memo struct {
	conn.Commands
	mu   sync.Mutex
	data map[string]string
}

func newMemo() *memo {
	m := &memo{data: map[string]string{}}
	m.Commands = conn.NewCommands(m)
	return m
}

// Send answers cmd. Like every handle it refuses the raw commands that
// would break reply matching, and resolves r exactly once.
func (m *memo) Send(cmd *proto.Cmd, r conn.Resolver) {
	defer cmd.Release()
	if err := handle.RefuseShared(cmd); err != nil {
		r.Resolve(proto.Value{}, err)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case cmd.Name() == "GET" && cmd.Len() == 2:
		v, ok := m.data[string(cmd.ArgBytes(1))]
		if !ok {
			r.Resolve(proto.Value{Kind: proto.Null}, nil)
			return
		}
		r.Resolve(proto.BulkValue(v), nil)
	case cmd.Name() == "SET" && cmd.Len() == 3:
		m.data[string(cmd.ArgBytes(1))] = string(cmd.ArgBytes(2))
		r.Resolve(proto.SimpleValue("OK"), nil)
	default:
		r.Resolve(proto.ErrorValue("ERR memo knows GET and SET only"), nil)
	}
}

// Upper is a command of the handle's own, built with Request.
func (m *memo) Upper(key string) *deferred.Deferred[string] {
	if key == "" {
		return handle.Failed[string](nil, handle.BadArgs("UPPER", "empty key"))
	}
	return handle.Request(m, proto.NewCmd("GET").Key(key), func(v proto.Value) (string, error) {
		s, err := v.AsString()
		return strings.ToUpper(s), err
	})
}

func Example() {
	ctx := context.Background()
	m := newMemo()
	_, _ = m.Set("greeting", "hello").Wait(ctx)
	v, _ := m.Get("greeting").Wait(ctx)
	up, _ := m.Upper("greeting").Wait(ctx)
	_, err := m.Do("SUBSCRIBE", "news").Wait(ctx)
	fmt.Println(v, up)
	fmt.Println(err)
	_, err = m.Upper("").Wait(ctx)
	fmt.Println(err)
	// Output:
	// hello HELLO
	// txredis: invalid arguments: SUBSCRIBE: its replies do not answer one command each (subscriber and monitor modes); use the pubsub package (Subscriber, ConnectMonitor)
	// txredis: invalid arguments: UPPER: empty key
}
