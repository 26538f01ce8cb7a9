package reliability

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/faultproxy"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// memNow returns heap plus goroutine stack bytes in use after a full GC.
func memNow() (heap, stack uint64) {
	var ms runtime.MemStats
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, ms.StackInuse
}

// TestIdleConnectionMemory opens 200 connections (with a ReplyTimeout,
// so each runs its watchdog too) and requires at most 64 KiB of heap and
// stack per idle connection.
func TestIdleConnectionMemory(t *testing.T) {
	srv := testserver.Start(t, "--maxclients", "1000")
	const n = 200
	const limit = 64 << 10
	heap0, stack0 := memNow()
	conns := make([]*conn.Conn, n)
	for i := range conns {
		conns[i] = testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr(), ReplyTimeout: time.Second}))
	}
	// One command each so that every buffer a used connection keeps is
	// counted.
	ds := make([]*deferred.Deferred[string], n)
	for i, c := range conns {
		ds[i] = c.Ping()
	}
	testutil.Must(t, deferred.All(ds...))
	heap1, stack1 := memNow()
	perHeap := (int64(heap1) - int64(heap0)) / n
	perStack := (int64(stack1) - int64(stack0)) / n
	t.Logf("per idle connection: %d bytes heap + %d bytes goroutine stacks = %.1f KiB (race detector: %v)",
		perHeap, perStack, float64(perHeap+perStack)/1024, raceEnabled)
	budget := int64(limit)
	if raceEnabled {
		// Race-instrumented frames make each of the connection's
		// goroutines (supervisor, reader, writer, watchdog) grow its
		// stack once more than in a normal build.
		budget += 4 * 4 << 10
	}
	if per := perHeap + perStack; per > budget {
		t.Errorf("an idle connection costs %d bytes, over the %d-byte budget", per, budget)
	}
	runtime.KeepAlive(conns)
	for _, c := range conns {
		c.Disconnect()
	}
	for _, c := range conns {
		testutil.Must(t, c.Disconnect())
	}
}

// TestHundredThousandOutstanding sends 100,000 SETs on one connection
// without waiting, gathers them with All, and checks that the memory they
// held is released afterwards.
func TestHundredThousandOutstanding(t *testing.T) {
	srv := testserver.Start(t)
	// Replies are held back by the proxy until every command is sent, so
	// all 100,000 are outstanding at once.
	p := faultproxy.Start(t, srv.Addr())
	c := connect(t, conn.Options{Addr: p.Addr(), ReplyTimeout: 30 * time.Second})
	testutil.Must(t, c.Ping())
	heap0, _ := memNow()

	const n = 100_000
	p.Set(faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Stall})
	start := time.Now()
	ds := make([]*deferred.Deferred[string], n)
	for i := range ds {
		ds[i] = c.Set("out:"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	peakPending := c.Pending()
	heapPeak, _ := memNow()
	p.Clear()
	res := testutil.Must(t, deferred.All(ds...))
	elapsed := time.Since(start)
	if peakPending != n {
		t.Errorf("Pending = %d with every reply held back, want %d", peakPending, n)
	}
	for i, r := range res {
		if r != "OK" {
			t.Fatalf("SET %d: %q", i, r)
		}
	}
	ds, res = nil, nil
	runtime.KeepAlive(ds)
	runtime.KeepAlive(res)
	if have := testutil.Must(t, c.Do("DBSIZE")); have.Int != n {
		t.Fatalf("DBSIZE = %d, want %d", have.Int, n)
	}
	// The FIFO and write buffer drop their burst-sized arrays once empty;
	// poll, since the GC may need a cycle or two.
	var heap1 uint64
	testutil.EventuallyWithin(t, 5*time.Second, func() error {
		heap1, _ = memNow()
		if grown := int64(heap1) - int64(heap0); grown > 2<<20 {
			return errors.New("heap still " + strconv.FormatInt(grown>>10, 10) + " KiB above the baseline")
		}
		return nil
	})
	t.Logf("100k outstanding: %d pending at peak, all fired in %v; heap baseline %d KiB, while outstanding %d KiB (%d bytes per command), after %d KiB",
		peakPending, elapsed.Round(time.Millisecond), heap0>>10, heapPeak>>10, (int64(heapPeak)-int64(heap0))/n, heap1>>10)
	if c.Pending() != 0 {
		t.Fatalf("Pending = %d after every reply", c.Pending())
	}
}

// TestHugeReplyCutByMaxBulk: a bulk reply over MaxBulk fails with a
// protocol error as soon as its header is read, without waiting for (or
// allocating) its body, and the connection recovers.
func TestHugeReplyCutByMaxBulk(t *testing.T) {
	t.Run("fake server", func(t *testing.T) {
		dials := 0
		srv := fakeserver.New(func(p *fakeserver.Peer) {
			dials++
			if dials == 1 {
				if _, err := p.ReadCommand(); err != nil {
					return
				}
				// Announce 2 GB and send nothing more.
				_ = p.Send("$2000000000\r\n")
				_, _ = p.ReadCommand() // until the client hangs up
				return
			}
			p.Serve(fakeserver.Echo)
		})
		defer srv.Close()
		c := connect(t, conn.Options{Addr: "huge:6379", Dialer: srv.Dialer, MaxBulk: 1 << 20, Backoff: fastBackoff})
		start := time.Now()
		_, err := testutil.Wait(t, c.Get("huge"))
		if !errors.Is(err, proto.ErrProtocol) || !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("huge bulk: have %v; want a ConnectionError wrapping proto.ErrProtocol", err)
		}
		if !strings.Contains(err.Error(), "2000000000") && !strings.Contains(strings.ToLower(err.Error()), "limit") {
			t.Errorf("the error does not say what was too big: %v", err)
		}
		t.Logf("refused in %v: %v", time.Since(start).Round(time.Microsecond), err)
		testutil.EventuallyWithin(t, 5*time.Second, func() error {
			v, err := c.Get("after").Wait(t.Context())
			if err == nil && v != "after" {
				t.Fatalf("after the refused reply: %q", v)
			}
			return err
		})
	})

	t.Run("real server", func(t *testing.T) {
		srv := testserver.Start(t)
		big := strings.Repeat("x", 2<<20)
		w := connect(t, conn.Options{Addr: srv.Addr()})
		testutil.Must(t, w.Set("big", big))
		c := connect(t, conn.Options{Addr: srv.Addr(), MaxBulk: 1 << 20, Backoff: fastBackoff})
		_, err := testutil.Wait(t, c.Get("big"))
		if !errors.Is(err, proto.ErrProtocol) || !errors.Is(err, conn.ErrConnection) {
			t.Fatalf("2 MiB value with MaxBulk 1 MiB: have %v; want a ConnectionError wrapping proto.ErrProtocol", err)
		}
		testutil.EventuallyWithin(t, 5*time.Second, func() error {
			v, err := c.Do("ECHO", "small").Wait(t.Context())
			if err == nil && v.Str != "small" {
				t.Fatalf("after the refused reply: %v", v)
			}
			return err
		})
	})
}
