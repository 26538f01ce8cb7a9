package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// connectReal connects to the shared cluster.
func connectReal(t testing.TB, opts cluster.Options) (*cluster.Cluster, *testcluster.Cluster) {
	t.Helper()
	tc := testcluster.Shared(t)
	c := testutil.Must(t, cluster.Connect(tc.Addrs()[:1], opts))
	t.Cleanup(func() { testutil.Wait(t, c.Disconnect()) })
	return c, tc
}

func TestTenThousandKeysAcrossSlots(t *testing.T) {
	c, _ := connectReal(t, cluster.Options{})
	const n = 10000
	sets := make([]*deferred.Deferred[string], n)
	for i := range sets {
		sets[i] = c.Set("tenk:"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	testutil.Must(t, deferred.All(sets...))
	gets := make([]*deferred.Deferred[string], n)
	for i := range gets {
		gets[i] = c.Get("tenk:" + strconv.Itoa(i))
	}
	vals := testutil.Must(t, deferred.All(gets...))
	slots := map[int]bool{}
	for i, v := range vals {
		if v != "v"+strconv.Itoa(i) {
			t.Fatalf("GET tenk:%d = %q", i, v)
		}
		slots[cluster.Slot("tenk:"+strconv.Itoa(i))] = true
	}
	if len(slots) < 5000 {
		t.Fatalf("only %d slots used", len(slots))
	}
	// MGET across slots answers in key order, nil for a missing key.
	args := []any{"MGET"}
	for i := 0; i < 100; i++ {
		args = append(args, "tenk:"+strconv.Itoa(i*97))
	}
	args = append(args, "tenk:missing")
	v := testutil.Must(t, c.Do(args...))
	if len(v.Elems) != 101 {
		t.Fatalf("MGET: %d values", len(v.Elems))
	}
	for i := 0; i < 100; i++ {
		if v.Elems[i].Str != "v"+strconv.Itoa(i*97) {
			t.Fatalf("MGET[%d] = %v", i, v.Elems[i])
		}
	}
	if !v.Elems[100].IsNull() {
		t.Fatalf("MGET of a missing key = %v", v.Elems[100])
	}
	keys := make([]string, 0, 100)
	for i := 0; i < 100; i++ {
		keys = append(keys, "tenk:"+strconv.Itoa(i))
	}
	if del := testutil.Must(t, c.Del(keys...)); del != 100 {
		t.Fatalf("DEL across slots = %d, want 100", del)
	}
}

func TestCrossSlotErrorOnRealCluster(t *testing.T) {
	c, _ := connectReal(t, cluster.Options{})
	_, err := testutil.Wait(t, c.Do("RENAME", "a", "b"))
	if cluster.Slot("a") != cluster.Slot("b") && !errors.Is(err, cluster.ErrCrossSlot) {
		t.Fatalf("RENAME a b: %v, want ErrCrossSlot", err)
	}
	testutil.Must(t, c.Set("{x}a", "1"))
	if _, err := testutil.Wait(t, c.Do("RENAME", "{x}a", "{x}b")); err != nil {
		t.Fatalf("RENAME within a hash tag: %v", err)
	}
}

func TestTransactionOnTheSlotsNode(t *testing.T) {
	c, _ := connectReal(t, cluster.Options{})
	testutil.Must(t, c.Set("{acct}.balance", "10"))
	tx := testutil.Must(t, c.Node("{acct}").Multi("{acct}.balance"))
	incr := tx.Incr("{acct}.balance")
	set := tx.Set("{acct}.last", "deposit")
	replies := testutil.Must(t, tx.Commit())
	if len(replies) != 2 || testutil.Must(t, incr) != 11 || testutil.Must(t, set) != "OK" {
		t.Fatalf("EXEC = %v", replies)
	}
	if v := testutil.Must(t, c.Get("{acct}.last")); v != "deposit" {
		t.Fatalf("after EXEC: %q", v)
	}
	// The cluster handle itself refuses: it cannot know the slot.
	if _, err := testutil.Wait(t, c.Multi()); !errors.Is(err, cluster.ErrNoSlot) {
		t.Fatalf("Multi on the cluster: %v, want ErrNoSlot", err)
	}
}

func TestReadsFromReplicas(t *testing.T) {
	// The client maps only online replicas: wait for their first sync.
	if err := testcluster.Shared(t).WaitReplicasOnline(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	c, tc := connectReal(t, cluster.Options{ReadFromReplicas: true})
	testutil.Must(t, c.Set("replicated", "yes"))
	getsOn := func() map[string]int {
		out := map[string]int{}
		for _, n := range tc.Nodes {
			if !n.Alive() {
				continue
			}
			v, err := n.Do("INFO", "commandstats")
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(v.Str, "\n") {
				if strings.HasPrefix(line, "cmdstat_get:calls=") {
					k, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(line, "cmdstat_get:calls="), ",", 2)[0])
					out[n.Addr()] = k
				}
			}
		}
		return out
	}
	masters, err := tc.Masters()
	if err != nil {
		t.Fatal(err)
	}
	isMaster := map[string]bool{}
	for _, m := range masters {
		isMaster[m.Addr()] = true
	}
	before := getsOn()
	// The replica may lag behind the SET for a moment.
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := testutil.Wait(t, c.Get("replicated"))
		if err == nil && v == "yes" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET from replica: %q %v", v, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := 0; i < 20; i++ {
		testutil.Must(t, c.Get("replicated"))
	}
	after := getsOn()
	onReplicas, onMasters := 0, 0
	for addr, n := range after {
		if isMaster[addr] {
			onMasters += n - before[addr]
		} else {
			onReplicas += n - before[addr]
		}
	}
	if onReplicas < 20 || onMasters != 0 {
		t.Fatalf("GETs on replicas %d, on masters %d; want all on replicas", onReplicas, onMasters)
	}
	// Writes still go to the master.
	testutil.Must(t, c.Set("replicated", "again"))
}

func TestLazyNewRoutesBeforeTheMapIsKnown(t *testing.T) {
	tc := testcluster.Shared(t)
	c := cluster.New(tc.Addrs()[:1], cluster.Options{})
	t.Cleanup(func() { testutil.Wait(t, c.Disconnect()) })
	var ds []*deferred.Deferred[string]
	for i := 0; i < 50; i++ {
		ds = append(ds, c.Set("lazy:"+strconv.Itoa(i), "x"))
	}
	testutil.Must(t, deferred.All(ds...))
	testutil.Must(t, c.Ready())
	if len(c.Masters()) != 3 {
		t.Fatalf("%d masters known", len(c.Masters()))
	}
}

// load runs workers that INCR their own keys until stop is closed, and
// records every error and every successful count.
type load struct {
	c      *cluster.Cluster
	keys   []string
	counts []atomic.Int64
	errs   chan error
	stop   chan struct{}
	wg     sync.WaitGroup
	ops    atomic.Int64
}

func startLoad(c *cluster.Cluster, keys []string, workers int) *load {
	l := &load{c: c, keys: keys, counts: make([]atomic.Int64, len(keys)), errs: make(chan error, 100), stop: make(chan struct{})}
	for w := 0; w < workers; w++ {
		l.wg.Add(1)
		go func(w int) {
			defer l.wg.Done()
			for i := w; ; i += workers {
				select {
				case <-l.stop:
					return
				default:
				}
				k := i % len(keys)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				n, err := l.c.Incr(keys[k]).Wait(ctx)
				cancel()
				if err != nil {
					select {
					case l.errs <- fmt.Errorf("INCR %s: %w", keys[k], err):
					default:
					}
					continue
				}
				l.counts[k].Add(1)
				l.ops.Add(1)
				_ = n
			}
		}(w)
	}
	return l
}

func (l *load) finish() { close(l.stop); l.wg.Wait(); close(l.errs) }

func TestSlotMigrationUnderLoadFailsNoCommand(t *testing.T) {
	c, tc := connectReal(t, cluster.Options{})
	const tag = "{mig}"
	slot := cluster.Slot(tag)
	keys := make([]string, 200)
	for i := range keys {
		keys[i] = tag + strconv.Itoa(i)
		testutil.Must(t, c.Del(keys[i]))
	}
	src, err := tc.Owner(slot)
	if err != nil {
		t.Fatal(err)
	}
	masters, err := tc.Masters()
	if err != nil {
		t.Fatal(err)
	}
	var dst *testcluster.Node
	for _, m := range masters {
		if m != src {
			dst = m
			break
		}
	}
	l := startLoad(c, keys, 8)
	// Let every key exist before migrating.
	for l.ops.Load() < int64(2*len(keys)) {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	before := l.ops.Load()
	if err := tc.MoveSlot(slot, dst, 10, func() { time.Sleep(5 * time.Millisecond) }); err != nil {
		t.Fatalf("MoveSlot: %v", err)
	}
	during := l.ops.Load() - before
	// Keep going a moment on the new owner.
	target := l.ops.Load() + 500
	for l.ops.Load() < target {
		time.Sleep(5 * time.Millisecond)
	}
	l.finish()
	for err := range l.errs {
		t.Errorf("failed during migration: %v", err)
	}
	t.Logf("slot %d moved %s -> %s in %v with %d INCRs during the move", slot, src.Addr(), dst.Addr(), time.Since(start), during)
	if during == 0 {
		t.Fatal("no command ran during the migration")
	}
	if st := c.Stats(); st.Asked == 0 || st.Moved == 0 {
		t.Fatalf("stats %+v: want both ASK and MOVED redirections followed", st)
	} else {
		t.Logf("stats: %+v", st)
	}
	if o, _ := tc.Owner(slot); o != dst {
		t.Fatalf("slot owner is %v, want %s", o, dst.Addr())
	}
	for i, k := range keys {
		if v := testutil.Must(t, c.Get(k)); v != strconv.FormatInt(l.counts[i].Load(), 10) {
			t.Fatalf("%s = %s after %d successful INCRs", k, v, l.counts[i].Load())
		}
	}
	if err := tc.WaitHealthy(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestMasterKilledReplicaPromotedCommandsRecover(t *testing.T) {
	c, tc := connectReal(t, cluster.Options{RetryTimeout: 10 * time.Second})
	slot := cluster.Slot("{fo}")
	old, err := tc.Owner(slot)
	if err != nil {
		t.Fatal(err)
	}
	// Writers SET unique values and read them back: a reply that belongs
	// to another command would show up as a wrong value.
	var (
		stop          = make(chan struct{})
		wg            sync.WaitGroup
		ok, failed    atomic.Int64
		lastFail      atomic.Int64 // unix nanos of the latest failure
		wrong         = make(chan string, 10)
		firstAfterOK  atomic.Int64
		killedAt      time.Time
		killedAtNanos atomic.Int64
	)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := fmt.Sprintf("{fo}%d:%d", w, i)
				val := fmt.Sprintf("v%d:%d", w, i)
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				r, err := c.Set(k, val).Wait(ctx)
				if err == nil && r != "OK" {
					wrong <- fmt.Sprintf("SET %s answered %q", k, r)
				}
				if err == nil {
					var g string
					g, err = c.Get(k).Wait(ctx)
					if err == nil && g != val {
						wrong <- fmt.Sprintf("GET %s = %q, want %q", k, g, val)
					}
				}
				cancel()
				if err != nil {
					failed.Add(1)
					lastFail.Store(time.Now().UnixNano())
					time.Sleep(20 * time.Millisecond)
					continue
				}
				ok.Add(1)
				if k := killedAtNanos.Load(); k != 0 {
					firstAfterOK.CompareAndSwap(0, time.Now().UnixNano())
				}
			}
		}(w)
	}
	for ok.Load() < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	killedAt = time.Now()
	old.Kill()
	killedAtNanos.Store(killedAt.UnixNano())
	newOwner, err := tc.WaitFailover(slot, old, 15*time.Second)
	if err != nil {
		close(stop)
		wg.Wait()
		t.Fatal(err)
	}
	failoverAt := time.Since(killedAt)
	// Commands must succeed again within a few seconds of the promotion.
	okAtPromotion := ok.Load()
	deadline := time.Now().Add(5 * time.Second)
	for ok.Load() < okAtPromotion+200 {
		if time.Now().After(deadline) {
			close(stop)
			wg.Wait()
			t.Fatalf("commands did not recover within 5s of the promotion (%d ok since)", ok.Load()-okAtPromotion)
		}
		time.Sleep(5 * time.Millisecond)
	}
	recovered := time.Since(killedAt)
	close(stop)
	wg.Wait()
	close(wrong)
	for w := range wrong {
		t.Error(w)
	}
	t.Logf("master %s killed; %s promoted after %v; 200 commands ok %v after the kill; %d ok, %d failed in all",
		old.Addr(), newOwner.Addr(), failoverAt, recovered, ok.Load(), failed.Load())
	// Put the old master back: it rejoins as a replica.
	if err := old.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := tc.WaitHealthy(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	_ = proto.ErrNil
}

func TestBlockingCommandDoesNotHoldUpItsNode(t *testing.T) {
	c, _ := connectReal(t, cluster.Options{})
	testutil.Must(t, c.Del("{blk}list"))
	blpop := c.Do("BLPOP", "{blk}list", "2")
	// Commands on the same slot's node are answered while BLPOP waits.
	start := time.Now()
	for i := 0; i < 20; i++ {
		testutil.Must(t, c.Set("{blk}k"+strconv.Itoa(i), "x"))
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("SETs behind BLPOP took %v", el)
	}
	if blpop.Fired() {
		t.Fatal("BLPOP returned before anything was pushed")
	}
	testutil.Must(t, c.Do("RPUSH", "{blk}list", "item"))
	v := testutil.Must(t, blpop)
	if len(v.Elems) != 2 || v.Elems[1].Str != "item" {
		t.Fatalf("BLPOP = %v", v)
	}
}

// A start address given as a URL configures every node: here RESP3,
// seen in the reply kind of commands routed to each master.
func TestRealStartURL(t *testing.T) {
	tc := testcluster.Shared(t)
	seed := "redis://" + tc.Addrs()[0] + "?protocol=3&client_name=cluster-url"
	c := testutil.Must(t, cluster.Connect([]string{seed}, cluster.Options{}))
	t.Cleanup(func() { testutil.Wait(t, c.Disconnect()) })
	if o := c.Options(); o.Protocol != 3 || o.ClientName != "cluster-url" {
		t.Errorf("Options: protocol %d, client name %q", o.Protocol, o.ClientName)
	}
	for i := 0; i < 30; i++ {
		k := "starturl:" + strconv.Itoa(i)
		testutil.Must(t, c.HSet(k, "f", "v"))
		if v := testutil.Must(t, c.Do("HGETALL", k)); v.Kind != proto.Map {
			t.Fatalf("HGETALL %s kind %v, want a RESP3 map", k, v.Kind)
		}
	}
	for _, m := range c.Masters() {
		if name := testutil.Must(t, m.ClientGetName()); name != "cluster-url" {
			t.Errorf("client name on a master: %q", name)
		}
	}
}

// Cluster.ScanSeq visits every master; keyed iterators go to their
// key's master.
func TestRealScanSeq(t *testing.T) {
	c, _ := connectReal(t, cluster.Options{})
	prefix := fmt.Sprintf("scanseq:%d:", time.Now().UnixNano())
	const n = 300
	for i := 0; i < n; i++ {
		c.Set(prefix+strconv.Itoa(i), "v")
	}
	testutil.Must(t, c.Set(prefix+"last", "v"))
	seen := map[string]bool{}
	for k, err := range c.ScanSeq(t.Context(), conn.ScanArgs{Match: prefix + "*", Count: 50}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[k] = true
	}
	if len(seen) != n+1 {
		t.Errorf("Cluster.ScanSeq: %d keys, want %d", len(seen), n+1)
	}
	if len(c.Masters()) < 2 {
		t.Fatalf("%d masters: the keys did not need every master", len(c.Masters()))
	}
	zkey := prefix + "zset"
	for i := 0; i < 40; i++ {
		c.ZAdd(zkey, conn.ZMember{Member: strconv.Itoa(i), Score: float64(i)})
	}
	m := 0
	for z, err := range c.ZScanSeq(t.Context(), zkey, conn.ScanArgs{Count: 5}) {
		if err != nil {
			t.Fatal(err)
		}
		if strconv.Itoa(int(z.Score)) != z.Member {
			t.Errorf("member %q score %v", z.Member, z.Score)
		}
		m++
	}
	if m != 40 {
		t.Errorf("Cluster.ZScanSeq: %d members, want 40", m)
	}
}
