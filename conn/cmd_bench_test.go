package conn_test

import (
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// nullSender answers every command at once with reply, without a network:
// what is left is the cost of building the command and its Deferred.
type nullSender struct{ reply proto.Value }

func (s nullSender) Send(cmd *proto.Cmd, r conn.Resolver) {
	cmd.Release()
	r.Resolve(s.reply, nil)
}

func benchCommand(b *testing.B, reply proto.Value, f func(c conn.Commands)) {
	c := conn.NewCommands(nullSender{reply: reply})
	b.ReportAllocs()
	for b.Loop() {
		f(c)
	}
}

func BenchmarkGet(b *testing.B) {
	benchCommand(b, proto.BulkValue("value"), func(c conn.Commands) { c.Get("key") })
}

func BenchmarkSet(b *testing.B) {
	benchCommand(b, proto.SimpleValue("OK"), func(c conn.Commands) { c.Set("key", "value") })
}

func BenchmarkSetWithArgs(b *testing.B) {
	args := conn.SetArgs{PX: 1500e6, NX: true}
	benchCommand(b, proto.SimpleValue("OK"), func(c conn.Commands) { c.SetWithArgs("key", "value", args) })
}

func BenchmarkHGet(b *testing.B) {
	benchCommand(b, proto.BulkValue("value"), func(c conn.Commands) { c.HGet("key", "field") })
}

func BenchmarkSIsMember(b *testing.B) {
	benchCommand(b, proto.IntValue(1), func(c conn.Commands) { c.SIsMember("key", "member") })
}

func BenchmarkZScore(b *testing.B) {
	benchCommand(b, proto.BulkValue("1.5"), func(c conn.Commands) { c.ZScore("key", "member") })
}

func BenchmarkDo(b *testing.B) {
	benchCommand(b, proto.BulkValue("value"), func(c conn.Commands) { c.Do("GET", "key") })
}

// TestHotPathAllocs pins the allocation counts of the hot commands: one
// (the request) each.
func TestHotPathAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	for name, f := range map[string]func(c conn.Commands){
		"GET":       func(c conn.Commands) { c.Get("key") },
		"SET":       func(c conn.Commands) { c.Set("key", "value") },
		"HGET":      func(c conn.Commands) { c.HGet("key", "field") },
		"SISMEMBER": func(c conn.Commands) { c.SIsMember("key", "member") },
		"INCR":      func(c conn.Commands) { c.Incr("key") },
	} {
		c := conn.NewCommands(nullSender{reply: proto.IntValue(1)})
		f(c)
		if n := testing.AllocsPerRun(200, func() { f(c) }); n > 1 {
			t.Errorf("%s: %v allocations per command, want 1", name, n)
		}
	}
}
