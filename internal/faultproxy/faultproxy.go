package faultproxy

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"
)

// Dir is a direction of traffic through the proxy.
type Dir int

// The two directions.
const (
	ToServer Dir = iota // client -> server: commands
	ToClient            // server -> client: replies
)

func (d Dir) String() string {
	if d == ToServer {
		return "to-server"
	}
	return "to-client"
}

// Kind is what a fault does.
type Kind int

// The faults a proxy injects.
const (
	// None forwards bytes unchanged.
	None Kind = iota
	// Delay holds each chunk for Fault.Delay before forwarding it.
	Delay
	// Stall forwards After bytes, then stops forwarding (the sender sees
	// TCP backpressure) until the fault is cleared or replaced.
	Stall
	// Cut closes both sides of the connection at the first chunk that
	// arrives once After bytes were forwarded; that chunk is not forwarded.
	Cut
	// Truncate forwards only the first N bytes of the first chunk that
	// arrives once After bytes were forwarded, then closes both sides.
	Truncate
	// Corrupt changes the byte at position After: it is replaced by
	// Fault.Replace when that is set (overwriting len(Replace) bytes),
	// otherwise every bit of it is flipped.
	Corrupt
	// Drop forwards exactly After bytes, splitting a chunk if needed, and
	// then closes both sides.
	Drop
)

func (k Kind) String() string {
	switch k {
	case None:
		return "none"
	case Delay:
		return "delay"
	case Stall:
		return "stall"
	case Cut:
		return "cut"
	case Truncate:
		return "truncate"
	case Corrupt:
		return "corrupt"
	case Drop:
		return "drop"
	}
	return "unknown"
}

// Fault describes one fault in one direction.
type Fault struct {
	Dir   Dir
	Kind  Kind
	After int64         // bytes forwarded before the fault applies (see Kind)
	Delay time.Duration // Delay: per-chunk delay
	N     int           // Truncate: bytes of the chunk still forwarded
	// Replace is what Corrupt writes at position After; nil flips one byte.
	Replace []byte
	// Once clears the fault the first time it fires (Cut, Truncate, Drop,
	// Corrupt), so later connections are left alone.
	Once bool
}

// errCut ends a pump that cut its connection on purpose.
var errCut = errors.New("faultproxy: cut")

// chunkSize is the most a pump reads and forwards at once.
const chunkSize = 32 << 10

// rule is the fault of one direction; gen changes on every Set or Clear.
type rule struct {
	f       Fault
	gen     uint64
	changed chan struct{} // closed when the rule is replaced
}

// Proxy forwards TCP connections from a loopback listener to a target
// address, injecting the configured faults.
type Proxy struct {
	t      testing.TB
	target string
	ln     net.Listener
	done   chan struct{} // closed by Close
	wg     sync.WaitGroup

	mu       sync.Mutex // protects the fields below
	rules    [2]rule
	gen      uint64
	conns    map[*link]struct{}
	accepted int
	fired    int
	closed   bool
}

// Start starts a proxy to target on 127.0.0.1:0 and closes it when the
// test ends.
func Start(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("faultproxy: %v", err)
	}
	p := &Proxy{t: t, target: target, ln: ln, done: make(chan struct{}), conns: map[*link]struct{}{}}
	for d := range p.rules {
		p.rules[d].changed = make(chan struct{})
	}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Addr returns the proxy's "127.0.0.1:port", the address clients dial.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Set makes f the fault of its direction, replacing the previous one
// (a stalled direction resumes unless f is a Stall too).
func (p *Proxy) Set(f Fault) {
	p.mu.Lock()
	p.setLocked(f)
	p.mu.Unlock()
}

func (p *Proxy) setLocked(f Fault) {
	r := &p.rules[f.Dir]
	close(r.changed)
	p.gen++
	*r = rule{f: f, gen: p.gen, changed: make(chan struct{})}
}

// Clear removes the faults of both directions: stalled traffic resumes
// and new connections are forwarded unchanged.
func (p *Proxy) Clear() {
	p.mu.Lock()
	p.setLocked(Fault{Dir: ToServer})
	p.setLocked(Fault{Dir: ToClient})
	p.mu.Unlock()
}

// CutAll closes both sides of every connection now open; the listener
// keeps accepting.
func (p *Proxy) CutAll() {
	p.mu.Lock()
	links := make([]*link, 0, len(p.conns))
	for l := range p.conns {
		links = append(links, l)
	}
	p.mu.Unlock()
	for _, l := range links {
		l.close()
	}
}

// Accepted returns how many client connections the proxy accepted.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Open returns how many proxied connections are open now.
func (p *Proxy) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Fired returns how many times a Cut, Truncate, Drop or Corrupt fault fired.
func (p *Proxy) Fired() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fired
}

// Close stops accepting, closes every connection and waits for every
// goroutine of the proxy. It is idempotent.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.done)
	p.mu.Unlock()
	_ = p.ln.Close()
	p.CutAll()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// serve dials the target for client connection c and runs both pumps.
func (p *Proxy) serve(c net.Conn) {
	defer p.wg.Done()
	s, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		_ = c.Close()
		return
	}
	l := &link{client: c, server: s, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		l.close()
		return
	}
	p.conns[l] = struct{}{}
	p.accepted++
	p.mu.Unlock()

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.pump(l, ToServer, c, s) }()
	go func() { defer wg.Done(); p.pump(l, ToClient, s, c) }()
	wg.Wait()
	p.mu.Lock()
	delete(p.conns, l)
	p.mu.Unlock()
}

// link is one proxied connection.
type link struct {
	client, server net.Conn
	once           sync.Once
	done           chan struct{} // closed when both sides are closed
}

func (l *link) close() {
	l.once.Do(func() {
		_ = l.client.Close()
		_ = l.server.Close()
		close(l.done)
	})
}

// pumpState tracks one direction of one link against the current rule.
type pumpState struct {
	gen   uint64
	count int64 // bytes forwarded since gen was seen
	fired bool  // the fault fired on this link (one-shot faults)
}

// pump copies src to dst through the rules of direction d until either
// side fails, then closes both.
func (p *Proxy) pump(l *link, d Dir, src, dst net.Conn) {
	defer l.close()
	buf := make([]byte, chunkSize)
	var st pumpState
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if ferr := p.forward(l, d, dst, buf[:n], &st); ferr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// current returns the rule of direction d.
func (p *Proxy) current(d Dir) rule {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rules[d]
}

// fire records that a one-shot-capable fault fired, clearing it when Once.
func (p *Proxy) fire(d Dir, gen uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fired++
	if r := p.rules[d]; r.gen == gen && r.f.Once {
		p.setLocked(Fault{Dir: d})
	}
}

// forward writes chunk to dst, applying the rule of direction d.
func (p *Proxy) forward(l *link, d Dir, dst net.Conn, chunk []byte, st *pumpState) error {
	r := p.current(d)
	if r.gen != st.gen {
		*st = pumpState{gen: r.gen}
	}
	for len(chunk) > 0 {
		f := r.f
		switch {
		case st.fired && f.Kind != Delay && f.Kind != Stall:
			// A fault fires once per link; the rest passes.
		case f.Kind == Delay:
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-r.changed:
			case <-l.done:
				t.Stop()
				return errCut
			}
			t.Stop()
		case f.Kind == Stall:
			if room := f.After - st.count; room < int64(len(chunk)) {
				if room > 0 {
					if err := p.write(l, dst, chunk[:room], st); err != nil {
						return err
					}
					chunk = chunk[room:]
				}
				select {
				case <-r.changed:
				case <-l.done:
					return errCut
				}
				r = p.current(d)
				if r.gen != st.gen {
					*st = pumpState{gen: r.gen}
				}
				continue
			}
		case f.Kind == Cut:
			if st.count >= f.After {
				st.fired = true
				p.fire(d, r.gen)
				l.close()
				return errCut
			}
		case f.Kind == Truncate:
			if st.count >= f.After {
				st.fired = true
				p.fire(d, r.gen)
				n := min(f.N, len(chunk))
				_ = p.write(l, dst, chunk[:n], st)
				l.close()
				return errCut
			}
		case f.Kind == Drop:
			if room := f.After - st.count; room <= int64(len(chunk)) {
				st.fired = true
				p.fire(d, r.gen)
				if room > 0 {
					_ = p.write(l, dst, chunk[:room], st)
				}
				l.close()
				return errCut
			}
		case f.Kind == Corrupt:
			if off := f.After - st.count; off >= 0 && off < int64(len(chunk)) {
				st.fired = true
				p.fire(d, r.gen)
				if f.Replace == nil {
					chunk[off] ^= 0xFF
				} else {
					copy(chunk[off:], f.Replace)
				}
			}
		}
		return p.write(l, dst, chunk, st)
	}
	return nil
}

func (p *Proxy) write(l *link, dst net.Conn, b []byte, st *pumpState) error {
	_, err := dst.Write(b)
	st.count += int64(len(b))
	if err != nil {
		l.close()
	}
	return err
}
