package reliability

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// randomBinary returns n random bytes, rich in the bytes RESP treats
// specially (CR, LF, NUL, '$', '*') and in high bytes.
func randomBinary(rng *rand.Rand, n int) string {
	special := []byte{'\r', '\n', 0, '$', '*', '+', '-', ':', 0xff, 0x80}
	b := make([]byte, n)
	for i := range b {
		if rng.IntN(3) == 0 {
			b[i] = special[rng.IntN(len(special))]
		} else {
			b[i] = byte(rng.UintN(256))
		}
	}
	return string(b)
}

// TestBinaryArgumentsRoundTrip writes random binary keys and values with
// SET, reads them back with GET, and echoes random arguments: every byte
// must come back unchanged. All commands are pipelined at once.
func TestBinaryArgumentsRoundTrip(t *testing.T) {
	srv := testserver.Start(t)
	c := connect(t, conn.Options{Addr: srv.Addr(), ReplyTimeout: 5 * replyTimeout})
	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)

	const n = 500
	keys, vals, echoes := make([]string, n), make([]string, n), make([]string, n)
	sets := make([]*deferred.Deferred[string], n)
	gets := make([]*deferred.Deferred[string], n)
	echoDs := make([]*deferred.Deferred[proto.Value], n)
	for i := range n {
		// Lengths around the sizes where encoders and readers switch
		// paths: empty, one byte, around the read buffer size.
		size := []int{0, 1, 2, 13, 255, 4095, 4096, 16383, 16384, 16385, 70000}[i%11]
		keys[i] = "bin:" + strconv.Itoa(i) + ":" + randomBinary(rng, rng.IntN(40))
		vals[i] = randomBinary(rng, size)
		echoes[i] = randomBinary(rng, size)
		sets[i] = c.Set(keys[i], vals[i])
		gets[i] = c.Get(keys[i])
		echoDs[i] = c.Do("ECHO", []byte(echoes[i]))
	}
	for i := range n {
		if have := testutil.Must(t, sets[i]); have != "OK" {
			t.Fatalf("SET %q: %q", keys[i], have)
		}
		if have := testutil.Must(t, gets[i]); have != vals[i] {
			t.Fatalf("GET %q: %d bytes came back differing from the %d written", keys[i], len(have), len(vals[i]))
		}
		v := testutil.Must(t, echoDs[i])
		if v.Kind != proto.BulkString || v.Str != echoes[i] {
			t.Fatalf("ECHO of %d bytes: have %v", len(echoes[i]), v)
		}
	}
	// The keys exist under their exact binary names.
	for i := 0; i < n; i += 50 {
		if have := testutil.Must(t, c.Do("EXISTS", keys[i])); have.Int != 1 {
			t.Fatalf("EXISTS %q = %v", keys[i], have)
		}
	}
}

// TestNoInjectionThroughArguments: arguments holding CR/LF and RESP
// syntax are data, never commands.
func TestNoInjectionThroughArguments(t *testing.T) {
	srv := testserver.Start(t)
	c := connect(t, conn.Options{Addr: srv.Addr()})
	testutil.Must(t, c.Set("b", "precious"))
	for _, key := range []string{
		"a\r\nDEL b",
		"a\r\nDEL b\r\n",
		"*2\r\n$3\r\nDEL\r\n$1\r\nb\r\n",
		"x\r\n*2\r\n$3\r\nDEL\r\n$1\r\nb\r\n",
		"a\nDEL b\n",
		"a\x00DEL b",
	} {
		testutil.Must(t, c.Set(key, "v"))
		if have := testutil.Must(t, c.Get(key)); have != "v" {
			t.Fatalf("GET %q: %q", key, have)
		}
		if have := testutil.Must(t, c.Get("b")); have != "precious" {
			t.Fatalf("key %q deleted b: GET b = %q", key, have)
		}
		// The value holds the same syntax.
		testutil.Must(t, c.Set("v:"+key, key))
		if have := testutil.Must(t, c.Get("v:"+key)); have != key {
			t.Fatalf("value %q came back as %q", key, have)
		}
	}
	// Exactly the written keys exist: nothing was split into extra keys.
	keys := testutil.Must(t, c.Do("DBSIZE"))
	if keys.Int != 13 {
		all := testutil.Must(t, c.Do("KEYS", "*"))
		t.Fatalf("DBSIZE = %d, want 13 (b + 6 keys + 6 value keys): %v", keys.Int, all)
	}
	// The connection is still in step.
	if have := testutil.Must(t, c.Do("ECHO", "in step")); have.Str != "in step" {
		t.Fatalf("ECHO after the injection attempts: %v", have)
	}
	if _, err := testutil.Wait(t, c.Get("DEL b")); !errors.Is(err, proto.ErrNil) {
		t.Fatalf("GET of a key never written: %v, want proto.ErrNil", err)
	}
}
