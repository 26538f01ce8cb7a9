package cachecheck

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// Config is one run of the checker.
type Config struct {
	// View is the cached handle under test.
	View *conn.Cached
	// Writer writes the versions, through a connection other than the
	// view's.
	Writer conn.Commands
	// Own, when set, takes every other write: the view's own handle, so
	// that writes made through the cached connections are checked too.
	Own conn.Commands
	// Prefix names the keys: Prefix + "0" ... Prefix + Keys-1.
	Prefix string
	// Keys is the number of keys (default 16).
	Keys int
	// Reads is the number of cached reads to make.
	Reads int64
	// Readers is the number of reading goroutines (default 8).
	Readers int
	// Writers is the number of writing goroutines (default 4), each
	// owning every Writers-th key.
	Writers int
	// ReadsPerWrite paces the readers: they wait while more than this
	// many reads were made per acknowledged write (default 20), so that
	// the keys change all along the run instead of being read from
	// memory a million times between two writes.
	ReadsPerWrite int64
	// Chaos, when set, runs on its own goroutine each time the readers
	// have made another ChaosEvery reads (restarting the server, killing
	// connections); n counts from 0. Reads and writes go on meanwhile.
	Chaos      func(ctx context.Context, n int) error
	ChaosEvery int64
	// Progress, when set, is called about once a second.
	Progress func(Result)
}

// Result is what a run saw.
type Result struct {
	Reads     int64 // cached reads made
	Hits      int64 // of which answered from memory (the view's hit counter)
	Stale     int64 // of which returned a version older than the floor
	Errors    int64 // of which failed (connection errors while the server was down)
	Writes    int64 // acknowledged writes
	Syncs     int64 // writes followed by a completed Sync (the floors raised)
	Chaos     int   // chaos events run
	Elapsed   time.Duration
	FirstBad  string // the first stale read, described
	LastError error  // the last read error
}

func (r Result) String() string {
	return fmt.Sprintf("reads %d (hits %d, %.1f%%), stale %d, read errors %d, writes %d (synced %d), chaos events %d, in %v",
		r.Reads, r.Hits, 100*float64(r.Hits)/float64(max(r.Reads, 1)), r.Stale, r.Errors, r.Writes, r.Syncs, r.Chaos, r.Elapsed.Round(time.Millisecond))
}

// state is shared by the goroutines of a run.
type state struct {
	cfg   Config
	keys  []string
	floor []atomic.Int64 // per key: the newest version acknowledged and synced

	reads, stale, errs, writes, syncs atomic.Int64
	hitsBase                          int64 // the view's hits before the run

	mu       sync.Mutex // protects firstBad and lastErr
	firstBad string
	lastErr  error
}

// Run seeds the keys with version 1, then reads them through the view
// while a writer raises their versions, until cfg.Reads reads are made
// or ctx ends. Each read notes the floor of its key before it is sent;
// a floor is the newest version whose write was acknowledged and
// followed by a completed View.Sync. A read that returns an older
// version than its floor is stale. The error is about the run itself
// (the seeding failed, ctx ended); stale reads are in the Result.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Keys <= 0 {
		cfg.Keys = 16
	}
	if cfg.Readers <= 0 {
		cfg.Readers = 8
	}
	if cfg.Writers <= 0 {
		cfg.Writers = 4
	}
	if cfg.Writers > cfg.Keys {
		cfg.Writers = cfg.Keys
	}
	if cfg.ReadsPerWrite <= 0 {
		cfg.ReadsPerWrite = 20
	}
	s := &state{cfg: cfg, keys: make([]string, cfg.Keys), floor: make([]atomic.Int64, cfg.Keys)}
	for i := range s.keys {
		s.keys[i] = cfg.Prefix + strconv.Itoa(i)
		if _, err := cfg.Writer.Set(s.keys[i], "1").Wait(ctx); err != nil {
			return Result{}, fmt.Errorf("cachecheck: seeding %s: %w", s.keys[i], err)
		}
		s.floor[i].Store(1)
	}
	if _, err := cfg.View.Sync().Wait(ctx); err != nil {
		return Result{}, fmt.Errorf("cachecheck: first sync: %w", err)
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var wg sync.WaitGroup
	for w := range cfg.Writers {
		wg.Add(1)
		go func() { defer wg.Done(); s.write(ctx, w) }()
	}
	chaos := make(chan int, 1)
	var chaosRun atomic.Int64
	if cfg.Chaos != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case n := <-chaos:
					_ = cfg.Chaos(ctx, n)
					chaosRun.Add(1)
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	hits0 := cfg.View.Stats().Hits
	s.hitsBase = hits0
	if cfg.Progress != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-tick.C:
					r := s.result(start)
					r.Chaos = int(chaosRun.Load())
					cfg.Progress(r)
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	var readers sync.WaitGroup
	var taken atomic.Int64
	for range cfg.Readers {
		readers.Add(1)
		go func() {
			defer readers.Done()
			rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
			for ctx.Err() == nil {
				n := taken.Add(1)
				if n > cfg.Reads {
					return
				}
				if cfg.Chaos != nil && cfg.ChaosEvery > 0 && n%cfg.ChaosEvery == 0 {
					select {
					case chaos <- int(n/cfg.ChaosEvery) - 1:
					default:
					}
				}
				for s.reads.Load() > (s.writes.Load()+1)*cfg.ReadsPerWrite && ctx.Err() == nil {
					time.Sleep(100 * time.Microsecond)
				}
				s.read(ctx, rng.IntN(len(s.keys)))
			}
		}()
	}
	readers.Wait()
	err := ctx.Err()
	cancel()
	wg.Wait()
	r := s.result(start)
	r.Chaos = int(chaosRun.Load())
	return r, err
}

func (s *state) result(start time.Time) Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Result{
		Reads: s.reads.Load(), Hits: s.cfg.View.Stats().Hits - s.hitsBase, Stale: s.stale.Load(), Errors: s.errs.Load(),
		Writes: s.writes.Load(), Syncs: s.syncs.Load(), Elapsed: time.Since(start),
		FirstBad: s.firstBad, LastError: s.lastErr,
	}
}

// read makes one cached read of key i and checks it against the floor
// noted before it was sent.
func (s *state) read(ctx context.Context, i int) {
	floor := s.floor[i].Load()
	d := s.cfg.View.Get(s.keys[i])
	_, _, hit := d.Result()
	v, err := d.Wait(ctx)
	if ctx.Err() != nil {
		return
	}
	s.reads.Add(1)
	if err != nil && !errors.Is(err, proto.ErrNil) {
		s.errs.Add(1)
		s.mu.Lock()
		s.lastErr = err
		s.mu.Unlock()
		return
	}
	have := int64(0) // a missing key is older than every version
	if err == nil {
		if have, err = strconv.ParseInt(v, 10, 64); err != nil {
			have = -1
		}
	}
	if have < floor {
		s.stale.Add(1)
		s.mu.Lock()
		if s.firstBad == "" {
			s.firstBad = fmt.Sprintf("%s: read version %d (%q) after version %d was acknowledged and synced (hit %v)", s.keys[i], have, v, floor, hit)
		}
		s.mu.Unlock()
	}
}

// write raises the version of a random key of writer w's share, then
// syncs the view and raises the key's floor, until ctx ends.
func (s *state) write(ctx context.Context, w int) {
	versions := make([]int64, len(s.keys))
	for i := range versions {
		versions[i] = 1
	}
	var mine []int
	for i := w; i < len(s.keys); i += s.cfg.Writers {
		mine = append(mine, i)
	}
	for n := 0; ctx.Err() == nil; n++ {
		i := mine[rand.IntN(len(mine))]
		versions[i]++ // a failed write may have been applied: never reuse a version
		ver := versions[i]
		cmds := s.cfg.Writer
		if s.cfg.Own.Sender() != nil && n%2 == 1 {
			cmds = s.cfg.Own
		}
		if _, err := cmds.Set(s.keys[i], strconv.FormatInt(ver, 10)).Wait(ctx); err != nil {
			sleep(ctx, 5*time.Millisecond) // the server is down: try later
			continue
		}
		s.writes.Add(1)
		if _, err := s.cfg.View.Sync().Wait(ctx); err != nil {
			continue
		}
		for {
			old := s.floor[i].Load()
			if old >= ver || s.floor[i].CompareAndSwap(old, ver) {
				break
			}
		}
		s.syncs.Add(1)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
