package conn

import (
	"sync"
	"sync/atomic"
	"time"

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
	// keys holds every entry, ready or being filled, by key.
	keys map[string]*cacheKey
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
	// disabled is set when a command changed the connection under the
	// cache (RESET, HELLO, AUTH, SELECT, CLIENT TRACKING sent by the
	// application): reads go uncached until the socket is replaced.
	disabled bool
	// refused is the server's answer to CLIENT TRACKING when it refused
	// it; reads go uncached until the socket is replaced.
	refused error

	hits, misses, invalidations, evictions, flushes atomic.Int64
}

// cacheKey is every entry of one key: the first in one, more by signature.
type cacheKey struct {
	key  string
	one  *cacheEntry
	more map[string]*cacheEntry
}

// cacheEntry is one cached read, or the placeholder of one being filled.
type cacheEntry struct {
	ck  *cacheKey
	sig string
	// fill is the *cacheFill[T] fetching the entry; nil once it is ready.
	fill any
	// hit is the fired *deferred.Deferred[T] a hit returns (shared by
	// every hit; for mutable types the view returns a copy of its value).
	hit     any
	expires int64 // cacheNow deadline; 0 for none
	size    int64
	// ref is set by hits without the write lock; eviction gives a
	// referenced entry a second chance.
	ref        atomic.Bool
	prev, next *cacheEntry // ring links, nil while filling
}

func newCacheStore(maxBytes int) *cacheStore {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheMaxBytes
	}
	s := &cacheStore{max: int64(maxBytes), keys: make(map[string]*cacheKey)}
	s.ring.prev, s.ring.next = &s.ring, &s.ring
	return s
}

// find returns the entry of key with signature sig, or nil.
func (ck *cacheKey) find(sig []byte) *cacheEntry {
	if ck.one != nil && ck.one.sig == string(sig) {
		return ck.one
	}
	if ck.more != nil {
		return ck.more[string(sig)]
	}
	return nil
}

func (ck *cacheKey) empty() bool { return ck.one == nil && len(ck.more) == 0 }

// get returns the hit of a ready, unexpired entry, or nil. It takes the
// read lock only and does not allocate.
func (s *cacheStore) get(key string, sig []byte) any {
	now := cacheNow()
	var h any
	s.mu.RLock()
	if ck := s.keys[key]; ck != nil {
		if e := ck.find(sig); e != nil && e.fill == nil && (e.expires == 0 || now < e.expires) {
			h = e.hit
			if !e.ref.Load() {
				e.ref.Store(true)
			}
		}
	}
	s.mu.RUnlock()
	if h != nil {
		s.hits.Add(1)
	}
	return h
}

// findLocked returns the entry of key and sig, ready or filling, or nil.
func (s *cacheStore) findLocked(key string, sig []byte) *cacheEntry {
	if ck := s.keys[key]; ck != nil {
		return ck.find(sig)
	}
	return nil
}

// insertLocked adds the placeholder of a fill.
func (s *cacheStore) insertLocked(key string, sig []byte, fill any) *cacheEntry {
	ck := s.keys[key]
	if ck == nil {
		ck = &cacheKey{key: key}
		s.keys[key] = ck
	}
	e := &cacheEntry{ck: ck, sig: string(sig), fill: fill}
	switch {
	case ck.one == nil:
		ck.one = e
	default:
		if ck.more == nil {
			ck.more = make(map[string]*cacheEntry, 2)
		}
		ck.more[e.sig] = e
	}
	return e
}

// readyLocked turns the placeholder e into a ready entry and evicts what
// the bound requires.
func (s *cacheStore) readyLocked(e *cacheEntry, hit any, expires, size int64) {
	e.fill = nil
	e.hit = hit
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

// removeLocked removes e, ready or filling; a fill whose placeholder is
// removed is not stored.
func (s *cacheStore) removeLocked(e *cacheEntry) {
	if e.prev != nil {
		s.unlinkLocked(e)
		s.bytes -= e.size
	}
	e.fill = nil
	ck := e.ck
	if ck.one == e {
		ck.one = nil
	} else if ck.more != nil && ck.more[e.sig] == e {
		delete(ck.more, e.sig)
	}
	if ck.empty() && s.keys[ck.key] == ck {
		delete(s.keys, ck.key)
	}
}

// invalidate removes every entry of the keys an invalidation message
// names.
func (s *cacheStore) invalidate(keys []proto.Value) {
	s.mu.Lock()
	for _, k := range keys {
		ck := s.keys[k.Str]
		if ck == nil {
			continue
		}
		if ck.one != nil {
			s.removeLocked(ck.one)
		}
		for _, e := range ck.more {
			s.removeLocked(e)
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
		s.keys = make(map[string]*cacheKey)
	}
	for e := s.ring.next; e != &s.ring; {
		next := e.next
		e.prev, e.next = nil, nil
		e = next
	}
	s.ring.prev, s.ring.next = &s.ring, &s.ring
	s.bytes = 0
	switch why {
	case dropLost:
		s.on, s.enabling, s.disabled, s.refused = false, false, false, nil
	case dropDisable:
		s.on, s.enabling, s.disabled = false, false, true
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
