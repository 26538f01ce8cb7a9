package conn

import (
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
// value: the entry, its place in the key's table and the map, the fired
// Deferred that hits share.
const cacheOverhead = 256

// cacheEpoch is the origin of the cache's monotonic clock.
var cacheEpoch = time.Now()

// cacheNow returns monotonic nanoseconds since cacheEpoch.
func cacheNow() int64 { return int64(time.Since(cacheEpoch)) }

// cacheStore is the client-side cache of one connection: the replies of
// cached reads by key and read signature (the command and its arguments
// after the key), bounded in bytes, emptied as a whole whenever the
// invalidations that keep it correct may have been lost.
//
// The entry of a read being fetched is a placeholder that concurrent
// misses of the same read join. An invalidation of its key, or anything
// that empties the cache, removes the placeholder: its reply is then
// delivered to the readers waiting for it and not stored.
type cacheStore struct {
	max int64 // immutable: the bound of bytes

	mu sync.RWMutex // protects the fields below and the entries' mutable fields
	// keys holds the first entry, ready or being filled, of each key.
	keys map[string]*cacheEntry
	// ring links the ready entries, newest after the sentinel, for
	// second-chance eviction.
	ring  cacheEntry
	bytes int64
	// epoch grows each time the whole cache is dropped; a fill begun in an
	// older epoch is not stored.
	epoch uint64
	// on is set once the server confirmed tracking for the current socket
	// (the reply to CLIENT TRACKING, which precedes every fill sent after
	// it): only then are replies stored.
	on bool
	// enabling is set while CLIENT TRACKING is on its way for epoch.
	enabling bool
	// live mirrors on || enabling for the misses, which read it without
	// the lock; it is written under mu.
	live atomic.Bool
	// disabled is set when a command changed the connection under the
	// cache (RESET, HELLO, AUTH, SELECT, CLIENT TRACKING sent by the
	// application): reads go uncached until the socket is replaced.
	disabled bool
	// refused is the server's answer to CLIENT TRACKING when it refused
	// it; reads go uncached until the socket is replaced.
	refused error

	// hitsGone sums the hits of entries no longer held: a hit counts on
	// its entry, so that hits of different keys share no counter.
	hitsGone int64

	misses, invalidations, evictions, flushes atomic.Int64
}

// cacheEntry is one cached read, or the placeholder of one being filled.
// The first entry of a key is in the store's map; the key's other reads
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
	s := &cacheStore{max: int64(maxBytes), keys: make(map[string]*cacheEntry)}
	s.ring.prev, s.ring.next = &s.ring, &s.ring
	return s
}

// findLocked returns the entry of key with signature sig, ready or
// filling, or nil. The caller holds mu, for reading at least.
func (s *cacheStore) findLocked(key string, sig []byte) *cacheEntry {
	e := s.keys[key]
	if e == nil || e.sig == string(sig) {
		return e
	}
	if e.more != nil {
		return e.more[string(sig)]
	}
	return nil
}

// get returns the hit of a ready, unexpired entry, or nil. It takes the
// read lock only and does not allocate.
func (s *cacheStore) get(key string, sig []byte) any {
	now := cacheNow()
	var h any
	s.mu.RLock()
	if e := s.findLocked(key, sig); e != nil && e.fill == nil && (e.expires == 0 || now < e.expires) {
		h = e.hit
		e.hits.Add(1)
		if !e.ref.Load() {
			e.ref.Store(true)
		}
	}
	s.mu.RUnlock()
	return h
}

// hitsLocked returns the hits counted so far.
func (s *cacheStore) hitsLocked() int64 {
	n := s.hitsGone
	for e := s.ring.next; e != &s.ring; e = e.next {
		n += e.hits.Load()
	}
	return n
}

// insertLocked adds e, the placeholder of a fill of its key and sig.
func (s *cacheStore) insertLocked(e *cacheEntry) {
	head := s.keys[e.key]
	if head == nil {
		s.keys[e.key] = e
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

// readyLocked turns the placeholder e into a ready entry and evicts what
// the bound requires.
func (s *cacheStore) readyLocked(e *cacheEntry, expires, size int64) {
	e.fill = nil
	e.expires = expires
	e.size = size
	e.prev, e.next = &s.ring, s.ring.next
	s.ring.next.prev = e
	s.ring.next = e
	s.bytes += size
	s.evictLocked()
}

// evictLocked removes entries, oldest first, until the cache fits its
// bound; an entry hit since it was last considered goes back to the
// front once instead.
func (s *cacheStore) evictLocked() {
	for s.bytes > s.max {
		e := s.ring.prev
		if e == &s.ring {
			return
		}
		if e.ref.Load() {
			e.ref.Store(false)
			s.unlinkLocked(e)
			e.prev, e.next = &s.ring, s.ring.next
			s.ring.next.prev = e
			s.ring.next = e
			continue
		}
		s.removeLocked(e)
		s.evictions.Add(1)
	}
}

func (s *cacheStore) unlinkLocked(e *cacheEntry) {
	e.prev.next = e.next
	e.next.prev = e.prev
	e.prev, e.next = nil, nil
}

// forgetLocked unlinks e from the eviction ring and marks it removed: a
// fill whose placeholder is removed is not stored.
func (s *cacheStore) forgetLocked(e *cacheEntry) {
	if e.prev != nil {
		s.unlinkLocked(e)
		s.bytes -= e.size
		s.hitsGone += e.hits.Load()
	}
	e.fill = nil
}

// removeLocked removes e, ready or filling.
func (s *cacheStore) removeLocked(e *cacheEntry) {
	s.forgetLocked(e)
	head := s.keys[e.key]
	switch {
	case head == e:
		delete(s.keys, e.key)
		for sig, next := range e.more {
			// Promote another read of the key to the map.
			delete(e.more, sig)
			next.more, e.more = e.more, nil
			s.keys[e.key] = next
			break
		}
	case head != nil && head.more[e.sig] == e:
		delete(head.more, e.sig)
	}
}

// invalidate removes every entry of the keys an invalidation message
// names.
func (s *cacheStore) invalidate(keys []proto.Value) {
	s.mu.Lock()
	for _, k := range keys {
		head := s.keys[k.Str]
		if head == nil {
			continue
		}
		s.forgetLocked(head)
		for _, e := range head.more {
			s.forgetLocked(e)
		}
		delete(s.keys, k.Str)
	}
	s.mu.Unlock()
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
	s.epoch++
	if len(s.keys) > 0 {
		s.keys = make(map[string]*cacheEntry)
	}
	for e := s.ring.next; e != &s.ring; {
		next := e.next
		s.hitsGone += e.hits.Load()
		e.prev, e.next = nil, nil
		e = next
	}
	s.ring.prev, s.ring.next = &s.ring, &s.ring
	s.bytes = 0
	switch why {
	case dropLost:
		s.on, s.enabling, s.disabled, s.refused = false, false, false, nil
		s.live.Store(false)
	case dropDisable:
		s.on, s.enabling, s.disabled = false, false, true
		s.live.Store(false)
	}
	s.mu.Unlock()
	s.flushes.Add(1)
}

// valueSize estimates the memory a reply holds.
func valueSize(v proto.Value) int64 {
	n := int64(len(v.Str)) + 16
	for _, e := range v.Elems {
		n += valueSize(e)
	}
	return n
}
