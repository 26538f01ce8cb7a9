package deferred

import (
	"errors"
	"runtime/debug"
	"strconv"
	"testing"
)

func double(v int) (int, error) { return 2 * v, nil }
func fail(int) (int, error)     { return 0, errTest }

func TestSteps(t *testing.T) {
	errOther := errors.New("other error")
	tests := []struct {
		name    string
		err     error // the first Deferred fails with err if set, else fires with 3
		chain   func(d *Deferred[int], log *[]string) *Deferred[int]
		want    int
		wantErr error
		wantLog string
	}{
		{
			name:  "then",
			chain: func(d *Deferred[int], _ *[]string) *Deferred[int] { return d.Then(double).Then(double) },
			want:  12,
		},
		{
			name:    "then skipped on error",
			err:     errTest,
			chain:   func(d *Deferred[int], _ *[]string) *Deferred[int] { return d.Then(double) },
			wantErr: errTest,
		},
		{
			name:    "then error switches to errbacks",
			chain:   func(d *Deferred[int], _ *[]string) *Deferred[int] { return d.Then(fail).Then(double) },
			wantErr: errTest,
		},
		{
			name: "catch skipped on success",
			chain: func(d *Deferred[int], log *[]string) *Deferred[int] {
				return d.Catch(func(error) (int, error) { *log = append(*log, "catch"); return 0, nil })
			},
			want: 3,
		},
		{
			name: "catch recovers",
			err:  errTest,
			chain: func(d *Deferred[int], _ *[]string) *Deferred[int] {
				return d.Catch(func(error) (int, error) { return 5, nil }).Then(double)
			},
			want: 10,
		},
		{
			name: "catch replaces the error",
			err:  errTest,
			chain: func(d *Deferred[int], _ *[]string) *Deferred[int] {
				return d.Catch(func(err error) (int, error) { return 0, errOther })
			},
			wantErr: errOther,
		},
		{
			name: "both on success",
			chain: func(d *Deferred[int], _ *[]string) *Deferred[int] {
				return d.Both(func(v int, err error) (int, error) { return v + 1, err })
			},
			want: 4,
		},
		{
			name: "both on error recovers",
			err:  errTest,
			chain: func(d *Deferred[int], _ *[]string) *Deferred[int] {
				return d.Both(func(v int, err error) (int, error) { return 1, nil })
			},
			want: 1,
		},
		{
			name: "finally passes value",
			chain: func(d *Deferred[int], log *[]string) *Deferred[int] {
				return d.Finally(func() { *log = append(*log, "finally") })
			},
			want:    3,
			wantLog: "finally",
		},
		{
			name: "finally passes error",
			err:  errTest,
			chain: func(d *Deferred[int], log *[]string) *Deferred[int] {
				return d.Finally(func() { *log = append(*log, "finally") })
			},
			wantErr: errTest,
			wantLog: "finally",
		},
		{
			name: "observe sees result",
			err:  errTest,
			chain: func(d *Deferred[int], log *[]string) *Deferred[int] {
				d.Observe(func(v int, err error) { *log = append(*log, err.Error()) })
				return d
			},
			wantErr: errTest,
			wantLog: "test error",
		},
		{
			name: "steps run in order",
			chain: func(d *Deferred[int], log *[]string) *Deferred[int] {
				step := func(s string) func(int, error) { return func(int, error) { *log = append(*log, s) } }
				d.Observe(step("a"))
				d.Observe(step("b"))
				d.Observe(step("c"))
				return d
			},
			want:    3,
			wantLog: "a b c",
		},
		{
			name: "error passes through many steps to catch",
			err:  errTest,
			chain: func(d *Deferred[int], log *[]string) *Deferred[int] {
				return d.Then(double).Then(double).Finally(func() { *log = append(*log, "f") }).
					Catch(func(err error) (int, error) { *log = append(*log, err.Error()); return 0, nil })
			},
			wantLog: "f test error",
		},
	}
	for _, tt := range tests {
		for _, early := range []bool{false, true} {
			name := tt.name + "/steps added before firing"
			if early {
				name = tt.name + "/steps added after firing"
			}
			t.Run(name, func(t *testing.T) {
				var log []string
				d := New[int](nil)
				fire := func() {
					if tt.err != nil {
						d.Errback(tt.err)
					} else {
						d.Callback(3)
					}
				}
				if early {
					fire()
				}
				have := tt.chain(d, &log)
				if !early {
					checkPending(t, have)
					fire()
				}
				checkResult(t, have, tt.want, tt.wantErr)
				if got := joinLog(log); got != tt.wantLog {
					t.Errorf("steps ran %q, want %q", got, tt.wantLog)
				}
			})
		}
	}
}

func joinLog(log []string) string {
	s := ""
	for i, l := range log {
		if i > 0 {
			s += " "
		}
		s += l
	}
	return s
}

func TestBranching(t *testing.T) {
	d := New[int](nil)
	a := d.Then(double)
	b := d.Then(fail)
	c := d.Then(func(v int) (int, error) { return v + 1, nil })
	d.Callback(5)
	checkResult(t, d, 5, nil)
	checkResult(t, a, 10, nil)
	checkResult(t, b, 0, errTest)
	checkResult(t, c, 6, nil)
}

func TestStepOnFiredRunsSynchronously(t *testing.T) {
	d := Succeed(2)
	ran := false
	d.Observe(func(int, error) { ran = true })
	if !ran {
		t.Fatal("Observe on a fired Deferred did not run before returning")
	}
	checkResult(t, d.Then(double), 4, nil)
}

func TestTypeChanging(t *testing.T) {
	d := New[int](nil)
	s := Then(d, func(v int) (string, error) { return strconv.Itoa(v), nil })
	n := Chain(s, func(s string) *Deferred[int] { return Succeed(len(s)) })
	e := Then(n, func(v int) (string, error) { return "", errTest })
	r := ChainBoth(e, func(s string, err error) *Deferred[bool] { return Succeed(errors.Is(err, errTest)) })
	d.Callback(123)
	checkResult(t, s, "123", nil)
	checkResult(t, n, 3, nil)
	checkResult(t, e, "", errTest)
	checkResult(t, r, true, nil)
}

func TestChainPauses(t *testing.T) {
	d := New[int](nil)
	inner := New[string](nil)
	var log []string
	c := Chain(d, func(v int) *Deferred[string] { log = append(log, "step"); return inner })
	after := c.Then(func(s string) (string, error) { log = append(log, "after "+s); return s + "!", nil })
	d.Callback(1)
	checkPending(t, after)
	if got := joinLog(log); got != "step" {
		t.Fatalf("ran %q before the inner Deferred fired, want %q", got, "step")
	}
	inner.Callback("x")
	checkResult(t, after, "x!", nil)
	if got := joinLog(log); got != "step after x" {
		t.Fatalf("ran %q, want %q", got, "step after x")
	}

	failing := New[string](nil)
	c2 := Chain(Succeed(1), func(int) *Deferred[string] { return failing })
	failing.Errback(errTest)
	checkResult(t, c2, "", errTest)
	checkResult(t, Chain(Fail[int](errTest), func(int) *Deferred[string] { panic("not called") }), "", errTest)
}

func TestChainBadDeferred(t *testing.T) {
	checkResult(t, Chain(Succeed(1), func(int) *Deferred[int] { return nil }), 0, errNilDeferred)
	checkResult(t, ChainBoth(Succeed(1), func(int, error) *Deferred[int] { return nil }), 0, errNilDeferred)

	d := New[int](nil)
	var self *Deferred[int]
	self = Chain(d, func(int) *Deferred[int] { return self })
	d.Callback(1)
	checkResult(t, self, 0, errSelfSplice)
}

func TestPanicInStep(t *testing.T) {
	errInner := errors.New("inner")
	tests := []struct {
		name  string
		chain func(d *Deferred[int]) *Deferred[int]
		value any
	}{
		{"then", func(d *Deferred[int]) *Deferred[int] { return d.Then(func(int) (int, error) { panic("then") }) }, "then"},
		{"catch", func(d *Deferred[int]) *Deferred[int] {
			return d.Then(fail).Catch(func(error) (int, error) { panic("catch") })
		}, "catch"},
		{"both", func(d *Deferred[int]) *Deferred[int] {
			return d.Both(func(int, error) (int, error) { panic(errInner) })
		}, errInner},
		{"finally", func(d *Deferred[int]) *Deferred[int] { return d.Finally(func() { panic("finally") }) }, "finally"},
		{"chain", func(d *Deferred[int]) *Deferred[int] {
			return Chain(d, func(int) *Deferred[int] { panic("chain") })
		}, "chain"},
		{"chainboth", func(d *Deferred[int]) *Deferred[int] {
			return ChainBoth(d, func(int, error) *Deferred[int] { panic("chainboth") })
		}, "chainboth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reports := captureReports(t)
			d := New[int](nil)
			have := tt.chain(d).Catch(func(err error) (int, error) { return 0, err })
			observed := false
			d.Observe(func(int, error) { panic("observer") })
			d.Observe(func(int, error) { observed = true })
			if err := d.Callback(1); err != nil {
				t.Fatalf("Callback returned %v", err)
			}
			if !observed {
				t.Fatal("a panicking Observe stopped the next one")
			}
			// The Observe panic has no chain to go to: it is reported.
			if rs := reports(); len(rs) != 1 || !isPanic(rs[0], "observer") {
				t.Fatalf("reported %v, want the Observe panic", rs)
			}
			_, err, _ := have.Result()
			var pe *PanicError
			if !errors.As(err, &pe) || pe.Value != tt.value || len(pe.Stack) == 0 {
				t.Fatalf("have %v, want *PanicError with %v", err, tt.value)
			}
			if inner, ok := tt.value.(error); ok && !errors.Is(err, inner) {
				t.Fatalf("errors.Is(%v, %v) = false", err, inner)
			}
		})
	}
}

func TestNilStepPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Then(nil) did not panic")
		}
	}()
	Succeed(1).Then(nil)
}

// deep is longer than any chain a recursive implementation can fire under
// the stack limit the tests below set.
const deep = 100_000

// smallStack runs f with the maximum goroutine stack set to 4 MB: firing
// a 100,000-link chain with a frame or more per link would exceed it and
// crash the test binary.
func smallStack(t *testing.T, f func()) {
	t.Helper()
	old := debug.SetMaxStack(4 << 20)
	defer debug.SetMaxStack(old)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

func inc(v int) (int, error) { return v + 1, nil }

func TestLongChains(t *testing.T) {
	tests := []struct {
		name  string
		build func(root *Deferred[int]) *Deferred[int]
	}{
		{"then", func(root *Deferred[int]) *Deferred[int] {
			d := root
			for range deep {
				d = d.Then(inc)
			}
			return d
		}},
		{"chain to fired", func(root *Deferred[int]) *Deferred[int] {
			d := root
			for range deep {
				d = Chain(d, func(v int) *Deferred[int] { return Succeed(v + 1) })
			}
			return d
		}},
		{"nested splices", func(root *Deferred[int]) *Deferred[int] {
			// Each Deferred waits on the one before through a Chain step
			// that has already run: firing root resolves them all.
			d := root.Then(inc)
			for range deep - 1 {
				prev := d
				d = Chain(Succeed(0), func(int) *Deferred[int] { return prev }).Then(inc)
			}
			return d
		}},
		{"splice inside step", func(root *Deferred[int]) *Deferred[int] {
			// Steps that return Deferreds built from further steps.
			d := root
			for range deep {
				d = Chain(d, func(v int) *Deferred[int] { return Then(Succeed(v), inc) })
			}
			return d
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := New[int](nil)
			var end *Deferred[int]
			smallStack(t, func() {
				end = tt.build(root)
				root.Callback(0)
			})
			checkResult(t, end, deep, nil)
		})
	}
	t.Run("cancel", func(t *testing.T) {
		cancelled := false
		root := New(func(*Deferred[int]) { cancelled = true })
		d := root
		for i := range deep {
			if i%2 == 0 {
				d = d.Then(inc)
			} else {
				d = Chain(d, func(v int) *Deferred[int] { return Succeed(v) })
			}
		}
		smallStack(t, d.Cancel)
		if !cancelled {
			t.Fatal("cancelling the end of the chain did not reach the root")
		}
		checkResult(t, d, 0, ErrCancelled)
	})
}
