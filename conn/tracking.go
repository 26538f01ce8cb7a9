package conn

import (
	"bytes"
	"context"
	"strings"
	"sync"

	"github.com/txredis/txredis/proto"
)

// TrackingMode is how the server tracks the keys a connection's
// client-side cache holds (CLIENT TRACKING).
type TrackingMode int

// The tracking modes.
const (
	// TrackDefault: the server remembers every key the connection reads
	// and sends an invalidation when one changes.
	TrackDefault TrackingMode = iota
	// TrackBroadcast (BCAST): the server sends invalidations for every
	// change of a key that starts with one of CacheOptions.Prefixes (all
	// keys when there are none), read or not; it remembers nothing per
	// connection. Keys outside the prefixes are read uncached.
	TrackBroadcast
	// TrackOptIn (OPTIN): the server remembers only the keys of cached
	// reads (each is preceded by CLIENT CACHING YES), not those of the
	// connection's other commands.
	TrackOptIn
)

func (m TrackingMode) String() string {
	switch m {
	case TrackDefault:
		return "default"
	case TrackBroadcast:
		return "bcast"
	case TrackOptIn:
		return "optin"
	}
	return "unknown"
}

// CacheOptions configures the client-side cache of each connection a
// cached view (Cached) reads through. The zero value tracks in the
// default mode with a cache of DefaultCacheMaxBytes per connection.
type CacheOptions struct {
	// Mode is the tracking mode (default TrackDefault).
	Mode TrackingMode
	// Prefixes, with TrackBroadcast, are the key prefixes tracked and
	// cached; empty means every key.
	Prefixes []string
	// MaxBytes bounds the memory of one connection's cache (default
	// DefaultCacheMaxBytes, 64 MiB); beyond it the least recently used
	// entries are evicted.
	MaxBytes int
}

// tracker is the client-side cache of a connection and the state of its
// tracking: it is installed by the first cached view that reads through
// the connection and lives as long as the connection. Over RESP2 it owns
// a second connection that receives the invalidations (REDIRECT).
//
// The connection calls it at four points, each a no-op when no tracker
// is installed: every command queued (sendingLocked), every push read
// (push), the loss of a socket (lost) and the end of the connection
// (closeTracking).
type tracker struct {
	c    *Conn
	st   *cacheStore
	opts CacheOptions
	inv  *invConn // over RESP2: the invalidation connection; nil over RESP3
	// forData is set on the tracker of an invalidation connection: the
	// tracker of the connection it receives invalidations for.
	forData *tracker

	// own is a command of the tracker on its way through sendingLocked,
	// which lets it pass; protected by c.mu.
	own *proto.Cmd
}

// tracking returns c's tracker, installing it on first use.
func (c *Conn) tracking() *tracker {
	if t := c.trk.Load(); t != nil {
		return t
	}
	c.mu.Lock()
	if t := c.trk.Load(); t != nil {
		c.mu.Unlock()
		return t
	}
	t := &tracker{c: c, st: newCacheStore(c.opts.Cache.MaxBytes), opts: c.opts.Cache}
	if c.opts.Protocol < 3 && !c.closing && c.state.load() != StateClosed {
		t.inv = newInvConn(t)
	}
	c.trk.Store(t)
	c.unparkLocked() // invalidations must be read as they come
	c.mu.Unlock()
	if t.inv != nil {
		t.inv.setup()
	}
	return t
}

// closeTracking ends what the tracker owns: the supervisor calls it as
// the connection shuts down, so Disconnect fires after the invalidation
// connection is closed too.
func (c *Conn) closeTracking() {
	if t := c.trk.Load(); t != nil && t.inv != nil {
		_, _ = t.inv.c.Disconnect().Wait(context.Background())
	}
}

// sendingLocked sees every command queued on the connection (with c.mu
// held): one that changes the connection under the cache drops it, and
// caching stays off until the socket is replaced.
func (t *tracker) sendingLocked(cmd *proto.Cmd) {
	if cmd == t.own {
		t.own = nil
		return
	}
	if t.forData != nil {
		return
	}
	switch cmd.Name() {
	case "AUTH": // Auth, AuthUser: another user may not read what was cached
	case "RESET", "SELECT":
		// Refused from callers (RefuseShared); kept in case an owned path
		// sends one.
	case "HELLO":
		if cmd.Len() < 2 { // HELLO alone only reports the server's identity
			return
		}
	case "CLIENT":
		if cmd.Len() < 2 || !bytes.EqualFold(cmd.ArgBytes(1), []byte("TRACKING")) {
			return
		}
	default:
		return
	}
	t.st.drop(dropDisable)
}

// push applies a push frame read on the connection, before any later
// reply is delivered: invalidations remove keys, a null one (FLUSHALL,
// FLUSHDB) drops the whole cache.
func (t *tracker) push(v proto.Value) {
	if t.forData != nil {
		return // an invalidation connection: its pushes go to invConn.push
	}
	if len(v.Elems) == 2 && v.Elems[0].Str == "invalidate" {
		t.invalidate(v.Elems[1])
	}
}

func (t *tracker) invalidate(keys proto.Value) {
	if keys.IsNull() {
		t.st.drop(dropFlush)
		return
	}
	t.st.invalidate(keys.Elems)
}

// lost is called when a socket of the connection fails, before the
// commands pending on it are failed: the cache is dropped, so a read
// after a failed round trip never sees a value whose invalidation may
// have been lost with the socket.
func (t *tracker) lost() {
	if t.forData != nil {
		t.forData.inv.lost()
		return
	}
	t.st.drop(dropLost)
}

// ready reports whether a miss of key may be cached, and turns tracking
// on for the current socket first when it is not yet: CLIENT TRACKING is
// queued before the fill, so the fill runs tracked.
func (t *tracker) ready(key string) bool {
	if t.opts.Mode == TrackBroadcast && len(t.opts.Prefixes) > 0 && !hasAnyPrefix(key, t.opts.Prefixes) {
		return false
	}
	st := t.st
	if st.live.Load() {
		return true
	}
	st.mu.Lock()
	if st.on.Load() || st.enabling {
		st.mu.Unlock()
		return true
	}
	if st.disabled || st.refused != nil {
		st.mu.Unlock()
		return false
	}
	epoch := st.epoch.Load()
	var redirect int64
	var invGen uint64
	if t.inv != nil {
		var ok bool
		if redirect, invGen, ok = t.inv.current(); !ok {
			st.mu.Unlock()
			t.inv.setup()
			return false
		}
	}
	st.enabling = true
	st.live.Store(true)
	st.mu.Unlock()
	cmd := proto.NewCmd("CLIENT").Arg("TRACKING").Arg("ON")
	if t.inv != nil {
		cmd.Arg("REDIRECT").Int(redirect)
	}
	switch t.opts.Mode {
	case TrackBroadcast:
		cmd.Arg("BCAST")
		for _, p := range t.opts.Prefixes {
			cmd.Arg("PREFIX").Arg(p)
		}
	case TrackOptIn:
		cmd.Arg("OPTIN")
	}
	t.sendOwn([]*proto.Cmd{cmd}, []Resolver{&enableReply{t: t, epoch: epoch, invGen: invGen}})
	return true
}

func hasAnyPrefix(key string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// sendOwn sends the tracker's commands on the connection, past
// sendingLocked.
func (t *tracker) sendOwn(cmds []*proto.Cmd, rs []Resolver) {
	c := t.c
	c.mu.Lock()
	err := c.acceptOwnLocked()
	if err == nil {
		t.own = cmds[0]
	}
	c.sendBatchLocked(err, cmds, rs)
}

// enableReply takes the reply to CLIENT TRACKING ON.
type enableReply struct {
	t      *tracker
	epoch  uint64
	invGen uint64
}

func (r *enableReply) Resolve(v proto.Value, err error) {
	st := r.t.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.epoch.Load() != r.epoch {
		return // the socket, or the redirect, it enabled is gone
	}
	st.enabling = false
	switch {
	case err != nil:
	case v.IsError():
		st.refused = v.Err()
	case r.t.inv != nil && !r.t.inv.still(r.invGen):
	default:
		st.on.Store(true)
	}
	st.live.Store(st.on.Load())
}

// invConn is the invalidation connection of a RESP2 connection: it
// subscribes to __redis__:invalidate and the data connection's tracking
// redirects to its client ID.
type invConn struct {
	data *tracker
	c    *Conn

	mu sync.Mutex // protects the fields below
	// seq grows with each lost socket; replies of an older setup are
	// ignored.
	seq uint64
	// settingUp is set while CLIENT ID and SUBSCRIBE are on their way;
	// pendingID is the ID they reported, before the subscription is
	// confirmed.
	settingUp bool
	pendingID int64
	// id is the client ID of the current socket once subscribed; gen
	// grows each time it changes.
	id    int64
	ready bool
	gen   uint64
}

// invChannel is where the server publishes invalidations for a RESP2
// client that redirects to a subscriber.
const invChannel = "__redis__:invalidate"

func newInvConn(data *tracker) *invConn {
	ic := &invConn{data: data}
	o := data.c.opts
	o.Protocol = 2
	o.PubSub = true
	o.OnPush = ic.push
	o.OnState = nil
	o.DB = 0
	o.ReadOnly = false
	o.Cache = CacheOptions{}
	ic.c = New(o)
	ic.c.trk.Store(&tracker{c: ic.c, forData: data})
	return ic
}

// current returns the redirect ID and its generation when the
// invalidation connection is subscribed.
func (ic *invConn) current() (int64, uint64, bool) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	return ic.id, ic.gen, ic.ready
}

// still reports whether generation gen is still subscribed.
func (ic *invConn) still(gen uint64) bool {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	return ic.ready && ic.gen == gen
}

// setup asks for the client ID and subscribes, unless that is under way.
func (ic *invConn) setup() {
	ic.mu.Lock()
	if ic.ready || ic.settingUp {
		ic.mu.Unlock()
		return
	}
	ic.settingUp = true
	seq := ic.seq
	ic.mu.Unlock()
	ic.c.Send(proto.NewCmd("CLIENT").Arg("ID"), ResolverFunc(func(v proto.Value, err error) {
		ic.mu.Lock()
		defer ic.mu.Unlock()
		if ic.seq != seq {
			return
		}
		if err != nil || v.Kind != proto.Integer {
			ic.settingUp = false
			return
		}
		ic.pendingID = v.Int
	}))
	if err := ic.c.SendNoReply(proto.NewCmd("SUBSCRIBE").Arg(invChannel)); err != nil {
		ic.mu.Lock()
		if ic.seq == seq {
			ic.settingUp = false
		}
		ic.mu.Unlock()
	}
}

// push takes what the invalidation connection receives: the
// confirmation of its subscription, and invalidation messages.
func (ic *invConn) push(v proto.Value) {
	if len(v.Elems) < 3 || v.Elems[1].Str != invChannel {
		return
	}
	switch v.Elems[0].Str {
	case "subscribe":
		ic.mu.Lock()
		if ic.settingUp && ic.pendingID != 0 {
			ic.id, ic.ready, ic.settingUp = ic.pendingID, true, false
			ic.gen++
		}
		ic.mu.Unlock()
	case "message":
		ic.data.invalidate(v.Elems[2])
	}
}

// lost is called when the invalidation connection's socket fails: the
// invalidations of the data connection may be lost, so its cache is
// dropped and its tracking must be redirected anew.
func (ic *invConn) lost() {
	ic.mu.Lock()
	ic.seq++
	ic.ready, ic.settingUp, ic.pendingID = false, false, 0
	ic.mu.Unlock()
	ic.data.st.drop(dropLost)
}
