package shard_test

//go:generate sh -c "python3 testdata/hashring.py > testdata/vectors.txt"

import (
	"bufio"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/txredis/txredis/shard"
)

// vectorSet is one node set of testdata/vectors.txt with its expected
// placements, by "<crc> <tags>" mode.
type vectorSet struct {
	nodes []string
	want  map[string]string // mode -> one digit (node index) per key
}

// readVectors loads testdata/vectors.txt, written by testdata/hashring.py,
// an independent Python reimplementation of txredisapi's HashRing.
func readVectors(t *testing.T) (keys []string, sets map[string]*vectorSet) {
	t.Helper()
	f, err := os.Open("testdata/vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sets = map[string]*vectorSet{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 0 || strings.HasPrefix(fields[0], "#"):
		case fields[0] == "key" && len(fields) == 2:
			k := fields[1]
			if k == "-" {
				k = ""
			}
			b, err := hex.DecodeString(k)
			if err != nil {
				t.Fatalf("bad key line %q: %v", sc.Text(), err)
			}
			keys = append(keys, string(b))
		case fields[0] == "set" && len(fields) > 2:
			sets[fields[1]] = &vectorSet{nodes: fields[2:], want: map[string]string{}}
		case fields[0] == "vec" && len(fields) == 5:
			sets[fields[1]].want[fields[2]+" "+fields[3]] = fields[4]
		default:
			t.Fatalf("bad line %q", sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return keys, sets
}

func TestPlacementMatchesTxredisapi(t *testing.T) {
	keys, sets := readVectors(t)
	if len(keys) != 1000 || len(sets) != 3 {
		t.Fatalf("vectors: %d keys, %d sets; want 1000 and 3", len(keys), len(sets))
	}
	crcs := map[string][]shard.Option{"signed": nil, "unsigned": {shard.UnsignedCRC()}}
	tags := map[string]shard.TagRule{"txredisapi": shard.TxredisapiTags, "none": shard.NoTags, "cluster": shard.ClusterTags}
	checked := 0
	for setName, set := range sets {
		for crcName, crcOpts := range crcs {
			for tagName, rule := range tags {
				mode := crcName + " " + tagName
				want, ok := set.want[mode]
				if !ok || len(want) != len(keys) {
					t.Fatalf("%s %s: no vector", setName, mode)
				}
				h, err := shard.NewHashRing(set.nodes, append(crcOpts, shard.Tags(rule))...)
				if err != nil {
					t.Fatal(err)
				}
				bad := 0
				for i, k := range keys {
					have := h.Node(k)
					if wantNode := set.nodes[want[i]-'0']; have != wantNode {
						if bad < 5 {
							t.Errorf("%s %s: key %q: have %s, want %s", setName, mode, k, have, wantNode)
						}
						bad++
					}
					checked++
				}
				if bad > 0 {
					t.Errorf("%s %s: %d of %d keys misplaced", setName, mode, bad, len(keys))
				}
			}
		}
	}
	if checked != 18000 {
		t.Fatalf("checked %d placements, want 18000", checked)
	}
}

// The vectors must exercise what they are meant to: the signed and
// unsigned orders disagree on some keys, and tags move keys.
func TestVectorsCoverModes(t *testing.T) {
	_, sets := readVectors(t)
	for name, set := range sets {
		diff := func(a, b string) int {
			n := 0
			for i := range set.want[a] {
				if set.want[a][i] != set.want[b][i] {
					n++
				}
			}
			return n
		}
		if d := diff("signed txredisapi", "unsigned txredisapi"); d < 10 {
			t.Errorf("%s: signed and unsigned differ on %d keys, want at least 10", name, d)
		}
		if d := diff("signed txredisapi", "signed none"); d < 50 {
			t.Errorf("%s: tags move %d keys, want at least 50", name, d)
		}
		if d := diff("signed txredisapi", "signed cluster"); d == 0 {
			t.Errorf("%s: txredisapi and cluster tags agree on every key", name)
		}
	}
}

func TestHashTags(t *testing.T) {
	nodes := []string{"127.0.0.1:6379", "127.0.0.1:6380", "127.0.0.1:6381"}
	plain, _ := shard.NewHashRing(nodes, shard.Tags(shard.NoTags))
	tx, _ := shard.NewHashRing(nodes)
	cl, _ := shard.NewHashRing(nodes, shard.Tags(shard.ClusterTags))
	for _, c := range []struct{ key, txTag, clTag string }{
		{"user{42}:name", "42", "42"},
		{"{x}y", "{x}y", "x"},         // txredisapi needs a character before "{"
		{"a{}b", "", "a{}b"},          // txredisapi hashes the empty tag
		{"a{b}{c}", "c", "b"},         // greedy: the last "{"
		{"a{b}c}", "b}c", "b"},        // greedy: to the last "}"
		{"x{y\n}z", "x{y\n}z", "y\n"}, // "." stops at a newline
		{"xx{y}\nz", "y", "y"},
		{"a{b", "a{b", "a{b"},
		{"plain", "plain", "plain"},
	} {
		if have, want := tx.Node(c.key), plain.Node(c.txTag); have != want {
			t.Errorf("txredisapi tags: %q on %s, want %s (the node of %q)", c.key, have, want, c.txTag)
		}
		if have, want := cl.Node(c.key), plain.Node(c.clTag); have != want {
			t.Errorf("cluster tags: %q on %s, want %s (the node of %q)", c.key, have, want, c.clTag)
		}
	}
}

// txredisapi's rule is the regular expression `.+\{(.*)\}.*` under
// Python's re.match; Go's regexp picks the same submatch (leftmost, as a
// backtracking engine would), so random keys must place alike.
func TestTxredisapiTagsMatchRegexp(t *testing.T) {
	re := regexp.MustCompile(`^.+\{(.*)\}`)
	nodes := []string{"a:1", "b:2", "c:3", "d:4"}
	plain, _ := shard.NewHashRing(nodes, shard.Tags(shard.NoTags))
	tx, _ := shard.NewHashRing(nodes)
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := "ab{}\n:x\xff"
	for i := 0; i < 20000; i++ {
		b := make([]byte, rng.IntN(10))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		key := string(b)
		tag := key
		if m := re.FindStringSubmatch(key); m != nil {
			tag = m[1]
		}
		if have, want := tx.Node(key), plain.Node(tag); have != want {
			t.Fatalf("key %q: on %s, want %s (tag %q)", key, have, want, tag)
		}
	}
}

func TestNewHashRingErrors(t *testing.T) {
	if _, err := shard.NewHashRing(nil); !errors.Is(err, shard.ErrBadAddrs) {
		t.Errorf("no names: %v, want ErrBadAddrs", err)
	}
	if _, err := shard.NewHashRing([]string{"a:1", "a:1"}); !errors.Is(err, shard.ErrBadAddrs) {
		t.Errorf("duplicate: %v, want ErrBadAddrs", err)
	}
	h, err := shard.NewHashRing([]string{"only:1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"", "a", "zzz", "\xff\xff"} {
		if n := h.Node(k); n != "only:1" {
			t.Errorf("one node: %q on %q", k, n)
		}
	}
}

func BenchmarkShard(b *testing.B) {
	h, _ := shard.NewHashRing([]string{"127.0.0.1:6379", "127.0.0.1:6380", "127.0.0.1:6381"})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = h.Node("user{42}:name")
	}
}
