package conn

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// DefaultCacheMaxBytes is the memory bound of one connection's
// client-side cache when CacheOptions.MaxBytes is zero: 64 MiB.
const DefaultCacheMaxBytes = 64 << 20

// cacheOverhead is what one entry costs besides its key, signature and
// value: the entry with the Deferred its hits share, and its place in
// the map.
const cacheOverhead = 256

// cacheShards is the number of independently locked parts of a cache,
// so that the misses of many goroutines and the connection's reader
// rarely wait for one another.
const cacheShards = 32

// cacheEpoch is the origin of the cache's monotonic clock.
var cacheEpoch = time.Now()

// cacheNow returns monotonic nanoseconds since cacheEpoch.
func cacheNow() int64 { return int64(time.Since(cacheEpoch)) }

// cacheSeed seeds the hash that gives each key its shard.
var cacheSeed = maphash.MakeSeed()

// cacheStore is the client-side cache of one connection: the replies of
// cached reads by key and read signature (the command and its arguments
// after the key), bounded in bytes, emptied as a whole whenever the
// invalidations that keep it correct may have been lost.
//
// The entry of a read being fetched is a placeholder that concurrent
// misses of the same read join. An invalidation of its key, or anything
// that empties the cache, removes the placeholder: its reply is then
// delivered to the readers waiting for it and not stored.
//
// The entries are spread over shards by key, each with its own lock;
// the tracking state has a lock of its own, and the two parts a fill
// checks before it stores (epoch, on) are atomic, so that a fill reads
// them under its shard's lock: a drop raises the epoch before it empties
// the shards, so a fill either sees the new epoch or is emptied with its
// shard.
type cacheStore struct {
	shards [cacheShards]cacheShard
	max    int64 // immutable: the bound of bytes

	ringMu sync.Mutex // protects the fields below and the entries' ring links; taken after a shard's lock, never before
	// ring links the ready entries of every shard, newest after the
	// sentinel, for second-chance eviction.
	ring  cacheEntry
	bytes int64
	// hitsGone sums the hits of entries no longer held: a hit counts on
	// its entry, so that hits of different keys share no counter.
	hitsGone int64

	// epoch grows each time the whole cache is dropped; a fill begun in an
	// older epoch is not stored. Written under mu.
	epoch atomic.Uint64
	// on is set once the server confirmed tracking for the current socket
	// (the reply to CLIENT TRACKING, which precedes every fill sent after
	// it): only then are replies stored. Written under mu.
	on atomic.Bool
	// live mirrors on || enabling for the misses, which read it without
	// the lock. Written under mu.
	live atomic.Bool

	mu sync.Mutex // protects the tracking state below
	// enabling is set while CLIENT TRACKING is on its way for epoch.
	enabling bool
	// disabled is set when a command changed the connection under the
	// cache (CLIENT TRACKING sent by the application): reads go uncached
	// until the socket is replaced.
	disabled bool
	// refused is the server's answer to CLIENT TRACKING when it refused
	// it; reads go uncached until the socket is replaced.
	refused error

	misses, invalidations, evictions, flushes atomic.Int64
}

// cacheShard is one part of a cache, by key.
type cacheShard struct {
	mu sync.RWMutex // protects keys and its entries' fill and more
	// keys holds the first entry, ready or being filled, of each key.
	keys map[string]*cacheEntry

	_ [64]byte // keep shards' locks on separate cache lines
}

// cacheEntry is one cached read, or the placeholder of one being filled.
// The first entry of a key is in its shard's map; the key's other reads
// are in its more, by signature.
type cacheEntry struct {
	key, sig string
	more     map[string]*cacheEntry // on the first entry of a key only
	// fill is the *cacheFill[T] fetching the entry; nil once it is ready
	// or removed.
	fill any
	// hit is the fired *deferred.Deferred[T] a hit returns (shared by
	// every hit; for mutable types the view returns a copy of its value).
	hit     any
	expires int64 // cacheNow deadline; 0 for none
	size    int64
	// ref is set by hits without the write lock; eviction gives a
	// referenced entry a second chance.
	ref atomic.Bool
	// hits counts the hits of the entry.
	hits       atomic.Int64
	prev, next *cacheEntry // ring links, nil while filling
}

// typedEntry is an entry with the Deferred its hits return: one
// allocation.
type typedEntry[T any] struct {
	cacheEntry
	d deferred.Deferred[T]
}

func newCacheStore(maxBytes int) *cacheStore {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheMaxBytes
	}
	s := &cacheStore{max: int64(maxBytes)}
	s.ring.prev, s.ring.next = &s.ring, &s.ring
	for i := range s.shards {
		s.shards[i].keys = make(map[string]*cacheEntry)
	}
	return s
}

// shard returns the shard of key.
func (s *cacheStore) shard(key string) *cacheShard {
	return &s.shards[maphash.String(cacheSeed, key)&(cacheShards-1)]
}

// findLocked returns the entry of key with signature sig, ready or
// filling, or nil. The caller holds mu, for reading at least.
func (sh *cacheShard) findLocked(key string, sig []byte) *cacheEntry {
	e := sh.keys[key]
	if e == nil || e.sig == string(sig) {
		return e
	}
	if e.more != nil {
		return e.more[string(sig)]
	}
	return nil
}

// get returns the hit of a ready, unexpired entry, or nil. It takes a
// read lock only and does not allocate.
func (s *cacheStore) get(key string, sig []byte) any {
	sh := s.shard(key)
	now := cacheNow()
	var h any
	sh.mu.RLock()
	if e := sh.findLocked(key, sig); e != nil && e.fill == nil && (e.expires == 0 || now < e.expires) {
		h = e.hit
		e.hits.Add(1)
		if !e.ref.Load() {
			e.ref.Store(true)
		}
	}
	sh.mu.RUnlock()
	return h
}

// insertLocked adds e, the placeholder of a fill of its key and sig.
func (sh *cacheShard) insertLocked(e *cacheEntry) {
	head := sh.keys[e.key]
	if head == nil {
		sh.keys[e.key] = e
		return
	}
	if head.more == nil {
		head.more = make(map[string]*cacheEntry, 2)
	}
	head.more[e.sig] = e
}

// sigString returns sig as a string, without allocating for the
// signatures of reads that take only the key.
func sigString(sig []byte) string {
	switch string(sig) {
	case "GET":
		return "GET"
	case "STRLEN":
		return "STRLEN"
	case "EXISTS":
		return "EXISTS"
	case "HGETALL":
		return "HGETALL"
	case "HLEN":
		return "HLEN"
	case "SMEMBERS":
		return "SMEMBERS"
	case "SCARD":
		return "SCARD"
	case "ZCARD":
		return "ZCARD"
	case "LLEN":
		return "LLEN"
	}
	return string(sig)
}

// readyLocked turns the placeholder e into a ready entry. The caller
// holds sh.mu, and calls s.evict once it has released it.
func (sh *cacheShard) readyLocked(s *cacheStore, e *cacheEntry, expires, size int64) {
	e.fill = nil
	e.expires = expires
	e.size = size
	s.ringMu.Lock()
	s.linkLocked(e)
	s.bytes += size
	s.ringMu.Unlock()
}

// evict removes entries, least recently added first, until the cache
// fits its bound; an entry hit since it was last considered goes back to
// the front once instead. It holds no shard lock.
func (s *cacheStore) evict() {
	for {
		s.ringMu.Lock()
		v := s.ring.prev
		if s.bytes <= s.max || v == &s.ring {
			s.ringMu.Unlock()
			return
		}
		if v.ref.Load() {
			v.ref.Store(false)
			s.unlinkLocked(v)
			s.linkLocked(v)
			s.ringMu.Unlock()
			continue
		}
		s.unlinkLocked(v)
		s.bytes -= v.size
		s.hitsGone += v.hits.Load()
		s.ringMu.Unlock()
		// Off the ring, so no longer counted; it stays readable until it
		// leaves the map, which is as correct as any entry not invalidated.
		sh := s.shard(v.key)
		sh.mu.Lock()
		if head := sh.keys[v.key]; head == v || (head != nil && head.more[v.sig] == v) {
			sh.removeLocked(s, v)
		}
		sh.mu.Unlock()
		s.evictions.Add(1)
	}
}

// linkLocked puts e at the front of the ring; ringMu is held.
func (s *cacheStore) linkLocked(e *cacheEntry) {
	e.prev, e.next = &s.ring, s.ring.next
	s.ring.next.prev = e
	s.ring.next = e
}

func (s *cacheStore) unlinkLocked(e *cacheEntry) {
	e.prev.next = e.next
	e.next.prev = e.prev
	e.prev, e.next = nil, nil
}

// forgetLocked unlinks e from the ring and marks it removed: a fill
// whose placeholder is removed is not stored. The caller holds sh.mu.
func (sh *cacheShard) forgetLocked(s *cacheStore, e *cacheEntry) {
	e.fill = nil
	s.ringMu.Lock()
	if e.prev != nil {
		s.unlinkLocked(e)
		s.bytes -= e.size
		s.hitsGone += e.hits.Load()
	}
	s.ringMu.Unlock()
}

// removeLocked removes e, ready or filling.
func (sh *cacheShard) removeLocked(s *cacheStore, e *cacheEntry) {
	sh.forgetLocked(s, e)
	head := sh.keys[e.key]
	switch {
	case head == e:
		delete(sh.keys, e.key)
		for sig, next := range e.more {
			// Promote another read of the key to the map.
			delete(e.more, sig)
			next.more, e.more = e.more, nil
			sh.keys[e.key] = next
			break
		}
	case head != nil && head.more[e.sig] == e:
		delete(head.more, e.sig)
	}
}

// invalidate removes every entry of the keys an invalidation message
// names.
func (s *cacheStore) invalidate(keys []proto.Value) {
	for _, k := range keys {
		sh := s.shard(k.Str)
		sh.mu.Lock()
		if head := sh.keys[k.Str]; head != nil {
			sh.forgetLocked(s, head)
			for _, e := range head.more {
				sh.forgetLocked(s, e)
			}
			delete(sh.keys, k.Str)
		}
		sh.mu.Unlock()
	}
	s.invalidations.Add(int64(len(keys)))
}

// dropReason says why the whole cache is dropped, and so what becomes of
// tracking.
type dropReason int

const (
	// dropFlush: the server invalidated everything (FLUSHALL, FLUSHDB);
	// tracking goes on.
	dropFlush dropReason = iota
	// dropLost: the socket or the invalidation connection was lost;
	// tracking must be confirmed again.
	dropLost
	// dropDisable: a command changed the connection under the cache;
	// nothing is cached until the socket is replaced.
	dropDisable
)

// drop empties the cache and starts a new epoch, so that no fill begun
// before is stored.
func (s *cacheStore) drop(why dropReason) {
	s.mu.Lock()
	s.epoch.Add(1)
	switch why {
	case dropLost:
		s.on.Store(false)
		s.enabling, s.disabled, s.refused = false, false, nil
	case dropDisable:
		s.on.Store(false)
		s.enabling, s.disabled = false, true
	}
	s.live.Store(s.on.Load() || s.enabling)
	s.mu.Unlock()
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for _, head := range sh.keys {
			sh.forgetLocked(s, head)
			for _, e := range head.more {
				sh.forgetLocked(s, e)
			}
		}
		if len(sh.keys) > 0 {
			sh.keys = make(map[string]*cacheEntry)
		}
		sh.mu.Unlock()
	}
	s.flushes.Add(1)
}

// count adds the entries, bytes and hits of the cache to st.
func (s *cacheStore) count(st *CacheStats) {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		for _, head := range sh.keys {
			st.Entries += 1 + len(head.more)
		}
		sh.mu.RUnlock()
	}
	s.ringMu.Lock()
	st.Hits += s.hitsGone
	for e := s.ring.next; e != &s.ring; e = e.next {
		st.Hits += e.hits.Load()
	}
	st.Bytes += s.bytes
	s.ringMu.Unlock()
}

// valueSize estimates the memory a reply holds.
func valueSize(v proto.Value) int64 {
	n := int64(len(v.Str)) + 16
	for _, e := range v.Elems {
		n += valueSize(e)
	}
	return n
}
