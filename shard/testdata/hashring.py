#!/usr/bin/env python3
"""Placement vectors for txredis/shard, computed by an independent
reimplementation of txredisapi's HashRing and ShardedConnectionHandler._wrap.

It mirrors txredisapi.py (HashRing.add_node / get_node_pos and the
_findhash rule) line for line, with the node names txredisapi used
(RedisFactory.uuid: "%s:%d" % (host, port) for TCP, the path for unix
sockets). txredisapi ran on Python 2, whose zlib.crc32 returns a signed
32-bit integer; "signed" mode emulates that, "unsigned" is Python 3.

Regenerate (from the repository root):

    python3 shard/testdata/hashring.py > shard/testdata/vectors.txt

Output: "key <hex>" lines (the keys, in order), then per node set a "set"
line with the node names, then "vec <set> <crc> <tags> <digits>" lines
where digit i is the index of the node that owns key i.
"""

import bisect
import re
import zlib


def crc32_signed(b):
    # Python 2: zlib.crc32 returns a signed int in [-2**31, 2**31-1].
    c = zlib.crc32(b) & 0xFFFFFFFF
    return c - (1 << 32) if c >= (1 << 31) else c


def crc32_unsigned(b):
    # Python 3: zlib.crc32 returns an unsigned int.
    return zlib.crc32(b) & 0xFFFFFFFF


class HashRing(object):
    """txredisapi.HashRing, with the CRC function as a parameter."""

    def __init__(self, nodes=[], replicas=160, crc32=crc32_signed):
        self.nodes = []
        self.replicas = replicas
        self.ring = {}
        self.sorted_keys = []
        self.crc32 = crc32

        for n in nodes:
            self.add_node(n)

    def add_node(self, node):
        self.nodes.append(node)
        for x in range(self.replicas):
            # txredisapi: zlib.crc32("%s:%d" % (node._factory.uuid, x))
            crckey = self.crc32(("%s:%d" % (node, x)).encode())
            self.ring[crckey] = node
            self.sorted_keys.append(crckey)

        self.sorted_keys.sort()

    def get_node(self, key):
        n, i = self.get_node_pos(key)
        return n

    def get_node_pos(self, key):
        if len(self.ring) == 0:
            return [None, None]
        crc = self.crc32(key)
        idx = bisect.bisect(self.sorted_keys, crc)
        # prevents out of range index
        idx = min(idx, (self.replicas * len(self.nodes)) - 1)
        return [self.ring[self.sorted_keys[idx]], idx]

    def __call__(self, key):
        return self.get_node(key)


# txredisapi: _findhash = re.compile(r'.+\{(.*)\}.*'), on byte strings
# (Python 2 str).
_findhash = re.compile(rb'.+\{(.*)\}.*')


def tag_txredisapi(key):
    # ShardedConnectionHandler._wrap
    m = _findhash.match(key)
    if m is not None and len(m.groups()) >= 1:
        return m.groups()[0]
    return key


def tag_cluster(key):
    # Redis Cluster keyHashSlot: first "{", first "}" after it, non-empty.
    s = key.find(b"{")
    if s < 0:
        return key
    e = key.find(b"}", s + 1)
    if e < 0 or e == s + 1:
        return key
    return key[s + 1:e]


def tag_none(key):
    return key


def tcp_name(item):
    # makeShardedConnection: host, port = item.split(":"); port = int(port)
    # makeConnection: uuid = "%s:%d" % (host, port)
    host, port = item.split(":")
    return "%s:%d" % (host, int(port))


SETS = [
    ("tcp3", [tcp_name(a) for a in ["127.0.0.1:6379", "127.0.0.1:6380", "127.0.0.1:6381"]]),
    ("readme2", [tcp_name(a) for a in ["localhost:6379", "localhost:6380"]]),
    ("unix3", ["/tmp/redis0.sock", "/tmp/redis1.sock", "/tmp/redis2.sock"]),
]


def make_keys():
    keys = []
    keys += [b"foo%02d" % x for x in range(100)]
    keys += [b"key:%d" % x for x in range(300)]
    keys += [b"user{%d}:name" % x for x in range(100)]
    keys += [b"user{%d}:email" % x for x in range(50)]
    keys += [
        b"{x}y", b"a{}b", b"{}", b"a{b}{c}", b"a{b}c}", b"{a}{b}",
        b"x{y\n}z", b"x\n{y}z", b"xx{y}\nz", b"a{b", b"a}b{c", b"", b"{",
        b"}", b"{{}}", b"a{{b}}c", b"\xd0\xba\xd0\xbb{1}", b"\xc3\xa9",
        b"\x80\xff\x00", b"user{42}:name", b"{user42}:name", b"a{\n}b",
        b"a{b}\n{c}", b"}{", b"a}{b}", b"ab{c}d{e}f",
    ]
    # Keys the signed and unsigned orders place differently: the two
    # orders are rotations of each other, so they disagree only for keys
    # whose CRC falls past the last point of a half of the CRC space.
    for set_name, nodes in SETS:
        signed = HashRing(nodes, crc32=crc32_signed)
        unsigned = HashRing(nodes, crc32=crc32_unsigned)
        found, i = 0, 0
        while found < 10:
            k = b"edge:%s:%d" % (set_name.encode(), i)
            i += 1
            if signed(k) != unsigned(k):
                keys.append(k)
                found += 1
    # Deterministic pseudo-random keys over an alphabet rich in tag
    # characters (a 64-bit LCG, so the output never depends on the
    # Python version's random module).
    alphabet = b"ab{}\n:xyz019\xc3\xa9\xff"
    state = 0x2545F4914F6CDD1D
    while len(keys) < 1000:
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        n = (state >> 33) % 13
        k = bytearray()
        for _ in range(n):
            state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
            k.append(alphabet[(state >> 33) % len(alphabet)])
        keys.append(bytes(k))
    return keys



CRCS = [("signed", crc32_signed), ("unsigned", crc32_unsigned)]
TAGS = [("txredisapi", tag_txredisapi), ("none", tag_none), ("cluster", tag_cluster)]


def main():
    keys = make_keys()
    print("# txredis/shard placement vectors: generated by hashring.py; do not edit")
    for k in keys:
        print("key " + (k.hex() or "-"))
    for set_name, nodes in SETS:
        print("set %s %s" % (set_name, " ".join(nodes)))
        for crc_name, crc in CRCS:
            ring = HashRing(nodes, crc32=crc)
            for tag_name, tag in TAGS:
                digits = "".join(str(nodes.index(ring(tag(k)))) for k in keys)
                print("vec %s %s %s %s" % (set_name, crc_name, tag_name, digits))


if __name__ == "__main__":
    main()
