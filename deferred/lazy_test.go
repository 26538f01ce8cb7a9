package deferred

import (
	"context"
	"testing"
	"time"
)

// lazyProbe counts what a lazy Deferred was told; drive fires it.
type lazyProbe struct {
	d             *Deferred[int]
	drives, kicks int
	fireOnDrive   bool
}

func (p *lazyProbe) lazy() *Lazy { return &Lazy{Drive: p.Drive, Kick: p.Kick} }

func (p *lazyProbe) Drive(d any) {
	if d != any(p.d) {
		panic("Drive was not given its Deferred")
	}
	p.drives++
	if p.fireOnDrive {
		_ = p.d.Callback(7)
	}
}

func (p *lazyProbe) Kick() {
	p.kicks++
	_ = p.d.Callback(8)
}

func TestLazyDriveOnWait(t *testing.T) {
	d := new(Deferred[int])
	p := &lazyProbe{d: d, fireOnDrive: true}
	d.SetLazy(p.lazy())
	v, err := d.Wait(context.Background())
	if v != 7 || err != nil || p.drives != 1 || p.kicks != 0 {
		t.Fatalf("Wait: %d, %v; drives %d, kicks %d", v, err, p.drives, p.kicks)
	}
}

func TestLazyDriveThatLeavesItPendingStillBlocks(t *testing.T) {
	d := new(Deferred[int])
	p := &lazyProbe{d: d}
	d.SetLazy(p.lazy())
	go func() {
		time.Sleep(10 * time.Millisecond)
		_ = d.Callback(3)
	}()
	if v, err := d.Wait(context.Background()); v != 3 || err != nil || p.drives != 1 {
		t.Fatalf("Wait: %d, %v; drives %d", v, err, p.drives)
	}
}

func TestLazyKickedByEveryOtherObserver(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	observers := map[string]func(d *Deferred[int]){
		"Observe": func(d *Deferred[int]) { d.Observe(func(int, error) {}) },
		"Then":    func(d *Deferred[int]) { d.Then(func(v int) (int, error) { return v, nil }) },
		"Done":    func(d *Deferred[int]) { <-d.Done() },
		"Fired":   func(d *Deferred[int]) { d.Fired() },
		"Result":  func(d *Deferred[int]) { d.Result() },
		"Wait(ctx)": func(d *Deferred[int]) {
			if v, err := d.Wait(ctx); v != 8 || err != nil {
				t.Errorf("Wait(ctx): %d, %v", v, err)
			}
		},
	}
	for name, observe := range observers {
		d := new(Deferred[int])
		p := &lazyProbe{d: d}
		d.SetLazy(p.lazy())
		observe(d)
		observe(d) // told once only
		if p.kicks != 1 || p.drives != 0 {
			t.Errorf("%s: drives %d, kicks %d; want one kick", name, p.drives, p.kicks)
		}
	}
}

func TestLazyNotToldOnceFired(t *testing.T) {
	d := new(Deferred[int])
	p := &lazyProbe{d: d}
	d.SetLazy(p.lazy())
	_ = d.Callback(1)
	d.Observe(func(int, error) {})
	_, _ = d.Wait(context.Background())
	d2 := Succeed(2)
	d2.SetLazy(p.lazy())
	d2.Result()
	if p.kicks != 0 || p.drives != 0 {
		t.Fatalf("drives %d, kicks %d after firing", p.drives, p.kicks)
	}
}

// A Deferred already observed when it is marked lazy (its handle sends
// it later) is kicked at once, since nobody will observe it again.
func TestLazySetOnAnObservedDeferredKicks(t *testing.T) {
	observers := map[string]func(d *Deferred[int]){
		"Observe": func(d *Deferred[int]) { d.Observe(func(int, error) {}) },
		"Done":    func(d *Deferred[int]) { d.Done() },
		"Wait": func(d *Deferred[int]) {
			go func() { _, _ = d.Wait(context.Background()) }()
			for {
				d.mu.Lock()
				w := d.waiting
				d.mu.Unlock()
				if w {
					return
				}
				time.Sleep(time.Millisecond)
			}
		},
	}
	for name, observe := range observers {
		d := new(Deferred[int])
		p := &lazyProbe{d: d}
		observe(d)
		d.SetLazy(p.lazy())
		if p.kicks != 1 || p.drives != 0 {
			t.Errorf("%s: drives %d, kicks %d; want one kick", name, p.drives, p.kicks)
		}
		if v, err := d.Wait(context.Background()); v != 8 || err != nil {
			t.Errorf("%s: Wait: %d, %v", name, v, err)
		}
	}
}
