package proto

import (
	"bufio"
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCmdEncoding(t *testing.T) {
	c := NewCmd("set").Key("k\r\n").Arg("v").Int(-5).Float(2.5).Bytes([]byte{0}).KeyBytes([]byte("k2"))
	defer c.Release()
	want := "*7\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$1\r\nv\r\n$2\r\n-5\r\n$3\r\n2.5\r\n$1\r\n\x00\r\n$2\r\nk2\r\n"
	if have := string(c.AppendTo(nil)); have != want {
		t.Errorf("AppendTo\nhave %q\nwant %q", have, want)
	}
	if c.Name() != "SET" || c.Len() != 7 {
		t.Errorf("Name, Len = %q, %d; want SET, 7", c.Name(), c.Len())
	}
	for i, want := range []string{"SET", "k\r\n", "v", "-5", "2.5", "\x00", "k2"} {
		if have := string(c.ArgBytes(i)); have != want {
			t.Errorf("ArgBytes(%d) = %q, want %q", i, have, want)
		}
	}
	if have := c.KeyIndexes(); !slices.Equal(have, []int{1, 6}) {
		t.Errorf("KeyIndexes = %v, want [1 6]", have)
	}
	if k, ok := c.FirstKey(); !ok || string(k) != "k\r\n" {
		t.Errorf("FirstKey = %q, %v", k, ok)
	}
	if _, ok := c.Blocking(); ok {
		t.Error("a new Cmd reports blocking")
	}
}

func TestCmdNoKeys(t *testing.T) {
	c := NewCmd("PING")
	defer c.Release()
	if _, ok := c.FirstKey(); ok {
		t.Error("PING has a first key")
	}
	if len(c.KeyIndexes()) != 0 {
		t.Error("PING has key indexes")
	}
	if have := string(c.AppendTo(nil)); have != "*1\r\n$4\r\nPING\r\n" {
		t.Errorf("PING encodes as %q", have)
	}
}

func TestCmdAny(t *testing.T) {
	c := NewCmd("X")
	defer c.Release()
	for _, a := range []any{"s", []byte("b"), 1, int8(-2), int16(3), int32(4), int64(5), uint(6), uint8(7), uint16(8),
		uint32(9), uint64(math.MaxUint64), float32(0.5), 1.25, true, false, math.Inf(1)} {
		if err := c.Any(a); err != nil {
			t.Fatalf("Any(%T): %v", a, err)
		}
	}
	want := []string{"X", "s", "b", "1", "-2", "3", "4", "5", "6", "7", "8", "9", "18446744073709551615", "0.5", "1.25", "1", "0", "+inf"}
	if c.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", c.Len(), len(want))
	}
	for i, w := range want {
		if have := string(c.ArgBytes(i)); have != w {
			t.Errorf("arg %d = %q, want %q", i, have, w)
		}
	}
	for _, a := range []any{nil, struct{}{}, time.Second, []string{"a"}} {
		err := c.Any(a)
		if err == nil || !strings.HasPrefix(err.Error(), "txredis/proto: ") {
			t.Errorf("Any(%#v) = %v, want a txredis/proto error", a, err)
		}
	}
	if c.Len() != len(want) {
		t.Errorf("rejected arguments changed the command")
	}
	if err := c.Any(struct{}{}); err.Error() != "txredis/proto: unsupported argument type struct {}" {
		t.Errorf("unsupported type message: %v", err)
	}
}

func TestCmdBlockingAndClone(t *testing.T) {
	c := NewCmd("BLPOP").Key("q").Arg("5")
	c.SetBlocking(5 * time.Second)
	d := c.Clone()
	c.Release()
	if to, ok := d.Blocking(); !ok || to != 5*time.Second {
		t.Errorf("clone Blocking = %v, %v", to, ok)
	}
	e := NewCmd("GET").Key("other") // likely reuses c's memory
	defer e.Release()
	if have := string(d.AppendTo(nil)); have != "*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n5\r\n" {
		t.Errorf("clone changed after the original was released: %q", have)
	}
	if k, _ := d.FirstKey(); string(k) != "q" {
		t.Errorf("clone FirstKey = %q", k)
	}
	d.Release()
	if _, ok := e.Blocking(); ok {
		t.Error("a pooled Cmd kept its blocking mark")
	}
}

func TestCmdReleaseTwicePanics(t *testing.T) {
	c := NewCmd("GET")
	c.Release()
	defer func() {
		if recover() == nil {
			t.Error("second Release did not panic")
		}
	}()
	c.Release()
}

func TestCmdString(t *testing.T) {
	long := strings.Repeat("x", 100)
	for _, tc := range []struct {
		c    *Cmd
		want string
	}{
		{NewCmd("get").Key("foo"), `GET "foo"`},
		{NewCmd("SET").Key("a\nb").Arg("v"), `SET "a\nb" "v"`},
		{NewCmd("SET").Key("k").Arg(long), `SET "k" "` + long[:64] + `"...(100 bytes)`},
		{NewCmd("AUTH").Arg("hunter2"), `AUTH (masked)`},
		{NewCmd("AUTH").Arg("user").Arg("hunter2"), `AUTH (masked) (masked)`},
		{NewCmd("HELLO").Arg("3").Arg("auth").Arg("user").Arg("hunter2").Arg("SETNAME").Arg("app"),
			`HELLO "3" "auth" (masked) (masked) "SETNAME" "app"`},
		{NewCmd("MIGRATE").Arg("h").Arg("1").Arg("").Arg("0").Arg("5").Arg("AUTH").Arg("hunter2").Arg("KEYS").Arg("a"),
			`MIGRATE "h" "1" "" "0" "5" "AUTH" (masked) "KEYS" "a"`},
		{NewCmd("MIGRATE").Arg("h").Arg("AUTH2").Arg("u").Arg("hunter2").Arg("KEYS"),
			`MIGRATE "h" "AUTH2" (masked) (masked) "KEYS"`},
		{NewCmd("CONFIG").Arg("SET").Arg("requirepass").Arg("hunter2").Arg("maxmemory").Arg("1"),
			`CONFIG "SET" "requirepass" (masked) "maxmemory" "1"`},
		{NewCmd("ACL").Arg("SETUSER").Arg("bob").Arg("on").Arg(">hunter2"),
			`ACL "SETUSER" "bob" "on" (masked)`},
	} {
		if have := tc.c.String(); have != tc.want {
			t.Errorf("String\nhave %s\nwant %s", have, tc.want)
		}
		if strings.Contains(tc.c.String(), "hunter2") {
			t.Errorf("String reveals a password: %s", tc.c.String())
		}
		tc.c.Release()
	}
	c := NewCmd("DEL")
	for range 20 {
		c.Key("k")
	}
	if have := c.String(); !strings.HasSuffix(have, ` "k" ...(20 arguments)`) {
		t.Errorf("long command: %s", have)
	}
	c.Release()
}

// TestCmdRoundTrip checks that what a Cmd encodes, a Reader decodes to the
// same strings, binary bytes included.
func TestCmdRoundTrip(t *testing.T) {
	args := []string{"", "a\r\nb", "\x00\xff", strings.Repeat("z", 10000)}
	c := NewCmd("RPUSH")
	for _, a := range args {
		c.Arg(a)
	}
	defer c.Release()
	checkCmdDecodes(t, c, append([]string{"RPUSH"}, args...))
}

func checkCmdDecodes(t *testing.T, c *Cmd, want []string) {
	t.Helper()
	wire := c.AppendTo(nil)
	r := NewReader(bufio.NewReader(bytes.NewReader(wire)), ReaderOptions{})
	v, err := r.ReadValue()
	if err != nil {
		t.Fatalf("reading %q: %v", wire, err)
	}
	have, err := v.AsStrings()
	if err != nil || !slices.Equal(have, want) {
		t.Fatalf("decoded %q (%v), want %q", have, err, want)
	}
	if r.Buffered() != 0 {
		t.Fatalf("%d bytes left after the command", r.Buffered())
	}
}

func TestCmdNoAlloc(t *testing.T) {
	dst := make([]byte, 0, 256)
	c := NewCmd("SET").Key("key").Arg("value")
	allocs := testing.AllocsPerRun(100, func() { _ = c.AppendTo(dst[:0]) })
	c.Release()
	if allocs != 0 {
		t.Errorf("AppendTo: %v allocations, want 0", allocs)
	}
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	allocs = testing.AllocsPerRun(100, func() {
		c := NewCmd("SET").Key("key").Arg("value").Int(10)
		_ = c.AppendTo(dst[:0])
		c.Release()
	})
	if allocs != 0 {
		t.Errorf("NewCmd, build, AppendTo, Release: %v allocations, want 0", allocs)
	}
}

func TestCmdKeysAliasesWithoutAllocating(t *testing.T) {
	c := NewCmd("MSET").Key("a").Arg("1").Key("b").Arg("2")
	defer c.Release()
	if have := c.Keys(); len(have) != 2 || have[0] != 1 || have[1] != 3 {
		t.Fatalf("Keys: have %v, want [1 3]", have)
	}
	if n := testing.AllocsPerRun(100, func() { _ = c.Keys() }); n != 0 {
		t.Fatalf("Keys allocates %v times", n)
	}
}
