package proto

import (
	"bytes"
	"strings"
	"testing"
	"unsafe"
)

// pieces records what Encode hands a LargeWriter.
type pieces struct{ parts [][]byte }

func (p *pieces) Large(dst, large []byte) []byte {
	p.parts = append(p.parts, bytes.Clone(dst), large)
	return dst[:0]
}

func TestLargeArgumentsAreNotCopied(t *testing.T) {
	big := strings.Repeat("v", LargeArg)
	small := strings.Repeat("s", LargeArg-1)
	raw := bytes.Repeat([]byte("b"), LargeArg+5)
	cmd := NewCmd("MSET").Key("k1").Arg(big).Key("k2").Bytes(raw).Key("k3").Arg(small)
	defer cmd.Release()

	want := AppendCommand(nil, "MSET", "k1", big, "k2", string(raw), "k3", small)
	if have := cmd.AppendTo(nil); !bytes.Equal(have, want) {
		t.Fatalf("AppendTo: have %d bytes, want %d, equal=%v", len(have), len(want), bytes.Equal(have, want))
	}
	var p pieces
	rest := cmd.Encode(nil, &p)
	if len(p.parts) != 4 {
		t.Fatalf("Encode made %d pieces, want 2 large arguments with what precedes each", len(p.parts))
	}
	joined := bytes.Join(append(p.parts, rest), nil)
	if !bytes.Equal(joined, want) {
		t.Fatalf("Encode pieces do not join into the wire form")
	}
	if have := cmd.ArgBytes(2); string(have) != big {
		t.Fatal("ArgBytes of the large string argument")
	}
	if have := cmd.ArgBytes(6); string(have) != small {
		t.Fatal("ArgBytes of the small argument after the large ones")
	}
	if k, _ := cmd.FirstKey(); string(k) != "k1" {
		t.Fatalf("FirstKey: have %q", k)
	}
}

func TestLargeStringArgumentSharesTheCallersMemory(t *testing.T) {
	big := strings.Repeat("v", 2*LargeArg)
	cmd := NewCmd("SET").Key("k").Arg(big)
	defer cmd.Release()
	var p pieces
	cmd.Encode(nil, &p)
	if len(p.parts) != 2 || &p.parts[1][0] != unsafeStringData(big) {
		t.Fatal("a large string argument was copied")
	}
}

func TestLargeBytesArgumentIsCopiedOnce(t *testing.T) {
	raw := bytes.Repeat([]byte("a"), LargeArg)
	cmd := NewCmd("SET").Key("k").Bytes(raw)
	defer cmd.Release()
	raw[0] = 'X' // the caller reuses its slice as soon as Bytes returns
	if have := cmd.ArgBytes(2); have[0] != 'a' {
		t.Fatal("the command saw the caller's later change: a []byte argument must be copied")
	}
	if raceEnabled {
		return // the race detector makes sync.Pool drop items at random
	}
	if allocs := testing.AllocsPerRun(100, func() {
		c := NewCmd("SET").Key("k").Bytes(raw)
		c.Release()
	}); allocs > 1 {
		t.Fatalf("a large []byte argument took %v allocations, want its one copy", allocs)
	}
}

func TestCloneAndReleaseWithLargeArguments(t *testing.T) {
	big := strings.Repeat("z", LargeArg*3)
	cmd := NewCmd("SET").Key("k").Arg(big)
	cl := cmd.Clone()
	cmd.Release()
	reused := NewCmd("GET").Key("other") // likely the released Cmd again
	defer reused.Release()
	defer cl.Release()
	if have := cl.AppendTo(nil); !bytes.Equal(have, AppendCommand(nil, "SET", "k", big)) {
		t.Fatal("the clone lost its large argument when the original was released")
	}
	if have := reused.AppendTo(nil); !bytes.Equal(have, AppendCommand(nil, "GET", "other")) {
		t.Fatalf("a reused Cmd kept a large argument: %q", have)
	}
	if s := cl.String(); !strings.Contains(s, "bytes)") || len(s) > 200 {
		t.Fatalf("String of a large argument is not shortened: %d bytes", len(s))
	}
}

func unsafeStringData(s string) *byte { return unsafe.StringData(s) }
