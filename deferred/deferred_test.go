package deferred

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var errTest = errors.New("test error")

// checkResult fails unless d has fired with want and an error matching
// wantErr (errors.Is; nil means success).
func checkResult[T comparable](t *testing.T, d *Deferred[T], want T, wantErr error) {
	t.Helper()
	have, haveErr, ok := d.Result()
	if !ok {
		t.Fatalf("Deferred pending, want fired with (%v, %v)", want, wantErr)
	}
	if wantErr == nil && haveErr != nil {
		t.Fatalf("have error %v, want value %v", haveErr, want)
	}
	if wantErr != nil && !errors.Is(haveErr, wantErr) {
		t.Fatalf("have (%v, %v), want error %v", have, haveErr, wantErr)
	}
	if have != want {
		t.Fatalf("have value %v, want %v", have, want)
	}
}

func checkPending[T any](t *testing.T, d *Deferred[T]) {
	t.Helper()
	if v, err, ok := d.Result(); ok {
		t.Fatalf("Deferred fired with (%v, %v), want pending", v, err)
	}
}

func TestFireOnce(t *testing.T) {
	tests := []struct {
		name    string
		fire    func(d *Deferred[int]) []error // the errors each fire returned
		want    int
		wantErr error
		haveErr []error
	}{
		{
			name:    "callback twice",
			fire:    func(d *Deferred[int]) []error { return []error{d.Callback(1), d.Callback(2)} },
			want:    1,
			haveErr: []error{nil, ErrAlreadyCalled},
		},
		{
			name:    "callback then errback",
			fire:    func(d *Deferred[int]) []error { return []error{d.Callback(1), d.Errback(errTest)} },
			want:    1,
			haveErr: []error{nil, ErrAlreadyCalled},
		},
		{
			name:    "errback then callback",
			fire:    func(d *Deferred[int]) []error { return []error{d.Errback(errTest), d.Callback(1)} },
			wantErr: errTest,
			haveErr: []error{nil, ErrAlreadyCalled},
		},
		{
			name:    "resolve value",
			fire:    func(d *Deferred[int]) []error { return []error{d.Resolve(3, nil), d.Resolve(4, nil)} },
			want:    3,
			haveErr: []error{nil, ErrAlreadyCalled},
		},
		{
			name:    "resolve error drops value",
			fire:    func(d *Deferred[int]) []error { return []error{d.Resolve(3, errTest)} },
			wantErr: errTest,
			haveErr: []error{nil},
		},
		{
			name:    "errback nil still fails",
			fire:    func(d *Deferred[int]) []error { return []error{d.Errback(nil)} },
			wantErr: errNilErrback,
			haveErr: []error{nil},
		},
		{
			name:    "cancelled then late reply",
			fire:    func(d *Deferred[int]) []error { d.Cancel(); return []error{d.Callback(1)} },
			wantErr: ErrCancelled,
			haveErr: []error{ErrAlreadyCalled},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Deferred[int] // the zero value is ready to use
			checkPending(t, &d)
			if d.Fired() {
				t.Fatal("Fired before firing")
			}
			have := tt.fire(&d)
			for i := range tt.haveErr {
				if !errors.Is(have[i], tt.haveErr[i]) || (tt.haveErr[i] == nil && have[i] != nil) {
					t.Errorf("fire %d returned %v, want %v", i, have[i], tt.haveErr[i])
				}
			}
			if !d.Fired() {
				t.Fatal("not Fired after firing")
			}
			checkResult(t, &d, tt.want, tt.wantErr)
		})
	}
}

func TestSucceedFailMaybe(t *testing.T) {
	checkResult(t, Succeed(5), 5, nil)
	checkResult(t, Fail[int](errTest), 0, errTest)
	checkResult(t, Fail[int](nil), 0, errNilErrback)
	checkResult(t, Maybe(func() (int, error) { return 6, nil }), 6, nil)
	checkResult(t, Maybe(func() (int, error) { return 6, errTest }), 0, errTest)

	d := Maybe(func() (int, error) { panic("boom") })
	_, err, _ := d.Result()
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" || len(pe.Stack) == 0 {
		t.Fatalf("Maybe panic: have %v, want *PanicError with value boom and a stack", err)
	}
}

func TestDone(t *testing.T) {
	d := New[int](nil)
	done := d.Done()
	select {
	case <-done:
		t.Fatal("Done closed while pending")
	default:
	}
	if d.Done() != done {
		t.Fatal("Done returned a different channel")
	}
	d.Callback(1)
	<-done
	<-Succeed(1).Done()
}

func TestWait(t *testing.T) {
	t.Run("fired", func(t *testing.T) {
		v, err := Succeed(1).Wait(context.Background())
		if v != 1 || err != nil {
			t.Fatalf("have (%v, %v), want (1, nil)", v, err)
		}
	})
	for _, ctx := range []struct {
		name string
		ctx  context.Context
	}{
		{"background", context.Background()},
		{"cancellable", t.Context()},
	} {
		t.Run("fired later/"+ctx.name, func(t *testing.T) {
			d := New[int](nil)
			go func() {
				time.Sleep(time.Millisecond)
				d.Callback(7)
			}()
			var wg sync.WaitGroup
			for range 4 {
				spawn(&wg, func() {
					v, err := d.Wait(ctx.ctx)
					if v != 7 || err != nil {
						t.Errorf("have (%v, %v), want (7, nil)", v, err)
					}
				})
			}
			wg.Wait()
		})
	}
	t.Run("ctx ends first", func(t *testing.T) {
		cancelled := false
		d := New(func(*Deferred[int]) { cancelled = true })
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		v, err := d.Wait(ctx)
		if v != 0 || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("have (%v, %v), want (0, DeadlineExceeded)", v, err)
		}
		checkPending(t, d)
		if cancelled {
			t.Fatal("Wait cancelled the Deferred")
		}
		d.Callback(2)
		checkResult(t, d, 2, nil)
	})
}

func TestCancel(t *testing.T) {
	tests := []struct {
		name      string
		canceller func(*Deferred[int])
		want      int
		wantErr   error
		wantPanic bool
	}{
		{name: "no canceller", wantErr: ErrCancelled},
		{name: "canceller leaves it pending", canceller: func(*Deferred[int]) {}, wantErr: ErrCancelled},
		{name: "canceller fires value", canceller: func(d *Deferred[int]) { d.Callback(9) }, want: 9},
		{name: "canceller fires error", canceller: func(d *Deferred[int]) { d.Errback(errTest) }, wantErr: errTest},
		{name: "canceller panics", canceller: func(*Deferred[int]) { panic("boom") }, wantPanic: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls int
			var d Deferred[int]
			if tt.canceller != nil {
				d.SetCanceller(func(d *Deferred[int]) { calls++; tt.canceller(d) })
			}
			d.Cancel()
			d.Cancel() // a no-op now
			if tt.canceller != nil && calls != 1 {
				t.Fatalf("canceller ran %d times, want 1", calls)
			}
			if tt.wantPanic {
				_, err, _ := d.Result()
				var pe *PanicError
				if !errors.As(err, &pe) || pe.Value != "boom" {
					t.Fatalf("have %v, want *PanicError", err)
				}
				return
			}
			checkResult(t, &d, tt.want, tt.wantErr)
			if err := d.Callback(1); !errors.Is(err, ErrAlreadyCalled) {
				t.Fatalf("late Callback returned %v, want ErrAlreadyCalled", err)
			}
			checkResult(t, &d, tt.want, tt.wantErr)
		})
	}
}

func TestCancelFired(t *testing.T) {
	calls := 0
	d := New(func(*Deferred[int]) { calls++ })
	d.Callback(1)
	d.Cancel()
	checkResult(t, d, 1, nil)
	if calls != 0 {
		t.Fatal("canceller ran on a fired Deferred")
	}
}

func TestCancelForwarding(t *testing.T) {
	t.Run("to parent", func(t *testing.T) {
		cancelled := 0
		parent := New(func(*Deferred[string]) { cancelled++ })
		steps := 0
		d := parent.Then(func(s string) (string, error) { steps++; return s, nil })
		d2 := Then(d, func(s string) (int, error) { steps++; return len(s), nil })
		d2.Cancel()
		if cancelled != 1 {
			t.Fatalf("parent canceller ran %d times, want 1", cancelled)
		}
		checkResult(t, parent, "", ErrCancelled)
		checkResult(t, d2, 0, ErrCancelled)
		if steps != 0 {
			t.Fatal("Then steps ran on a cancelled chain")
		}
		if err := parent.Callback("late"); !errors.Is(err, ErrAlreadyCalled) {
			t.Fatalf("late reply: have %v, want ErrAlreadyCalled", err)
		}
	})
	t.Run("to spliced inner", func(t *testing.T) {
		innerCancelled := 0
		inner := New(func(*Deferred[int]) { innerCancelled++ })
		parentCancelled := 0
		parent := New(func(*Deferred[int]) { parentCancelled++ })
		d := Chain(parent, func(int) *Deferred[int] { return inner })
		parent.Callback(1)
		checkPending(t, d)
		d.Cancel()
		if innerCancelled != 1 || parentCancelled != 0 {
			t.Fatalf("cancellers ran inner %d, parent %d times; want 1, 0", innerCancelled, parentCancelled)
		}
		checkResult(t, inner, 0, ErrCancelled)
		checkResult(t, d, 0, ErrCancelled)
	})
	t.Run("catch after cancel recovers", func(t *testing.T) {
		parent := New[int](nil)
		d := parent.Catch(func(err error) (int, error) {
			if errors.Is(err, ErrCancelled) {
				return -1, nil
			}
			return 0, err
		})
		d.Cancel()
		checkResult(t, d, -1, nil)
	})
	t.Run("parent canceller leaves it pending", func(t *testing.T) {
		parent := New(func(*Deferred[int]) {})
		d := parent.Then(func(v int) (int, error) { return v, nil })
		d.Cancel()
		checkResult(t, parent, 0, ErrCancelled)
		checkResult(t, d, 0, ErrCancelled)
	})
	t.Run("derived after parent fired", func(t *testing.T) {
		parent := New[int](nil)
		inner := New[int](nil)
		d := Chain(parent, func(int) *Deferred[int] { return inner })
		other := parent.Then(func(v int) (int, error) { return v, nil })
		parent.Callback(1)
		d.Cancel()
		checkResult(t, parent, 1, nil) // fired: left alone
		checkResult(t, other, 1, nil)
		checkResult(t, inner, 0, ErrCancelled)
	})
}

// TestConcurrent adds steps, waits and reads from many goroutines while
// another fires; run it with -race.
func TestConcurrent(t *testing.T) {
	for range 20 {
		d := New[int](nil)
		var seen atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 16 {
			spawn(&wg, func() {
				<-start
				switch i % 6 {
				case 0:
					d.Observe(func(v int, err error) { seen.Add(int64(v)) })
				case 1:
					Then(d, func(v int) (int, error) { return v, nil }).Observe(func(v int, err error) { seen.Add(int64(v)) })
				case 2:
					v, _ := d.Wait(context.Background())
					seen.Add(int64(v))
				case 3:
					v, _ := d.Wait(t.Context())
					seen.Add(int64(v))
				case 4:
					<-d.Done()
					v, _, _ := d.Result()
					seen.Add(int64(v))
				case 5:
					Chain(d, func(v int) *Deferred[int] { return Succeed(v) }).Observe(func(v int, err error) { seen.Add(int64(v)) })
				}
			})
		}
		spawn(&wg, func() {
			<-start
			d.Callback(1)
		})
		spawn(&wg, func() {
			<-start
			d.Fired()
			d.Result()
		})
		close(start)
		wg.Wait()
		if have := seen.Load(); have != 16 {
			t.Fatalf("%d of 16 listeners saw the value", have)
		}
	}
}

// TestConcurrentCancel races Cancel against the producer's fire: exactly
// one wins, and every listener agrees on the result.
func TestConcurrentCancel(t *testing.T) {
	for range 50 {
		d := New[int](nil)
		derived := d.Then(func(v int) (int, error) { return v + 1, nil })
		var wg sync.WaitGroup
		var fireErr error
		spawn(&wg, func() { fireErr = d.Callback(1) })
		spawn(&wg, func() { derived.Cancel() })
		wg.Wait()
		v, err, _ := d.Result()
		switch {
		case fireErr == nil && err == nil && v == 1:
			dv, derr, _ := derived.Result()
			if !(derr == nil && dv == 2) && !errors.Is(derr, ErrCancelled) {
				t.Fatalf("derived: have (%v, %v)", dv, derr)
			}
		case errors.Is(fireErr, ErrAlreadyCalled) && errors.Is(err, ErrCancelled):
			checkResult(t, derived, 0, ErrCancelled)
		default:
			t.Fatalf("fire returned %v; Deferred has (%v, %v)", fireErr, v, err)
		}
	}
}

// spawn runs f in a goroutine counted in wg.
func spawn(wg *sync.WaitGroup, f func()) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		f()
	}()
}
