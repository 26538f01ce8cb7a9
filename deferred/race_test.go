package deferred

import (
	"errors"
	"fmt"
	"testing"
)

// raceInputs returns n pending Deferreds whose cancellers count into
// cancelled (Twisted's _setupRaceState).
func raceInputs(n int) (cancelled []int, ds []*Deferred[int]) {
	cancelled = make([]int, n)
	ds = make([]*Deferred[int], n)
	for i := range ds {
		ds[i] = New(func(*Deferred[int]) { cancelled[i]++ })
	}
	return cancelled, ds
}

// Ported from Twisted's RaceTests.
func TestRace(t *testing.T) {
	for before := range 3 {
		for after := range 3 {
			t.Run(fmt.Sprintf("success %d before %d after", before, after), func(t *testing.T) {
				cancelled, ds := raceInputs(before + 1 + after)
				r := Race(ds...)
				ds[before].Callback(42)
				checkResult(t, r, Indexed[int]{Index: before, Value: 42}, nil)
				for i, n := range cancelled {
					if want := b2i(i != before); n != want {
						t.Fatalf("Deferred %d cancelled %d times, want %d", i, n, want)
					}
				}
			})
			t.Run(fmt.Sprintf("failure %d before %d after", before, after), func(t *testing.T) {
				cancelled, ds := raceInputs(before + 1 + after)
				r := Race(ds...)
				for i, d := range ds {
					checkPending(t, r) // fails only when all have failed
					d.Errback(fmt.Errorf("failure %d", i))
				}
				_, err, _ := r.Result()
				var fg *FailureGroup
				if !errors.As(err, &fg) || len(fg.Errs) != len(ds) {
					t.Fatalf("have %v, want a *FailureGroup of %d", err, len(ds))
				}
				for i, e := range fg.Errs {
					if e.Error() != fmt.Sprintf("failure %d", i) {
						t.Fatalf("Errs[%d] = %v, want the error of Deferred %d", i, e, i)
					}
				}
				for i, n := range cancelled {
					if n != 0 {
						t.Fatalf("Deferred %d cancelled", i)
					}
				}
			})
		}
	}
	t.Run("result after cancel goes nowhere", func(t *testing.T) {
		reports := captureReports(t)
		ds := []*Deferred[int]{New[int](nil), New[int](nil), New[int](nil)}
		r := Race(ds...)
		ds[1].Callback(1)
		if err := ds[2].Callback(2); !errors.Is(err, ErrAlreadyCalled) {
			t.Fatalf("a loser fired after the winner: %v, want ErrAlreadyCalled (cancelled)", err)
		}
		checkResult(t, r, Indexed[int]{Index: 1, Value: 1}, nil)
		if rs := reports(); len(rs) != 0 {
			t.Fatalf("reported %v", rs)
		}
	})
	t.Run("result from cancel", func(t *testing.T) {
		winner := New[int](nil)
		loser := New(func(d *Deferred[int]) { d.Callback(-1) })
		r := Race(winner, loser)
		winner.Callback(5)
		checkResult(t, r, Indexed[int]{Index: 0, Value: 5}, nil)
		checkResult(t, loser, -1, nil)
	})
	t.Run("cancel", func(t *testing.T) {
		for n := 1; n <= 3; n++ {
			cancelled, ds := raceInputs(n)
			r := Race(ds...)
			r.Cancel()
			for i, c := range cancelled {
				if c != 1 {
					t.Fatalf("Deferred %d cancelled %d times", i, c)
				}
			}
			_, err, _ := r.Result()
			var fg *FailureGroup
			if !errors.As(err, &fg) || !errors.Is(err, ErrCancelled) {
				t.Fatalf("have %v, want a *FailureGroup matching ErrCancelled", err)
			}
		}
	})
	t.Run("already fired", func(t *testing.T) {
		_, ds := raceInputs(2)
		r := Race(ds[0], Succeed(3), ds[1])
		checkResult(t, r, Indexed[int]{Index: 1, Value: 3}, nil)
		checkResult(t, ds[0], 0, ErrCancelled)
		checkResult(t, ds[1], 0, ErrCancelled)
	})
	t.Run("empty", func(t *testing.T) {
		checkResult(t, Race[int](), Indexed[int]{}, errNoDeferreds)
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
