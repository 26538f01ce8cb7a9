package cluster_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/internal/testutil"
)

// writeLoad runs workers that write to keys of one hash tag: even workers
// SET keys of their own to unique values, odd workers INCR a counter of
// their own. It records what was acknowledged, what failed, and when each
// worker's current command was sent, so that a hung command shows.
type writeLoad struct {
	c       *cluster.Cluster
	tag     string
	stop    chan struct{}
	wg      sync.WaitGroup
	ok      atomic.Int64
	failed  atomic.Int64
	started []atomic.Int64
	// mark is a time (unix nanos); firstAfter when the first command sent
	// after it succeeded.
	mark, firstAfter atomic.Int64

	mu    sync.Mutex // protects the fields below
	sets  map[string]string
	setAt map[string]int64
	incrs []int64 // acknowledged INCRs per worker
	// post counts, per INCR worker, the INCRs acknowledged after mark;
	// firstPost is the value the first of them returned.
	post, firstPost []int64
	fails           []int64 // failed INCRs per worker
	errors          map[string]int
}

func startWriteLoad(c *cluster.Cluster, tag string, workers int) *writeLoad {
	l := &writeLoad{
		c: c, tag: tag, stop: make(chan struct{}), started: make([]atomic.Int64, workers),
		sets: map[string]string{}, setAt: map[string]int64{}, incrs: make([]int64, workers), fails: make([]int64, workers),
		post: make([]int64, workers), firstPost: make([]int64, workers),
		errors: map[string]int{},
	}
	for w := 0; w < workers; w++ {
		l.wg.Add(1)
		go l.work(w)
	}
	return l
}

func (l *writeLoad) work(w int) {
	defer l.wg.Done()
	for i := 0; ; i++ {
		select {
		case <-l.stop:
			return
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		sent := time.Now().UnixNano()
		l.started[w].Store(sent)
		var err error
		var n int64
		key := ""
		val := fmt.Sprintf("%d:%d", w, i)
		if w%2 == 0 {
			key = fmt.Sprintf("%ss:%d:%d", l.tag, w, i)
			_, err = l.c.Set(key, val).Wait(ctx)
		} else {
			n, err = l.c.Incr(l.tag + "n:" + strconv.Itoa(w)).Wait(ctx)
		}
		now := time.Now().UnixNano()
		after := l.mark.Load() != 0 && now > l.mark.Load()
		l.started[w].Store(0)
		cancel()
		l.mu.Lock()
		switch {
		case err != nil:
			l.errors[errorKind(err)]++
			if w%2 == 1 {
				l.fails[w]++
			}
		case w%2 == 0:
			l.sets[key] = val
			l.setAt[key] = now
		default:
			l.incrs[w]++
			if after {
				if l.post[w] == 0 {
					l.firstPost[w] = n
				}
				l.post[w]++
			}
		}
		l.mu.Unlock()
		if err != nil {
			l.failed.Add(1)
			time.Sleep(5 * time.Millisecond)
			continue
		}
		l.ok.Add(1)
		if m := l.mark.Load(); m != 0 && sent > m {
			l.firstAfter.CompareAndSwap(0, time.Now().UnixNano())
		}
	}
}

func errorKind(err error) string {
	s := err.Error()
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// pendingSince counts the workers whose command was sent before t and is
// still unanswered.
func (l *writeLoad) pendingSince(t time.Time) int {
	n := 0
	for i := range l.started {
		if s := l.started[i].Load(); s != 0 && s < t.UnixNano() {
			n++
		}
	}
	return n
}

func (l *writeLoad) finish() { close(l.stop); l.wg.Wait() }

// waitOK waits until n more commands than now have succeeded, or limit
// passes; it reports whether they did.
func (l *writeLoad) waitOK(n int64, limit time.Duration) bool {
	target := l.ok.Load() + n
	deadline := time.Now().Add(limit)
	for l.ok.Load() < target {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// losses counts acknowledged writes that are gone, split by whether they
// were acknowledged before mark or after it.
type losses struct{ setsBefore, setsAfter, incrsBefore, incrsAfter int64 }

// lost reads back every acknowledged write and counts those that are
// gone: SETs whose value is not the one written, INCRs missing from
// their counter. An INCR worker's first INCR acknowledged after mark
// returned base+1, base being what its counter held then: the INCRs
// acknowledged before are lost when base is below their count, those
// acknowledged after when the final value is below base + their count.
func (l *writeLoad) lost(t *testing.T) losses {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out losses
	keys := make([]string, 0, len(l.sets))
	ds := make([]*deferred.Deferred[string], 0, len(l.sets))
	for k := range l.sets {
		keys = append(keys, k)
		ds = append(ds, l.c.Get(k))
	}
	for i, d := range ds {
		v, err := testutil.Wait(t, d)
		if err == nil && v == l.sets[keys[i]] {
			continue
		}
		if l.setAt[keys[i]] > l.mark.Load() {
			out.setsAfter++
		} else {
			out.setsBefore++
		}
	}
	for w := 1; w < len(l.incrs); w += 2 {
		v, err := testutil.Wait(t, l.c.Get(l.tag+"n:"+strconv.Itoa(w)))
		final, _ := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Errorf("counter %d: %v", w, err)
			continue
		}
		before := l.incrs[w] - l.post[w]
		base := before // no INCR after mark: all of them count as before
		if l.post[w] > 0 {
			base = l.firstPost[w] - 1
		}
		out.incrsBefore += max(0, before-base)
		out.incrsAfter += max(0, l.post[w]-(final-base))
		if final > l.incrs[w]+l.fails[w] {
			t.Errorf("counter %d = %d, more than %d acknowledged + %d failed INCRs", w, final, l.incrs[w], l.fails[w])
		}
	}
	return out
}

// TestFrozenMasterHangsNothingAndLosesNoAcknowledgedWrite is issue 15,
// case 7: a master frozen with SIGSTOP under load, with default options.
// The cluster notices the stall, learns from the other nodes that a
// replica took over, and fails the commands queued on the frozen master
// instead of letting it acknowledge them once it resumes demoted; the
// new master serves the slot within the failover time plus 1s.
func TestFrozenMasterHangsNothingAndLosesNoAcknowledgedWrite(t *testing.T) {
	c, tc := connectReal(t, cluster.Options{})
	// A replica promoted before its first sync ends has none of the data.
	if err := tc.WaitReplicasOnline(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	const tag = "{frozen}"
	slot := cluster.Slot(tag)
	old, err := tc.Owner(slot)
	if err != nil {
		t.Fatal(err)
	}
	l := startWriteLoad(c, tag, 16)
	defer func() {
		select {
		case <-l.stop:
		default:
			l.finish()
		}
	}()
	if !l.waitOK(500, 10*time.Second) {
		t.Fatal("the load did not start")
	}
	frozenAt := time.Now()
	l.mark.Store(frozenAt.UnixNano())
	if err := old.Freeze(); err != nil {
		t.Fatal(err)
	}
	thawed := false
	defer func() {
		if !thawed {
			_ = old.Thaw()
		}
	}()
	owner, err := tc.WaitFailover(slot, old, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	failover := time.Since(frozenAt)
	promotedAt := time.Now()
	// The first command sent after the freeze to succeed, within the
	// failover time + 1s.
	deadline := frozenAt.Add(failover + time.Second)
	for l.firstAfter.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	recovery := time.Duration(l.firstAfter.Load() - frozenAt.UnixNano())
	recovered := l.firstAfter.Load() != 0 && recovery <= failover+time.Second
	// Give the client every chance before counting what still hangs on
	// the frozen master.
	l.waitOK(200, 5*time.Second)
	if wait := time.Until(promotedAt.Add(1500 * time.Millisecond)); wait > 0 {
		time.Sleep(wait)
	}
	hung := l.pendingSince(promotedAt)
	t.Logf("thawing %v after the freeze", time.Since(frozenAt))
	if err := old.Thaw(); err != nil {
		t.Fatal(err)
	}
	thawed = true
	if !l.waitOK(500, 10*time.Second) {
		t.Error("no load after the old master resumed")
	}
	if err := tc.WaitHealthy(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	l.finish()
	lost := l.lost(t)
	l.mu.Lock()
	t.Logf("master %s frozen; %s promoted after %v; first command sent after the freeze succeeded %v after it; hung %d; acknowledged after the freeze and lost: %d SETs, %d INCRs (of %d, %d); acknowledged before the freeze and not replicated in time: %d SETs, %d INCRs; failures %v",
		old.Addr(), owner.Addr(), failover.Round(time.Millisecond), recovery.Round(time.Millisecond), hung,
		lost.setsAfter, lost.incrsAfter, len(l.sets), sum(l.incrs), lost.setsBefore, lost.incrsBefore, l.errors)
	l.mu.Unlock()
	if hung != 0 {
		t.Errorf("%d commands sent before the promotion still unanswered 1.5s after it", hung)
	}
	if !recovered {
		t.Errorf("commands did not succeed on the new master within the failover time (%v) + 1s", failover)
	}
	// Writes acknowledged before the freeze that the replica had not
	// received are Redis's asynchronous replication at work (see the
	// package documentation); those acknowledged after it are the
	// client's doing.
	if lost.setsAfter != 0 || lost.incrsAfter != 0 {
		t.Errorf("writes acknowledged after the freeze lost: %d SETs, %d INCRs", lost.setsAfter, lost.incrsAfter)
	}
}

func sum(xs []int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}

// TestSlowMasterIsAskedAboutNotCutOff: a master that answers nothing for
// longer than StallTimeout but keeps its slots (frozen for less than the
// cluster's node timeout) only makes the cluster refresh its map; the
// commands waiting on it are answered when it resumes.
func TestSlowMasterIsAskedAboutNotCutOff(t *testing.T) {
	c, tc := connectReal(t, cluster.Options{StallTimeout: 200 * time.Millisecond})
	const tag = "{slow}"
	testutil.Must(t, c.Set(tag+"k", "0"))
	m, err := tc.Owner(cluster.Slot(tag))
	if err != nil {
		t.Fatal(err)
	}
	refreshes := c.Stats().Refreshes
	if err := m.Freeze(); err != nil {
		t.Fatal(err)
	}
	var ds []*deferred.Deferred[int64]
	for i := 0; i < 10; i++ {
		ds = append(ds, c.Incr(tag+"k"))
	}
	// Well within the node timeout: no failover starts.
	time.Sleep(testcluster.NodeTimeout / 2)
	if err := m.Thaw(); err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if n, err := testutil.Wait(t, d); err != nil || n != int64(i+1) {
			t.Fatalf("INCR %d sent to the slow master: %d %v", i, n, err)
		}
	}
	if c.Stats().Refreshes == refreshes {
		t.Fatal("the stall did not refresh the map")
	}
	if err := tc.WaitHealthy(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestSlowReplicaIsNotCutOff: with ReadFromReplicas, a replica that
// answers nothing for longer than StallTimeout but stays in the map is
// only asked about: it was never a master, so nothing it acknowledges
// can be discarded by a demotion.
func TestSlowReplicaIsNotCutOff(t *testing.T) {
	tc := testcluster.Shared(t)
	if err := tc.WaitReplicasOnline(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	c, _ := connectReal(t, cluster.Options{ReadFromReplicas: true, StallTimeout: 200 * time.Millisecond})
	const tag = "{slowreplica}"
	testutil.Must(t, c.Set(tag+"k", "v"))
	m, err := tc.Owner(cluster.Slot(tag))
	if err != nil {
		t.Fatal(err)
	}
	id, err := tc.ID(m)
	if err != nil {
		t.Fatal(err)
	}
	top, err := tc.Topology(m)
	if err != nil {
		t.Fatal(err)
	}
	var replica *testcluster.Node
	for _, ni := range top {
		if ni.Of == id {
			replica = tc.Node(ni.Addr)
		}
	}
	if replica == nil {
		t.Fatalf("no replica of %s", m.Addr())
	}
	testutil.Eventually(t, func() error { // the replica has the key
		_, err := c.Get(tag + "k").Wait(t.Context())
		return err
	})
	refreshes := c.Stats().Refreshes
	if err := replica.Freeze(); err != nil {
		t.Fatal(err)
	}
	var ds []*deferred.Deferred[string]
	for i := 0; i < 10; i++ {
		ds = append(ds, c.Get(tag+"k"))
	}
	time.Sleep(testcluster.NodeTimeout / 2)
	if err := replica.Thaw(); err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if v, err := testutil.Wait(t, d); err != nil || v != "v" {
			t.Fatalf("GET %d sent to the slow replica: %q %v", i, v, err)
		}
	}
	if c.Stats().Refreshes == refreshes {
		t.Fatal("the stall did not refresh the map")
	}
	if err := tc.WaitHealthy(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}
