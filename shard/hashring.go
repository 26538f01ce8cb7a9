package shard

import (
	"bytes"
	"hash/crc32"
	"slices"
	"strconv"
)

// Replicas is the number of points each node has on the ring, as in
// txredisapi's HashRing(replicas=160).
const Replicas = 160

// TagRule selects which part of a key is hashed.
type TagRule int

const (
	// TxredisapiTags is txredisapi's rule, the default: a key matching
	// the regular expression `.+\{(.*)\}.*` (Python re.match: anchored at
	// the start, "." excluding "\n") is placed by the group. In words:
	// within the key's first line, the tag starts after the last "{" that
	// is not the first byte and has a "}" after it, and runs to the last
	// "}". "user{42}:name" hashes "42", "a{b}{c}" hashes "c", "a{b}c}"
	// hashes "b}c", "a{}b" hashes "" (an empty tag is used as is), and
	// "{x}y" hashes the whole key (nothing before "{").
	TxredisapiTags TagRule = iota
	// ClusterTags is Redis Cluster's rule: the tag is between the first
	// "{" and the first "}" after it, when that is not empty; otherwise
	// the whole key is hashed. "{x}y" hashes "x", "a{}b" the whole key.
	ClusterTags
	// NoTags hashes every key whole.
	NoTags
)

// String returns the rule's name.
func (r TagRule) String() string {
	switch r {
	case TxredisapiTags:
		return "txredisapi"
	case ClusterTags:
		return "cluster"
	case NoTags:
		return "none"
	}
	return "TagRule(" + strconv.Itoa(int(r)) + ")"
}

// config is what the Options set.
type config struct {
	unsigned bool
	tags     TagRule
}

// Option changes how a ring places keys. The default places every key
// where txredisapi running on Python 2 did.
type Option func(*config)

// UnsignedCRC orders the ring by unsigned CRC-32, as txredisapi does on
// Python 3, whose zlib.crc32 returns an unsigned value. The default is
// signed order: txredisapi was written for Python 2, whose zlib.crc32
// returns a signed 32-bit integer. The two orders are rotations of each
// other, so they disagree only for keys whose CRC falls past the last
// point of one half of the CRC space: about one key in a few hundred
// (11 of 1,000 test keys over three nodes), enough to lose data. Choose
// this when the data was written by txredisapi running on Python 3.
func UnsignedCRC() Option { return func(c *config) { c.unsigned = true } }

// Tags selects the hash tag rule; the default is TxredisapiTags.
func Tags(rule TagRule) Option { return func(c *config) { c.tags = rule } }

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// HashRing is txredisapi's consistent hash: it tells which node owns a
// key, knowing nothing of connections. Each node, named by its address,
// has Replicas points on the ring, the CRC-32 (IEEE) of "<name>:<i>" for
// i from 0 to 159; the points are sorted; a key belongs to the point at
// bisect_right(points, crc32(key)), or to the last point when that is past
// the end (txredisapi does not wrap around). Where two points are equal,
// the node added later owns both, as in txredisapi's dict.
//
// A HashRing is immutable and safe for concurrent use.
type HashRing struct {
	names  []string
	points []int64 // sorted CRCs, as signed or unsigned 32-bit values
	owner  []int   // owner[i] is the index in names of the node of points[i]
	cfg    config
}

// NewHashRing returns the ring of the named nodes, in the order given (the
// order matters only when two points collide). Names are used as given:
// use the names a Ring reports (Nodes) to reproduce its placement. It
// fails with ErrBadAddrs for no names or a name given twice.
func NewHashRing(names []string, opts ...Option) (*HashRing, error) {
	if len(names) == 0 {
		return nil, badAddrs("no addresses")
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return nil, badAddrs("node listed twice:", n)
		}
		seen[n] = true
	}
	return newHashRing(names, newConfig(opts)), nil
}

func newHashRing(names []string, cfg config) *HashRing {
	h := &HashRing{names: slices.Clone(names), cfg: cfg}
	byPoint := make(map[int64]int, len(names)*Replicas)
	h.points = make([]int64, 0, len(names)*Replicas)
	var buf []byte
	for i, n := range names {
		for x := 0; x < Replicas; x++ {
			buf = append(buf[:0], n...)
			buf = append(buf, ':')
			buf = strconv.AppendInt(buf, int64(x), 10)
			p := h.crc(buf)
			byPoint[p] = i // a later node takes over an equal point
			h.points = append(h.points, p)
		}
	}
	slices.Sort(h.points)
	h.owner = make([]int, len(h.points))
	for i, p := range h.points {
		h.owner[i] = byPoint[p]
	}
	return h
}

// crc returns the CRC-32 of b as the ring orders it.
func (h *HashRing) crc(b []byte) int64 {
	c := crc32.ChecksumIEEE(b)
	if h.cfg.unsigned {
		return int64(c)
	}
	return int64(int32(c))
}

// Nodes returns the node names, in the order given.
func (h *HashRing) Nodes() []string { return slices.Clone(h.names) }

// Node returns the name of the node that owns key.
func (h *HashRing) Node(key string) string {
	return h.names[h.index([]byte(key))]
}

// index returns the index in names of the node that owns key.
func (h *HashRing) index(key []byte) int {
	c := h.crc(h.tag(key))
	// bisect.bisect (bisect_right): the first point greater than c.
	i, j := 0, len(h.points)
	for i < j {
		m := int(uint(i+j) >> 1)
		if h.points[m] > c {
			j = m
		} else {
			i = m + 1
		}
	}
	if i == len(h.points) {
		i-- // txredisapi: min(idx, replicas*len(nodes)-1)
	}
	return h.owner[i]
}

// tag returns the part of key the ring hashes under the configured rule.
func (h *HashRing) tag(key []byte) []byte {
	switch h.cfg.tags {
	case TxredisapiTags:
		return txredisapiTag(key)
	case ClusterTags:
		return clusterTag(key)
	}
	return key
}

// txredisapiTag applies `.+\{(.*)\}.*` with Python's re.match: the match
// lies within the first line; greedy ".+" puts the "{" as far right as it
// can be (at index 1 or later, with a "}" after it), and greedy "(.*)"
// runs the group to the last "}" of the line.
func txredisapiTag(key []byte) []byte {
	line := key
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	closeAt := bytes.LastIndexByte(line, '}')
	if closeAt < 2 {
		return key
	}
	openAt := bytes.LastIndexByte(line[:closeAt], '{')
	if openAt < 1 {
		return key
	}
	return line[openAt+1 : closeAt]
}

// clusterTag applies Redis Cluster's rule (keyHashSlot).
func clusterTag(key []byte) []byte {
	s := bytes.IndexByte(key, '{')
	if s < 0 {
		return key
	}
	e := bytes.IndexByte(key[s+1:], '}')
	if e <= 0 {
		return key
	}
	return key[s+1 : s+1+e]
}
