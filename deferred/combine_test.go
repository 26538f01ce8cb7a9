package deferred

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func pendingN(n int) []*Deferred[int] {
	ds := make([]*Deferred[int], n)
	for i := range ds {
		ds[i] = New[int](nil)
	}
	return ds
}

func TestAll(t *testing.T) {
	t.Run("all succeed", func(t *testing.T) {
		ds := pendingN(3)
		all := All(ds...)
		ds[2].Callback(30)
		ds[0].Callback(10)
		checkPending(t, all)
		ds[1].Callback(20)
		have, err, _ := all.Result()
		if want := []int{10, 20, 30}; err != nil || !reflect.DeepEqual(have, want) {
			t.Fatalf("have (%v, %v), want %v", have, err, want)
		}
	})
	t.Run("first error", func(t *testing.T) {
		ds := pendingN(3)
		all := All(ds...)
		ds[0].Callback(1)
		ds[2].Errback(errTest)
		errLater := errors.New("later")
		ds[1].Errback(errLater)
		_, err, _ := all.Result()
		var fe *FirstError
		if !errors.As(err, &fe) || fe.Index != 2 || !errors.Is(err, errTest) {
			t.Fatalf("have %v, want *FirstError{Index: 2, Err: errTest}", err)
		}
		checkResult(t, ds[1], 0, errLater) // the others are not cancelled
	})
	t.Run("empty", func(t *testing.T) {
		have, err, ok := All[int]().Result()
		if !ok || err != nil || have == nil || len(have) != 0 {
			t.Fatalf("have (%v, %v, %v), want empty slice", have, err, ok)
		}
	})
	t.Run("cancel cancels inputs", func(t *testing.T) {
		ds := pendingN(2)
		all := All(ds...)
		all.Cancel()
		checkResult(t, ds[0], 0, ErrCancelled)
		checkResult(t, ds[1], 0, ErrCancelled)
		var fe *FirstError
		if _, err, _ := all.Result(); !errors.As(err, &fe) || !errors.Is(err, ErrCancelled) {
			t.Fatalf("have %v, want *FirstError wrapping ErrCancelled", err)
		}
	})
}

func TestList(t *testing.T) {
	errLater := errors.New("later")
	tests := []struct {
		name    string
		opts    ListOptions
		fire    func(ds []*Deferred[int]) // fires some of three Deferreds
		want    []Outcome[int]
		wantErr *FirstError
	}{
		{
			name: "all outcomes",
			fire: func(ds []*Deferred[int]) { ds[1].Errback(errTest); ds[0].Callback(1); ds[2].Callback(3) },
			want: []Outcome[int]{{OK: true, Value: 1}, {Err: errTest}, {OK: true, Value: 3}},
		},
		{
			name: "fire on first result",
			opts: ListOptions{FireOnFirstResult: true},
			fire: func(ds []*Deferred[int]) { ds[0].Errback(errTest); ds[2].Callback(3); ds[1].Callback(2) },
			want: []Outcome[int]{{}, {}, {OK: true, Value: 3}},
		},
		{
			name: "fire on first result, all fail",
			opts: ListOptions{FireOnFirstResult: true},
			fire: func(ds []*Deferred[int]) { ds[0].Errback(errTest); ds[1].Errback(errTest); ds[2].Errback(errLater) },
			want: []Outcome[int]{{Err: errTest}, {Err: errTest}, {Err: errLater}},
		},
		{
			name:    "fire on first error",
			opts:    ListOptions{FireOnFirstError: true, ConsumeErrors: true},
			fire:    func(ds []*Deferred[int]) { ds[0].Callback(1); ds[2].Errback(errTest); ds[1].Errback(errLater) },
			wantErr: &FirstError{Index: 2, Err: errTest},
		},
		{
			name: "fire on first error, none fail",
			opts: ListOptions{FireOnFirstError: true},
			fire: func(ds []*Deferred[int]) { ds[0].Callback(1); ds[1].Callback(2); ds[2].Callback(3) },
			want: []Outcome[int]{{OK: true, Value: 1}, {OK: true, Value: 2}, {OK: true, Value: 3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := pendingN(3)
			l := List(ds, tt.opts)
			checkPending(t, l)
			tt.fire(ds)
			have, err, ok := l.Result()
			if !ok {
				t.Fatal("List pending")
			}
			if tt.wantErr != nil {
				var fe *FirstError
				if !errors.As(err, &fe) || fe.Index != tt.wantErr.Index || !errors.Is(err, tt.wantErr.Err) {
					t.Fatalf("have %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(have, tt.want) {
				t.Fatalf("have (%v, %v), want %v", have, err, tt.want)
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		have, err, ok := List[int](nil, ListOptions{FireOnFirstResult: true}).Result()
		if !ok || err != nil || have == nil || len(have) != 0 {
			t.Fatalf("have (%v, %v, %v), want empty slice", have, err, ok)
		}
	})
}

func TestFirst(t *testing.T) {
	t.Run("success", func(t *testing.T) {
		ds := pendingN(3)
		f := First(ds...)
		ds[1].Callback(2)
		ds[0].Errback(errTest)
		checkResult(t, f, 2, nil)
		checkResult(t, ds[0], 0, errTest) // fired by its producer, not cancelled
		checkPending(t, ds[2])
	})
	t.Run("error", func(t *testing.T) {
		ds := pendingN(2)
		f := First(ds...)
		ds[1].Errback(errTest)
		ds[0].Callback(1)
		checkResult(t, f, 0, errTest)
	})
	t.Run("already fired", func(t *testing.T) {
		checkResult(t, First(New[int](nil), Succeed(4)), 4, nil)
	})
	t.Run("empty", func(t *testing.T) {
		checkResult(t, First[int](), 0, errNoDeferreds)
	})
	t.Run("cancel", func(t *testing.T) {
		ds := pendingN(2)
		f := First(ds...)
		f.Cancel()
		checkResult(t, f, 0, ErrCancelled)
		checkResult(t, ds[0], 0, ErrCancelled)
		checkResult(t, ds[1], 0, ErrCancelled)
	})
}

func TestTimeout(t *testing.T) {
	t.Run("times out and cancels", func(t *testing.T) {
		cancelled := make(chan struct{})
		d := New(func(*Deferred[int]) { close(cancelled) })
		to := Timeout(d, time.Millisecond)
		<-to.Done()
		checkResult(t, to, 0, ErrTimeout)
		<-cancelled
		checkResult(t, d, 0, ErrCancelled)
		if err := d.Callback(1); !errors.Is(err, ErrAlreadyCalled) {
			t.Fatalf("late reply: have %v, want ErrAlreadyCalled", err)
		}
	})
	t.Run("fires first", func(t *testing.T) {
		d := New(func(*Deferred[int]) { t.Error("cancelled after firing") })
		to := Timeout(d, 20*time.Millisecond)
		d.Callback(3)
		checkResult(t, to, 3, nil)
		time.Sleep(40 * time.Millisecond) // the timer, if not stopped, would fire here
		checkResult(t, to, 3, nil)
	})
	t.Run("error first", func(t *testing.T) {
		d := New[int](nil)
		to := Timeout(d, time.Hour)
		d.Errback(errTest)
		checkResult(t, to, 0, errTest)
	})
	t.Run("already fired", func(t *testing.T) {
		checkResult(t, Timeout(Succeed(5), time.Hour), 5, nil)
	})
	t.Run("cancel", func(t *testing.T) {
		d := New[int](nil)
		to := Timeout(d, time.Hour)
		to.Cancel()
		checkResult(t, d, 0, ErrCancelled)
		checkResult(t, to, 0, ErrCancelled)
	})
}
