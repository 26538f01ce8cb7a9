package conn

import (
	"errors"
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// CacheRouter is what a cached view reads through: a handle that can say
// which of its connections serves a key. Every handle with a Cached
// method implements it (Conn, pool.Pool, shard.Ring, cluster.Cluster).
type CacheRouter interface {
	// Sender sends the reads the view does not cache: those of keys no
	// connection serves now (CacheConn returns nil), of keys outside the
	// broadcast prefixes, and reads while tracking is off.
	Sender
	// CacheConn returns the connection whose cache serves key, nil when
	// there is none now, and whether a miss may be sent on it now (false
	// sends the read uncached through the handle).
	CacheConn(key string) (c *Conn, sendable bool)
	// CacheConns appends every connection that may hold a part of the
	// view's cache to dst (for Stats and Sync).
	CacheConns(dst []*Conn) []*Conn
}

// Cached is a cached view of a handle: its read methods answer from the
// memory of the connection that serves the key when they can, and
// otherwise send the read with tracking on and keep the reply until the
// server invalidates the key (RESP3 CLIENT TRACKING; over RESP2 through
// a second connection the tracking redirects to). Make one with the
// Cached method of a handle (Conn, pool.Pool, shard.Ring,
// cluster.Cluster) and keep it: views are cheap, but each call makes
// one.
//
// A hit fires the returned Deferred before the method returns, on the
// caller's goroutine, without network and, for strings, integers,
// floats and booleans, without allocating; maps and slices are copied
// for each caller. A miss sends the read (and PTTL) and fires when the
// reply arrives; concurrent misses of one read share one request.
//
// Correctness: invalidations are applied on the connection's reader
// goroutine before any later reply on it is delivered, so once a write
// is acknowledged and a round trip on the connection that caches the key
// has completed (Sync does one on every connection of the view), no read
// through the view returns the value from before the write. A reply
// whose key is invalidated while it is on its way is delivered to the
// readers that asked for it but not stored. The cache of a connection is
// dropped whole when its socket or its invalidation connection is lost,
// on FLUSHALL and FLUSHDB, and when the application sends CLIENT
// TRACKING or AUTH (Auth, AuthUser) on it (caching then stays off until
// the connection is redialled; RESET, HELLO with arguments and SELECT,
// which would too, are refused before they are sent). Entries expire at the earlier of the
// view's time to live and the key's own (PTTL).
//
// Only reads are cached; writes go through the handle itself. A Cached
// is safe for concurrent use.
type Cached struct {
	Commands // the uncached commands of the handle

	r   CacheRouter
	ttl int64 // nanoseconds; 0 for none
	// retry is set when the handle can route a read elsewhere than the
	// connection that caches it (a pool, a ring, a cluster): a fill that
	// could not be sent, or that the cluster redirected, is resent
	// uncached through the handle.
	retry bool
}

// NewCached returns a cached view of r whose entries live at most ttl
// (ttl <= 0: until invalidated, evicted or expired on the server).
// The handles' Cached methods call it.
func NewCached(r CacheRouter, ttl time.Duration) *Cached {
	_, single := r.(*Conn)
	if ttl < 0 {
		ttl = 0
	}
	return &Cached{Commands: NewCommands(r), r: r, ttl: int64(ttl), retry: !single}
}

// Cached returns a cached view of the connection whose entries live at
// most ttl (see the Cached type).
func (c *Conn) Cached(ttl time.Duration) *Cached { return NewCached(c, ttl) }

// CacheConn returns c: a connection caches every key it reads
// (CacheRouter).
func (c *Conn) CacheConn(string) (*Conn, bool) { return c, true }

// CacheConns appends c to dst (CacheRouter).
func (c *Conn) CacheConns(dst []*Conn) []*Conn { return append(dst, c) }

// TTL returns the view's time to live of entries, 0 for none.
func (v *Cached) TTL() time.Duration { return time.Duration(v.ttl) }

// CacheStats counts what the client-side caches of a view's connections
// did since each was installed.
type CacheStats struct {
	Hits          int64 // reads answered from memory
	Misses        int64 // reads sent with tracking (those joining a read in flight included)
	Invalidations int64 // keys invalidated by the server
	Evictions     int64 // entries evicted to stay within MaxBytes
	Flushes       int64 // whole caches dropped (lost connections, FLUSHALL, ...)
	Entries       int   // entries held now, fills in flight included
	Bytes         int64 // estimated memory of the entries held now
	Connections   int   // connections with a cache
	Tracking      int   // of which the server confirmed tracking for the current socket
}

// Stats sums the counters of the caches of the view's connections. The
// counters belong to the connections: views of one handle share them.
func (v *Cached) Stats() CacheStats {
	var s CacheStats
	for _, c := range v.r.CacheConns(nil) {
		t := c.trk.Load()
		if t == nil {
			continue
		}
		st := t.st
		s.Connections++
		s.Misses += st.misses.Load()
		s.Invalidations += st.invalidations.Load()
		s.Evictions += st.evictions.Load()
		s.Flushes += st.flushes.Load()
		st.count(&s)
		if st.on.Load() {
			s.Tracking++
		}
	}
	return s
}

// Err returns why a connection of the view does not cache: the server's
// refusal of CLIENT TRACKING (a server before Redis 6, or one that does
// not implement it, as miniredis); nil while every connection caches or
// is on its way to. Reads through such a connection are sent uncached.
func (v *Cached) Err() error {
	for _, c := range v.r.CacheConns(nil) {
		if t := c.trk.Load(); t != nil {
			t.st.mu.Lock()
			err := t.st.refused
			t.st.mu.Unlock()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// Sync fires once a round trip has completed on every connection that
// holds a part of the view's cache (and on its invalidation connection
// over RESP2): from then on, no read through the view returns a value
// older than the writes acknowledged before Sync was called. A round
// trip that fails with a connection error counts, since the cache of
// that connection was dropped; other errors (a connection leased for a
// transaction) fail the Deferred.
func (v *Cached) Sync() *deferred.Deferred[struct{}] {
	var ds []*deferred.Deferred[proto.Value]
	for _, c := range v.r.CacheConns(nil) {
		t := c.trk.Load()
		if t == nil {
			continue
		}
		// A subscribed RESP2 connection answers PING with an array.
		ds = append(ds, request(c, proto.NewCmd("PING"), identity))
		if t.inv != nil {
			ds = append(ds, request(t.inv.c, proto.NewCmd("PING"), identity))
		}
	}
	return deferred.Then(deferred.List(ds, deferred.ListOptions{}), func(outs []deferred.Outcome[proto.Value]) (struct{}, error) {
		for _, o := range outs {
			if !o.OK && !errors.Is(o.Err, ErrConnection) {
				return struct{}{}, o.Err
			}
		}
		return struct{}{}, nil
	})
}

// route returns the tracker of the connection that caches key, nil when
// the read goes uncached.
func (v *Cached) route(key string) (*tracker, bool) {
	c, sendable := v.r.CacheConn(key)
	if c == nil {
		return nil, false
	}
	return c.tracking(), sendable
}

// hit returns the Deferred of a cached read of key with signature sig,
// or nil on a miss.
func hit[T any](t *tracker, key string, sig []byte) *deferred.Deferred[T] {
	if h := t.st.get(key, sig); h != nil {
		return h.(*deferred.Deferred[T])
	}
	return nil
}

// hitCopy is hit for a mutable result: each caller gets a copy.
func hitCopy[T any](t *tracker, key string, sig []byte, cp func(T) T) *deferred.Deferred[T] {
	d := hit[T](t, key, sig)
	if d == nil {
		return nil
	}
	val, err, _ := d.Result()
	if err != nil {
		return deferred.Fail[T](err)
	}
	return deferred.Succeed(cp(val))
}

// miss reads through the cache after a miss: it joins the fill of the
// same read in flight, or starts one, or sends the read uncached when
// the connection cannot cache it now. It takes ownership of cmd. cp
// copies a mutable result (nil for immutable ones).
func miss[T any](v *Cached, t *tracker, sendable bool, key string, sig []byte, cmd *proto.Cmd, conv func(proto.Value) (T, error), cp func(T) T) *deferred.Deferred[T] {
	if !sendable || !t.ready(key) {
		return request(v.r, cmd, conv)
	}
	st := t.st
	sh := st.shard(key)
	now := cacheNow()
	sh.mu.Lock()
	if e := sh.findLocked(key, sig); e != nil {
		if f, ok := e.fill.(*cacheFill[T]); ok {
			d := new(deferred.Deferred[T])
			f.waiters = append(f.waiters, d)
			sh.mu.Unlock()
			st.misses.Add(1)
			cmd.Release()
			return d
		}
		if e.fill == nil && (e.expires == 0 || now < e.expires) {
			h := e.hit.(*deferred.Deferred[T])
			e.hits.Add(1)
			sh.mu.Unlock()
			cmd.Release()
			if cp != nil {
				val, err, _ := h.Result()
				if err != nil {
					return deferred.Fail[T](err)
				}
				return deferred.Succeed(cp(val))
			}
			return h
		}
		sh.removeLocked(st, e) // expired, or a fill of another type
	}
	f := &cacheFill[T]{st: st, sh: sh, conv: conv, cp: cp, sent: now, ttl: v.ttl}
	f.te = new(typedEntry[T])
	f.e = &f.te.cacheEntry
	f.e.key, f.e.sig, f.e.fill, f.e.hit = key, sigString(sig), f, &f.te.d
	sh.insertLocked(f.e)
	f.epoch = st.epoch.Load()
	sh.mu.Unlock()
	st.misses.Add(1)
	if v.retry {
		f.router, f.retry = v.r, cmd.Clone()
	}
	f.pttl.f = f
	var cmds [3]*proto.Cmd // the connection keeps neither slice
	var rs [3]Resolver
	n := 0
	if t.opts.Mode == TrackOptIn {
		f.caching.f = f
		cmds[n], rs[n] = proto.NewCmd("CLIENT").Arg("CACHING").Arg("YES"), &f.caching
		n++
	}
	cmds[n], rs[n] = cmd, f
	cmds[n+1], rs[n+1] = proto.NewCmd("PTTL").Key(key), &f.pttl
	t.c.SendBatch(cmds[:n+2], rs[:n+2])
	return &f.first
}

// cacheFill is one read on its way to fill the cache: it resolves the
// read's reply, then PTTL's, and then stores the entry (unless its
// placeholder was removed meanwhile) and fires every reader waiting.
type cacheFill[T any] struct {
	st    *cacheStore
	sh    *cacheShard    // the shard of the key
	te    *typedEntry[T] // the placeholder, and the entry once stored
	e     *cacheEntry    // &te.cacheEntry
	epoch uint64         // the store's epoch when the fill began
	conv  func(proto.Value) (T, error)
	cp    func(T) T
	sent  int64 // cacheNow when sent
	ttl   int64

	// Set by the reply to the read, on the reader goroutine.
	val    T
	err    error
	size   int64
	resend bool // a redirection (cluster) or a command that was never sent
	// untracked is set when CLIENT CACHING YES (OPTIN) failed: the read
	// was not tracked, so it is not stored.
	untracked bool

	first   deferred.Deferred[T]
	waiters []*deferred.Deferred[T] // readers that joined; protected by sh.mu

	router Sender     // for resend
	retry  *proto.Cmd // a copy of the read, for resend; nil without router

	pttl    fillPTTL[T]
	caching fillCaching[T]
}

// Resolve takes the reply to the read.
func (f *cacheFill[T]) Resolve(v proto.Value, err error) {
	switch {
	case err != nil:
		f.err = err
		f.resend = unsent(err)
	case v.IsError():
		f.err = v.Err()
		f.resend = redirected(v.Str)
	default:
		f.val, f.err = f.conv(v)
		f.size = valueSize(v)
	}
}

// fillCaching takes the reply to CLIENT CACHING YES, which precedes the
// read in OPTIN mode.
type fillCaching[T any] struct{ f *cacheFill[T] }

func (c *fillCaching[T]) Resolve(v proto.Value, err error) {
	if err != nil || v.IsError() {
		c.f.untracked = true
	}
}

// fillPTTL takes the reply to PTTL, which follows the read's, and
// completes the fill.
type fillPTTL[T any] struct{ f *cacheFill[T] }

func (p *fillPTTL[T]) Resolve(v proto.Value, err error) {
	pttl := int64(-3) // unknown: not stored
	if err == nil && v.Kind == proto.Integer {
		pttl = v.Int
	}
	p.f.complete(pttl)
}

// complete stores the fill's result when it is still valid and fires the
// readers.
func (f *cacheFill[T]) complete(pttl int64) {
	st := f.st
	stored := f.val
	if f.cp != nil && f.err == nil {
		stored = f.cp(f.val)
	}
	cacheable := (f.err == nil || errors.Is(f.err, proto.ErrNil)) && pttl != -3 && pttl != 0
	expires := int64(0)
	if f.ttl > 0 {
		expires = f.sent + f.ttl
	}
	if pttl > 0 {
		if x := f.sent + pttl*int64(time.Millisecond); expires == 0 || x < expires {
			expires = x
		}
	}
	sh := f.sh
	sh.mu.Lock()
	if st.epoch.Load() == f.epoch && f.e.fill == f {
		if cacheable && st.on.Load() && !f.resend && !f.untracked {
			// Nobody sees the entry's Deferred before it is ready.
			_ = f.te.d.Resolve(stored, f.err)
			sh.readyLocked(st, f.e, expires, f.size+int64(len(f.e.key)+len(f.e.sig))+cacheOverhead)
		} else {
			sh.removeLocked(st, f.e)
		}
	}
	waiters := f.waiters
	f.waiters = nil
	sh.mu.Unlock()
	st.evict()

	if f.resend && f.retry != nil {
		// Let the handle route it: its reply goes to every reader.
		retry := f.retry
		f.retry = nil
		f.router.Send(retry, ResolverFunc(func(v proto.Value, err error) {
			var val T
			if err == nil {
				if v.IsError() {
					err = v.Err()
				} else {
					val, err = f.conv(v)
				}
			}
			f.fire(val, err, waiters)
		}))
		return
	}
	if f.retry != nil {
		f.retry.Release()
		f.retry = nil
	}
	f.fire(f.val, f.err, waiters)
}

// fire resolves the first reader with val and every waiter with a copy.
func (f *cacheFill[T]) fire(val T, err error, waiters []*deferred.Deferred[T]) {
	for _, d := range waiters {
		if f.cp != nil && err == nil {
			_ = d.Resolve(f.cp(val), nil)
		} else {
			_ = d.Resolve(val, err)
		}
	}
	_ = f.first.Resolve(val, err)
}

// unsent reports connection errors of commands that never reached the
// server: the handle may send them elsewhere.
func unsent(err error) bool {
	if errors.Is(err, ErrLeased) {
		return true
	}
	var ce *ConnectionError
	if !errors.As(err, &ce) {
		return false
	}
	switch ce.Op {
	case "not connected", "closed", "dial", "tls handshake", "handshake":
		return true
	}
	return false
}

// redirected reports cluster answers that the cluster handle follows.
func redirected(msg string) bool {
	for _, p := range [...]string{"MOVED ", "ASK ", "TRYAGAIN", "CLUSTERDOWN", "LOADING"} {
		if len(msg) >= len(p) && msg[:len(p)] == p {
			return true
		}
	}
	return false
}
