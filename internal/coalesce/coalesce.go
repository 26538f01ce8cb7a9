package coalesce

import (
	"sync"
	"time"
)

// Runner runs a task on a goroutine of its own when Trigger is called. A
// burst of Triggers makes one run, plus at most one more started after
// it; a run starts no sooner than the interval after the previous one
// ended. At most one run is under way at a time.
type Runner struct {
	mu       *sync.Mutex     // the owner's; protects the fields below
	wg       *sync.WaitGroup // the owner's; counts the loop goroutine
	done     <-chan struct{} // closed by the owner, holding mu, on shutdown
	interval time.Duration   // immutable
	run      func()          // immutable

	// running is set while the loop goroutine runs; again asks it for one
	// more run.
	running, again bool
	// last is when the previous run ended.
	last time.Time
}

// New returns a Runner calling run, with no lock held, on a background
// goroutine counted in wg. mu is the owner's mutex, and done a channel
// the owner closes while holding mu when it shuts down: closing done cuts
// short a wait for the interval, skips the run, and makes later Triggers
// do nothing.
func New(mu *sync.Mutex, wg *sync.WaitGroup, done <-chan struct{}, interval time.Duration, run func()) *Runner {
	return &Runner{mu: mu, wg: wg, done: done, interval: interval, run: run}
}

// Trigger asks for a run in the background. If a run is waiting to start
// or under way, it asks for one more after it instead. It does nothing
// once done is closed. The caller must not hold the owner's mutex.
func (r *Runner) Trigger() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed() {
		return
	}
	if r.running {
		r.again = true
		return
	}
	r.running = true
	r.wg.Add(1)
	go r.loop()
}

// closed reports whether done is closed.
func (r *Runner) closed() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// loop runs the task until no Trigger asked for another run, or until
// done is closed.
func (r *Runner) loop() {
	defer r.wg.Done()
	for {
		r.mu.Lock()
		wait := time.Until(r.last.Add(r.interval))
		r.mu.Unlock()
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-r.done:
				t.Stop()
			}
		}
		if !r.closed() {
			r.run()
		}
		r.mu.Lock()
		r.last = time.Now()
		if r.closed() || !r.again {
			r.running = false
			r.mu.Unlock()
			return
		}
		r.again = false
		r.mu.Unlock()
	}
}
