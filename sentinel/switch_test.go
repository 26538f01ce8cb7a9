package sentinel_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/sentinel"
)

// writers SET unique keys through c and record when each acknowledged
// one was sent.
type writers struct {
	c      *sentinel.Client
	stop   chan struct{}
	wg     sync.WaitGroup
	ok     atomic.Int64
	failed atomic.Int64

	mu    sync.Mutex // protects acked
	acked map[string]time.Time
}

func startWriters(c *sentinel.Client, n int) *writers {
	w := &writers{c: c, stop: make(chan struct{}), acked: map[string]time.Time{}}
	for g := 0; g < n; g++ {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for i := 0; ; i++ {
				select {
				case <-w.stop:
					return
				default:
				}
				k := "switch:" + strconv.Itoa(g) + ":" + strconv.Itoa(i)
				sent := time.Now()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, err := c.Set(k, k).Wait(ctx)
				cancel()
				if err != nil {
					w.failed.Add(1)
					time.Sleep(time.Millisecond)
					continue
				}
				w.ok.Add(1)
				w.mu.Lock()
				w.acked[k] = sent
				w.mu.Unlock()
			}
		}()
	}
	return w
}

func (w *writers) finish() { close(w.stop); w.wg.Wait() }

// lost reads every acknowledged key back from the master and returns how
// many are gone, and when the latest of them was sent.
func (w *writers) lost(t *testing.T, m *testcluster.Node) (int, time.Time) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	keys := make([]string, 0, len(w.acked))
	for k := range w.acked {
		keys = append(keys, k)
	}
	var last time.Time
	n := 0
	for len(keys) > 0 {
		batch := keys[:min(len(keys), 1000)]
		keys = keys[len(batch):]
		v, err := m.Do(append([]string{"MGET"}, batch...)...)
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range v.Elems {
			if e.Str != batch[i] {
				n++
				if at := w.acked[batch[i]]; at.After(last) {
					last = at
				}
			}
		}
	}
	return n, last
}

// TestSentinelFailoverWithItsLeaderListedFirst is issue 15, cases 1 and
// 2: SENTINEL FAILOVER under write load, asked of the sentinel listed
// first, which leads the failover and names the old master until it ends
// (with two replicas, until the second one is reconfigured). Writes must
// reach the new master within 2s of the first +switch-master; no write
// sent after the client switched may be lost (those the old master
// acknowledged between the promotion and the switch are, as with any
// client); and Replica() must reach a healthy replica within 2s of a
// sentinel listing one.
func TestSentinelFailoverWithItsLeaderListedFirst(t *testing.T) {
	s := ready(t)
	c := connect(t, s, sentinel.Options{})
	old, err := s.Master()
	if err != nil {
		t.Fatal(err)
	}
	watch, err := s.Watch("+switch-master")
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Stop()
	w := startWriters(c, 32)
	defer func() {
		select {
		case <-w.stop:
		default:
			w.finish()
		}
	}()
	for w.ok.Load() < 1000 {
		time.Sleep(time.Millisecond)
	}

	// Record when the promoted replica answers ROLE master, when the
	// client moves, and when a majority of sentinels list a healthy
	// replica after the switch.
	start := time.Now()
	if err := s.Failover(0); err != nil {
		t.Fatal(err)
	}
	var promoted, switched, listed, reached time.Time
	var newMaster *testcluster.Node
	deadline := start.Add(20 * time.Second)
	for time.Now().Before(deadline) && (switched.IsZero() || reached.IsZero() || listed.IsZero()) {
		now := time.Now()
		if promoted.IsZero() {
			for _, n := range s.Servers {
				if n == old {
					continue
				}
				if v, err := n.Do("ROLE"); err == nil && v.Elems[0].Str == "master" {
					promoted, newMaster = now, n
				}
			}
		}
		if newMaster != nil && switched.IsZero() && c.MasterAddr() == newMaster.Addr() {
			switched = time.Now() // the client moved before this
		}
		if _, ok := watch.First("+switch-master"); ok && listed.IsZero() {
			for i := range s.Sentinels {
				if h, err := s.HealthyReplicas(i); err == nil && len(h) > 0 {
					listed = now
				}
			}
		}
		if !switched.IsZero() && reached.IsZero() {
			if r := c.Replica(); r.Addr() != c.MasterAddr() {
				if _, err := r.Ping().Wait(t.Context()); err == nil {
					reached = now
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	okAtSwitch := w.ok.Load()
	for w.ok.Load() < okAtSwitch+1000 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	w.finish()
	sw, ok := watch.First("+switch-master")
	if !ok || newMaster == nil {
		t.Fatalf("no +switch-master within 20s (promoted %v)", newMaster)
	}
	lost, lastLost := w.lost(t, newMaster)
	ms := func(a, b time.Time) string {
		if a.IsZero() || b.IsZero() {
			return "never"
		}
		return fmt.Sprint(a.Sub(b).Round(time.Millisecond))
	}
	t.Logf("promotion %s after SENTINEL FAILOVER; first +switch-master (sentinel %d) %s after; client on the new master %s after the promotion, %s after +switch-master",
		ms(promoted, start), sw.Sentinel, ms(sw.At, start), ms(switched, promoted), ms(switched, sw.At))
	t.Logf("acknowledged writes: %d; lost: %d (the latest sent %s after the promotion); failed: %d",
		len(w.acked), lost, ms(lastLost, promoted), w.failed.Load())
	t.Logf("a sentinel listed a healthy replica %s after +switch-master; Replica() reached one %s after that",
		ms(listed, sw.At), ms(reached, listed))
	switch {
	case switched.IsZero():
		t.Errorf("the client stayed on %s", c.MasterAddr())
	case switched.Sub(sw.At) > 2*time.Second:
		t.Errorf("the client moved %v after the first +switch-master", switched.Sub(sw.At))
	}
	if lost > 0 && lastLost.After(switched) {
		t.Errorf("a write sent after the client moved to the new master was lost")
	}
	switch {
	case reached.IsZero():
		t.Errorf("Replica() never reached a healthy replica (replicas %v)", c.Replicas())
	case !listed.IsZero() && reached.Sub(listed) > 2*time.Second:
		t.Errorf("Replica() reached a healthy replica %v after the sentinels listed one", reached.Sub(listed))
	}
}
