package deferred

import (
	"errors"
	"testing"
	"time"
)

// Ported from Twisted's DeferredAddTimeoutTests, on a ManualClock. Where
// Twisted adds steps to d itself, here they are the Deferreds d is
// derived from (steps added "before the timeout") or derived from the
// Deferred Timeout returns (steps added after).

func overridden(int, error) (int, error) { return -99, nil } // Twisted's _overrideFunc

func TestTimeoutSemantics(t *testing.T) {
	errWhat := errors.New("what!")
	tests := []struct {
		name string
		// build returns the Deferred to time out and a function that fires
		// it before the timeout (nil: it is left to time out).
		build     func(log *[]string) (*Deferred[int], func())
		onTimeout func(int, error) (int, error)
		want      int
		wantErr   error
		wantLog   string // what the steps before the timeout logged
	}{
		{
			name:  "success before the timeout",
			build: func(*[]string) (*Deferred[int], func()) { d := New[int](nil); return d, func() { d.Callback(1) } },
			want:  1,
		},
		{
			name:      "success before the timeout, custom",
			build:     func(*[]string) (*Deferred[int], func()) { d := New[int](nil); return d, func() { d.Callback(1) } },
			onTimeout: overridden,
			want:      1,
		},
		{
			name:    "failure before the timeout",
			build:   func(*[]string) (*Deferred[int], func()) { d := New[int](nil); return d, func() { d.Errback(errTest) } },
			wantErr: errTest,
		},
		{
			name:    "timed out",
			build:   func(*[]string) (*Deferred[int], func()) { return New[int](nil), nil },
			wantErr: ErrTimeout,
		},
		{
			name:      "timed out, custom",
			build:     func(*[]string) (*Deferred[int], func()) { return New[int](nil), nil },
			onTimeout: overridden,
			want:      -99,
		},
		{
			name: "canceller fires an error: it is kept",
			build: func(*[]string) (*Deferred[int], func()) {
				return New(func(d *Deferred[int]) { d.Errback(errWhat) }), nil
			},
			wantErr: errWhat,
		},
		{
			name: "canceller fires an error, custom (providedCancelCalledBeforeTimeoutCustom)",
			build: func(*[]string) (*Deferred[int], func()) {
				return New(func(d *Deferred[int]) { d.Errback(errWhat) }), nil
			},
			onTimeout: overridden,
			want:      -99,
		},
		{
			name: "errback added before the timeout sees ErrCancelled, which becomes ErrTimeout",
			build: func(log *[]string) (*Deferred[int], func()) {
				d := New[int](nil).Catch(func(err error) (int, error) {
					if errors.Is(err, ErrCancelled) {
						*log = append(*log, "errback saw cancel")
					}
					return 0, err
				})
				return d, nil
			},
			wantErr: ErrTimeout,
			wantLog: "errback saw cancel",
		},
		{
			name: "errback added before the timeout suppresses the cancellation",
			build: func(log *[]string) (*Deferred[int], func()) {
				d := New[int](nil).Catch(func(err error) (int, error) {
					if errors.Is(err, ErrCancelled) {
						*log = append(*log, "errback saw cancel")
						return 5, nil
					}
					return 0, err
				})
				return d, nil
			},
			want:    5,
			wantLog: "errback saw cancel",
		},
		{
			name: "errback added before the timeout, custom",
			build: func(log *[]string) (*Deferred[int], func()) {
				d := New[int](nil).Catch(func(err error) (int, error) {
					*log = append(*log, "errback saw cancel")
					return 0, err
				})
				return d, nil
			},
			onTimeout: overridden,
			want:      -99,
			wantLog:   "errback saw cancel",
		},
		{
			name: "callback added to a canceller that fires a value (callbackAddedToCancelerBeforeTimeout)",
			build: func(log *[]string) (*Deferred[int], func()) {
				d := New(func(d *Deferred[int]) { d.Callback(7) }).Then(func(v int) (int, error) {
					*log = append(*log, "callback")
					return v, nil
				})
				return d, nil
			},
			want:    7,
			wantLog: "callback",
		},
		{
			name: "callback added to a canceller that fires a value, custom",
			build: func(log *[]string) (*Deferred[int], func()) {
				d := New(func(d *Deferred[int]) { d.Callback(7) }).Then(func(v int) (int, error) {
					*log = append(*log, "callback")
					return v, nil
				})
				return d, nil
			},
			onTimeout: overridden,
			want:      -99,
			wantLog:   "callback",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var clock ManualClock
			var log []string
			d, fire := tt.build(&log)
			to := TimeoutWith(d, 10*time.Second, TimeoutOptions[int]{Clock: &clock, OnTimeout: tt.onTimeout})
			if fire != nil {
				fire()
				if clock.Pending() != 0 {
					t.Fatal("the timer was not stopped when d fired")
				}
			}
			clock.Advance(5 * time.Second)
			if fire == nil {
				checkPending(t, to)
			}
			clock.Advance(10 * time.Second)
			checkResult(t, to, tt.want, tt.wantErr)
			if joinLog(log) != tt.wantLog {
				t.Fatalf("steps before the timeout logged %q, want %q", joinLog(log), tt.wantLog)
			}
		})
	}
}

// A Deferred cancelled before the timeout keeps ErrCancelled, and is not
// cancelled again (test_cancelBeforeTimeout).
func TestTimeoutCancelBefore(t *testing.T) {
	var clock ManualClock
	cancels := 0
	d := New(func(*Deferred[int]) { cancels++ })
	translated := false
	to := TimeoutWith(d, 10*time.Second, TimeoutOptions[int]{
		Clock:     &clock,
		OnTimeout: func(v int, err error) (int, error) { translated = true; return v, err },
	})
	inner := New[int](nil)
	after := ChainBoth(to, func(int, error) *Deferred[int] { return inner })
	d.Cancel()
	checkResult(t, to, 0, ErrCancelled)
	clock.Advance(15 * time.Second)
	if cancels != 1 || translated {
		t.Fatalf("canceller ran %d times, OnTimeout ran %v; want 1, false", cancels, translated)
	}
	checkPending(t, inner) // not cancelled by a late timeout
	checkPending(t, after)
}

// The real clock: a timeout fires on its own.
func TestTimeoutRealClock(t *testing.T) {
	d := New[int](nil)
	to := Timeout(d, time.Millisecond)
	<-to.Done()
	checkResult(t, to, 0, ErrTimeout)
	checkResult(t, d, 0, ErrCancelled)
}

func TestManualClock(t *testing.T) {
	var c ManualClock
	var order []string
	c.AfterFunc(3*time.Second, func() { order = append(order, "3s") })
	c.AfterFunc(time.Second, func() {
		order = append(order, "1s")
		c.AfterFunc(time.Second, func() { order = append(order, "2s from 1s") })
	})
	stopped := c.AfterFunc(2*time.Second, func() { order = append(order, "stopped") })
	c.AfterFunc(time.Second, func() { order = append(order, "1s second") })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop: want true once, then false")
	}
	c.Advance(2 * time.Second)
	if joinLog(order) != "1s 1s second 2s from 1s" {
		t.Fatalf("order %q", joinLog(order))
	}
	if c.Now() != 2*time.Second || c.Pending() != 1 {
		t.Fatalf("now %v, pending %d; want 2s, 1", c.Now(), c.Pending())
	}
	c.Advance(time.Second)
	if joinLog(order) != "1s 1s second 2s from 1s 3s" || c.Pending() != 0 {
		t.Fatalf("order %q, pending %d", joinLog(order), c.Pending())
	}
}

// Timeout keeps what the cancellation made of d: a canceller that fires a
// value wins over ErrTimeout (it used to end in ErrTimeout whatever).
func TestTimeoutKeepsCancellerResult(t *testing.T) {
	d := New(func(d *Deferred[int]) { d.Callback(7) })
	to := Timeout(d, time.Millisecond)
	<-to.Done()
	checkResult(t, to, 7, nil)

	errWhat := errors.New("what")
	e := New(func(d *Deferred[int]) { d.Errback(errWhat) })
	to = Timeout(e, time.Millisecond)
	<-to.Done()
	checkResult(t, to, 0, errWhat)

	recovered := New[int](nil).Catch(func(err error) (int, error) { return -1, nil })
	to = Timeout(recovered, time.Millisecond)
	<-to.Done()
	checkResult(t, to, -1, nil)
}
