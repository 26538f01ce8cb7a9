package shard_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/shard"
)

// Commands the built-in table lacks are routed by what the servers say
// of them. A real redis-server 7.0 with renamed commands has commands
// the table does not know (XGET is GET, XRD is XREAD, EV is EVAL), with
// the key specifications of the originals: by position, after a keyword,
// and counted by an argument. A command the server does not know either
// (JSON.GET without the module) is routed by its first argument and the
// server answers with its own error.
func TestRealLearnedCommands(t *testing.T) {
	args := []string{"--rename-command", "GET", "XGET", "--rename-command", "XREAD", "XRD", "--rename-command", "EVAL", "EV"}
	srvs := []*testserver.Server{testserver.Start(t, args...), testserver.Start(t, args...)}
	r := testutil.Must(t, shard.Connect([]string{srvs[0].Addr(), srvs[1].Addr()}, conn.Options{}))
	defer r.Disconnect()
	keys := keysOnShards(t, r, "learn:", 40)
	for _, k := range keys {
		testutil.Must(t, r.Set(k, "v:"+k))
		testutil.Must(t, r.Do("XADD", "s"+k, "*", "f", k))
	}
	for _, k := range keys {
		if v := testutil.Must(t, r.Do("XGET", k)); v.Str != "v:"+k {
			t.Fatalf("XGET %s on %s: %v", k, r.Shard(k), v)
		}
		if v := testutil.Must(t, r.Do("XRD", "COUNT", "1", "STREAMS", "s"+k, "0")); v.Kind != proto.Array || len(v.Elems) != 1 {
			t.Fatalf("XRD STREAMS s%s: %v", k, v)
		}
		if v := testutil.Must(t, r.Do("EV", "return redis.call('SET', KEYS[1], ARGV[1])", "1", k, "ev")); v.Str != "OK" {
			t.Fatalf("EV on %s: %v", k, v)
		}
	}
	// In a pipeline too: the ring learns before it routes the batch.
	k := keys[0]
	p := r.Pipeline()
	p.Set(k, "piped")
	xget := p.Do("XGET", k)
	testutil.Must(t, p.Execute())
	if v := testutil.Must(t, xget); v.Str != "piped" {
		t.Errorf("pipelined XGET: %v", v)
	}
	// Unknown to the server too: routed by the first argument, and the
	// server's error says what is wrong.
	_, err := testutil.Wait(t, r.Do("JSON.GET", k, "$"))
	var perr *proto.Error
	if !errors.As(err, &perr) || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("JSON.GET: %v, want the server's unknown command error", err)
	}
	// A table command without a key still fails before anything is sent.
	if _, err := testutil.Wait(t, r.Do("DBSIZE")); !errors.Is(err, shard.ErrNotSharded) {
		t.Errorf("DBSIZE: %v, want ErrNotSharded", err)
	}
}

// twoFakeNodes serves nodes "a:1" and "b:2" from scripted fake servers
// that know HEXPIRE (Redis 7.4) and WAITAOF (7.2), and records which node
// received each command.
type twoFakeNodes struct {
	mu   sync.Mutex
	seen map[string][]string // node -> commands, space-joined
	srv  map[string]*fakeserver.Server
	down map[string]bool
}

func newTwoFakeNodes(t *testing.T) *twoFakeNodes {
	f := &twoFakeNodes{seen: map[string][]string{}, srv: map[string]*fakeserver.Server{}, down: map[string]bool{}}
	for _, n := range []string{"a:1", "b:2"} {
		node := n
		f.srv[n] = fakeserver.New(func(p *fakeserver.Peer) {
			p.Serve(func(args []string) proto.Value {
				f.mu.Lock()
				f.seen[node] = append(f.seen[node], strings.Join(args, " "))
				f.mu.Unlock()
				switch strings.Join(args[:min(3, len(args))], " ") {
				case "COMMAND INFO HEXPIRE":
					return hexpireInfo
				case "COMMAND INFO WAITAOF":
					return waitaofInfo
				}
				if args[0] == "HEXPIRE" {
					return proto.Value{Kind: proto.Array, Elems: []proto.Value{{Kind: proto.Integer, Int: 1}}}
				}
				return proto.ErrorValue("ERR unexpected " + args[0])
			})
		})
		t.Cleanup(f.srv[n].Close)
	}
	return f
}

func (f *twoFakeNodes) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	f.mu.Lock()
	down := f.down[addr]
	f.mu.Unlock()
	if down {
		return nil, errors.New("refused")
	}
	return f.srv[addr].Dialer(ctx, network, addr)
}

func (f *twoFakeNodes) commands(node, prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.seen[node] {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

// Replies of COMMAND INFO of Redis 7.4 and 7.2 (RESP2).
var (
	bulk        = proto.BulkValue
	integer     = func(n int64) proto.Value { return proto.Value{Kind: proto.Integer, Int: n} }
	array       = func(e ...proto.Value) proto.Value { return proto.Value{Kind: proto.Array, Elems: e} }
	hexpireInfo = array(array(bulk("hexpire"), integer(-6), array(proto.SimpleValue("write"), proto.SimpleValue("fast")),
		integer(1), integer(1), integer(1), array(proto.SimpleValue("@write"), proto.SimpleValue("@hash")), array(),
		array(array(bulk("flags"), array(proto.SimpleValue("RW"), proto.SimpleValue("UPDATE")),
			bulk("begin_search"), array(bulk("type"), bulk("index"), bulk("spec"), array(bulk("index"), integer(1))),
			bulk("find_keys"), array(bulk("type"), bulk("range"), bulk("spec"), array(bulk("lastkey"), integer(0), bulk("keystep"), integer(1), bulk("limit"), integer(0))))),
		array()))
	waitaofInfo = array(array(bulk("waitaof"), integer(4), array(proto.SimpleValue("noscript"), proto.SimpleValue("blocking")),
		integer(0), integer(0), integer(0), array(proto.SimpleValue("@slow"), proto.SimpleValue("@connection")), array(), array(), array()))
)

// HEXPIRE (Redis 7.4, newer than the table) goes to the node of its key,
// as learned from COMMAND INFO, asked once; WAITAOF, which the server
// says has no key, fails with ErrNotSharded as every keyless command
// does; a node that is down is skipped when asking.
func TestLearnedNewerCommands(t *testing.T) {
	f := newTwoFakeNodes(t)
	f.down["a:1"] = true // asking starts with the first node: it must skip it
	r := shard.New([]string{"a:1", "b:2"}, conn.Options{Dialer: f.dial, NoReconnect: true})
	defer r.Disconnect()
	var onA, onB string
	for i := 0; onA == "" || onB == ""; i++ {
		k := "h" + string(rune('a'+i%26)) + itoa(i)
		if r.Shard(k) == "a:1" {
			onA = k
		} else {
			onB = k
		}
	}
	if _, err := testutil.Wait(t, r.Do("HEXPIRE", onA, "10", "FIELDS", "1", "f")); !errors.Is(err, conn.ErrConnection) {
		t.Fatalf("HEXPIRE on the down node: %v, want its connection error", err)
	}
	for i := 0; i < 3; i++ {
		if _, err := testutil.Wait(t, r.Do("HEXPIRE", onB, "10", "FIELDS", "1", "f")); err != nil {
			t.Fatalf("HEXPIRE on b: %v", err)
		}
	}
	if n := f.commands("b:2", "HEXPIRE "+onB); n != 3 {
		t.Errorf("b received %d HEXPIRE for its key, want 3", n)
	}
	if n := f.commands("b:2", "COMMAND INFO HEXPIRE"); n != 1 {
		t.Errorf("COMMAND INFO HEXPIRE asked %d times, want once", n)
	}
	_, err := testutil.Wait(t, r.Do("WAITAOF", "1", "0", "100"))
	if !errors.Is(err, shard.ErrNotSharded) || !strings.Contains(err.Error(), "no key") {
		t.Errorf("WAITAOF: %v, want ErrNotSharded (no key)", err)
	}
	if n := f.commands("b:2", "WAITAOF"); n != 0 {
		t.Errorf("WAITAOF was sent to a node")
	}
}
