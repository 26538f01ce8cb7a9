package deferred

import (
	"errors"
	"testing"
)

// Ported from Twisted's OtherPrimitivesTests: testLock,
// test_cancelLockAfterAcquired, test_cancelLockBeforeAcquired,
// testSemaphore, test_semaphoreInvalidTokens,
// test_cancelSemaphoreAfterAcquired, test_cancelSemaphoreBeforeAcquired.

func TestLock(t *testing.T) {
	var lock Lock
	counter := 0
	incr := func(struct{}, error) { counter++ }

	lock.Acquire().Observe(incr)
	if !lock.Locked() || counter != 1 {
		t.Fatalf("first Acquire: locked %v, counter %d", lock.Locked(), counter)
	}
	lock.Acquire().Observe(incr)
	if !lock.Locked() || counter != 1 {
		t.Fatalf("second Acquire ran before Release: counter %d", counter)
	}
	lock.Release()
	if !lock.Locked() || counter != 2 {
		t.Fatalf("Release did not hand the lock over: locked %v, counter %d", lock.Locked(), counter)
	}
	lock.Release()
	if lock.Locked() || counter != 2 {
		t.Fatal("the last Release left it locked")
	}

	// Run holds the lock until the Deferred of its function fires.
	control := New[string](nil)
	var ran string
	result := Run(&lock, func() *Deferred[string] { ran = "first"; return control })
	if !lock.Locked() || ran != "first" {
		t.Fatal("Run did not take the lock and call its function")
	}
	var got string
	result.Observe(func(v string, err error) { got = v })
	lock.Acquire().Observe(incr)
	if counter != 2 {
		t.Fatal("Acquire ran while Run held the lock")
	}
	control.Callback("second")
	if got != "second" || !lock.Locked() || counter != 3 {
		t.Fatalf("after Run's Deferred fired: got %q, locked %v, counter %d", got, lock.Locked(), counter)
	}

	// Cancelling a waiting Acquire fails it and gives up its place.
	d := lock.Acquire()
	d.Cancel()
	checkResult(t, d, struct{}{}, ErrCancelled)
	lock.Release()
	if lock.Locked() {
		t.Fatal("the lock passed to a cancelled Acquire")
	}
}

func TestLockCancelAfterAcquired(t *testing.T) {
	var lock Lock
	d := lock.Acquire()
	d.Cancel()
	checkResult(t, d, struct{}{}, nil)
	if !lock.Locked() {
		t.Fatal("cancelling an acquired lock released it")
	}
}

func TestLockCancelBeforeAcquired(t *testing.T) {
	var lock Lock
	lock.Acquire()
	d := lock.Acquire()
	d.Cancel()
	checkResult(t, d, struct{}{}, ErrCancelled)
}

func TestLockMisuse(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Release of an unlocked Lock did not panic")
		}
	}()
	var lock Lock
	lock.Release()
}

func TestRunReleases(t *testing.T) {
	var lock Lock
	checkResult(t, Run(&lock, func() *Deferred[int] { return Fail[int](errTest) }), 0, errTest)
	if lock.Locked() {
		t.Fatal("a failed Run kept the lock")
	}
	_, err, _ := Run(&lock, func() *Deferred[int] { panic("boom") }).Result()
	var pe *PanicError
	if !errors.As(err, &pe) || lock.Locked() {
		t.Fatalf("a panicking Run: have %v, locked %v", err, lock.Locked())
	}
	checkResult(t, Run(&lock, func() *Deferred[int] { return nil }), 0, errNilDeferred)
	if lock.Locked() {
		t.Fatal("a Run returning nil kept the lock")
	}
	// Cancelling Run while its function's Deferred is pending cancels
	// that Deferred, and the lock is released.
	inner := New[int](nil)
	r := Run(&lock, func() *Deferred[int] { return inner })
	r.Cancel()
	checkResult(t, inner, 0, ErrCancelled)
	checkResult(t, r, 0, ErrCancelled)
	if lock.Locked() {
		t.Fatal("a cancelled Run kept the lock")
	}
}

func TestSemaphore(t *testing.T) {
	const n = 13
	sem := NewSemaphore(n)
	counter := 0
	incr := func(struct{}, error) { counter++ }

	control := New[int](nil)
	var results []int
	var arg int
	r := Run(sem, func() *Deferred[int] { arg = 7; return control })
	r.Observe(func(v int, err error) { results = append(results, v); counter++ })
	if len(results) != 0 || arg != 7 {
		t.Fatal("Run's function did not run, or its result came early")
	}
	control.Callback(0)
	if len(results) != 1 || counter != 1 || sem.Tokens() != n {
		t.Fatalf("after Run: results %v, counter %d, tokens %d", results, counter, sem.Tokens())
	}

	counter = 0
	for i := 1; i <= n; i++ {
		sem.Acquire().Observe(incr)
		if counter != i {
			t.Fatalf("Acquire %d of %d did not fire at once", i, n)
		}
	}
	d := sem.Acquire()
	d.Cancel()
	checkResult(t, d, struct{}{}, ErrCancelled)

	sem.Acquire().Observe(incr)
	if counter != n {
		t.Fatal("an Acquire beyond the limit fired")
	}
	sem.Release()
	if counter != n+1 {
		t.Fatal("Release did not hand the token to the waiting Acquire")
	}
	for range n {
		sem.Release()
		if counter != n+1 {
			t.Fatal("a Release fired something")
		}
	}
	if sem.Tokens() != n || sem.Limit() != n {
		t.Fatalf("tokens %d, limit %d; want %d", sem.Tokens(), sem.Limit(), n)
	}
}

func TestSemaphoreMisuse(t *testing.T) {
	for _, n := range []int{0, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Fatalf("NewSemaphore(%d) did not panic", n)
				}
			}()
			NewSemaphore(n)
		}()
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a Release beyond the limit did not panic")
		}
	}()
	NewSemaphore(1).Release()
}

func TestSemaphoreCancel(t *testing.T) {
	sem := NewSemaphore(1)
	d := sem.Acquire()
	d.Cancel()
	checkResult(t, d, struct{}{}, nil) // held: the cancel has no effect
	w := sem.Acquire()
	w.Cancel()
	checkResult(t, w, struct{}{}, ErrCancelled)
	sem.Release()
	if sem.Tokens() != 1 {
		t.Fatal("the token went to a cancelled Acquire")
	}
}

// Ported from testQueue, test_cancelQueueAfterSynchronousGet,
// test_cancelQueueAfterGet.
func TestQueue(t *testing.T) {
	const n, m = 2, 2
	q := NewQueue[int](n, m)
	var gotten []int
	for range m {
		q.Get().Observe(func(v int, err error) { gotten = append(gotten, v) })
	}
	checkResult(t, q.Get(), 0, ErrQueueUnderflow)
	for i := range m {
		if err := q.Put(i); err != nil {
			t.Fatal(err)
		}
		if !equalInts(gotten, ints(0, i+1)) {
			t.Fatalf("gotten %v after Put(%d)", gotten, i)
		}
	}
	for i := range n {
		if err := q.Put(n + i); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Put(99); !errors.Is(err, ErrQueueOverflow) {
		t.Fatalf("Put on a full queue: %v, want ErrQueueOverflow", err)
	}
	gotten = nil
	for i := range n {
		q.Get().Observe(func(v int, err error) { gotten = append(gotten, v) })
		if !equalInts(gotten, ints(n, n+i+1)) {
			t.Fatalf("gotten %v", gotten)
		}
	}

	var unlimited Queue[int] // the zero value has no limits
	gotten = nil
	for range n {
		unlimited.Get().Observe(func(v int, err error) { gotten = append(gotten, v) })
	}
	for i := range n {
		unlimited.Put(i)
	}
	if !equalInts(gotten, ints(0, n)) {
		t.Fatalf("gotten %v", gotten)
	}
	if err := NewQueue[int](0, -1).Put(1); !errors.Is(err, ErrQueueOverflow) {
		t.Fatalf("size 0: %v, want ErrQueueOverflow", err)
	}
	checkResult(t, NewQueue[int](-1, 0).Get(), 0, ErrQueueUnderflow)
}

func TestQueueCancel(t *testing.T) {
	t.Run("after synchronous get", func(t *testing.T) {
		var q Queue[int]
		d := q.Get()
		q.Put(1)
		d.Cancel()
		checkResult(t, d, 1, nil)
	})
	t.Run("after get", func(t *testing.T) {
		var q Queue[int]
		d := q.Get()
		d.Cancel()
		checkResult(t, d, 0, ErrCancelled)
		// The cancelled Get is no longer waiting: the item stays queued.
		if err := q.Put(5); err != nil || q.Len() != 1 {
			t.Fatalf("Put after a cancelled Get: %v, %d queued", err, q.Len())
		}
		checkResult(t, q.Get(), 5, nil)
	})
}

func ints(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}
