package deferred

import "sync"

// Semaphore bounds how many callers hold it at once (Twisted's
// DeferredSemaphore): the way callback code throttles requests. Acquire
// never blocks: it returns a Deferred that fires when a token is taken,
// at once if one is free, and otherwise when one is released, in the
// order the callers asked. It is safe for concurrent use; it must not be
// copied after first use. Make one with NewSemaphore.
type Semaphore struct {
	mu      sync.Mutex // protects the fields below
	tokens  int
	limit   int
	waiting []*Deferred[struct{}]
}

// NewSemaphore returns a Semaphore of n tokens. n must be at least 1.
func NewSemaphore(n int) *Semaphore {
	if n < 1 {
		panic("txredis/deferred: NewSemaphore needs at least one token")
	}
	return &Semaphore{tokens: n, limit: n}
}

// Acquire returns a Deferred that fires when the caller holds a token,
// which it must then Release. Cancelling the Deferred before it fires
// gives up the place in the queue (it fails with ErrCancelled);
// cancelling it after it fired does nothing: the token is held.
func (s *Semaphore) Acquire() *Deferred[struct{}] {
	s.mu.Lock()
	if s.tokens > 0 {
		s.tokens--
		s.mu.Unlock()
		return Succeed(struct{}{})
	}
	d := New(s.cancelAcquire)
	s.waiting = append(s.waiting, d)
	s.mu.Unlock()
	return d
}

func (s *Semaphore) cancelAcquire(d *Deferred[struct{}]) {
	s.mu.Lock()
	s.waiting = removeWaiter(s.waiting, d)
	s.mu.Unlock()
}

// Release gives a token back. If an Acquire is waiting, the token passes
// to the oldest one, whose Deferred fires on the calling goroutine before
// Release returns. Releasing more tokens than were acquired panics.
func (s *Semaphore) Release() {
	s.mu.Lock()
	if s.tokens >= s.limit {
		s.mu.Unlock()
		panic("txredis/deferred: Release of a Semaphore with no token taken")
	}
	handOver(&s.mu, &s.waiting, func() { s.tokens++ })
}

// Tokens returns how many tokens are free.
func (s *Semaphore) Tokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens
}

// Limit returns the number of tokens the Semaphore was made with.
func (s *Semaphore) Limit() int { return s.limit }
