package load

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// Target is one handle the workload drives: a connection, a pool, or
// anything else that is a conn.Sender. When S is also a
// conn.BatchSender, some operations are sent as pipelines.
type Target struct {
	Name string
	S    conn.Sender
}

// Config tunes the workload. The zero value runs 4 workers.
type Config struct {
	// Workers is the number of sending goroutines (default 4), spread
	// over the targets round-robin.
	Workers int
	// Prefix starts every key (default "txredis-load:"); use a fresh one
	// per run so that runs sharing a server do not see each other's keys.
	Prefix string
	// MaxWait is how long a worker waits for one reply before counting the
	// command as unresolved and moving on (default 10s).
	MaxWait time.Duration
	// PipelineEvery sends one pipeline every n operations on targets that
	// are BatchSenders (default 8; negative disables pipelines).
	PipelineEvery int
	// KeyTTL bounds how long written keys live on the server (default 60s).
	KeyTTL time.Duration
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.Prefix == "" {
		c.Prefix = "txredis-load:"
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 10 * time.Second
	}
	if c.PipelineEvery == 0 {
		c.PipelineEvery = 8
	}
	if c.KeyTTL <= 0 {
		c.KeyTTL = time.Minute
	}
	return c
}

// Stats are the workload's counters.
type Stats struct {
	Sent        int64 // commands handed to a Sender
	Succeeded   int64 // resolved with a correct reply
	ConnErrors  int64 // resolved with a *conn.ConnectionError
	OtherErrors int64 // resolved with any other error (server error replies included)
	Lost        int64 // never resolved (must be 0)
	Wrong       int64 // resolved with a reply that belongs to no correct run (must be 0)
	DoubleFired int64 // resolved more than once (must be 0)
	Late        int64 // resolved, but after MaxWait
	MaxLatency  time.Duration
	P99         time.Duration
	// FirstWrong describes the first wrong reply, for diagnosis.
	FirstWrong string
}

// OK reports whether nothing was lost, wrong or resolved twice.
func (s Stats) OK() bool { return s.Lost == 0 && s.Wrong == 0 && s.DoubleFired == 0 }

// String formats the counters one per line.
func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sent          %d\n", s.Sent)
	fmt.Fprintf(&b, "succeeded     %d\n", s.Succeeded)
	fmt.Fprintf(&b, "conn errors   %d\n", s.ConnErrors)
	fmt.Fprintf(&b, "other errors  %d\n", s.OtherErrors)
	fmt.Fprintf(&b, "LOST          %d\n", s.Lost)
	fmt.Fprintf(&b, "WRONG         %d\n", s.Wrong)
	fmt.Fprintf(&b, "double fired  %d\n", s.DoubleFired)
	fmt.Fprintf(&b, "late          %d\n", s.Late)
	fmt.Fprintf(&b, "max latency   %v\n", s.MaxLatency)
	fmt.Fprintf(&b, "p99 latency   %v\n", s.P99)
	if s.FirstWrong != "" {
		fmt.Fprintf(&b, "first wrong   %s\n", s.FirstWrong)
	}
	return b.String()
}

// Runner is a running workload.
type Runner struct {
	cfg     Config
	targets []Target
	stop    chan struct{}
	wg      sync.WaitGroup

	sent, succeeded, connErrs, otherErrs atomic.Int64
	wrong, double                        atomic.Int64
	maxLat                               atomic.Int64
	hist                                 histogram

	mu         sync.Mutex // protects the fields below
	unresolved []*op      // set aside after MaxWait
	firstWrong string
	stopped    bool
}

// Start starts the workload on the targets (at least one).
func Start(cfg Config, targets ...Target) *Runner {
	if len(targets) == 0 {
		panic("txredis/load: Start needs a target")
	}
	cfg = cfg.withDefaults()
	r := &Runner{cfg: cfg, targets: targets, stop: make(chan struct{})}
	for w := 0; w < cfg.Workers; w++ {
		r.wg.Add(1)
		go r.work(w, targets[w%len(targets)])
	}
	return r
}

// Stop ends the workers and waits for them; each first waits (at most
// MaxWait) for the command it has in flight. It is idempotent.
func (r *Runner) Stop() {
	r.mu.Lock()
	if !r.stopped {
		r.stopped = true
		close(r.stop)
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// Snapshot returns the counters so far; Lost counts commands unresolved
// after MaxWait that are still unresolved now.
func (r *Runner) Snapshot() Stats {
	s := Stats{
		Sent:        r.sent.Load(),
		Succeeded:   r.succeeded.Load(),
		ConnErrors:  r.connErrs.Load(),
		OtherErrors: r.otherErrs.Load(),
		Wrong:       r.wrong.Load(),
		DoubleFired: r.double.Load(),
		MaxLatency:  time.Duration(r.maxLat.Load()),
		P99:         r.hist.quantile(0.99),
	}
	r.mu.Lock()
	for _, o := range r.unresolved {
		if o.fires.Load() == 0 {
			s.Lost++
		} else {
			s.Late++
		}
	}
	s.FirstWrong = r.firstWrong
	r.mu.Unlock()
	return s
}

// Stats is Snapshot; call it after Stop and after the handles were
// disconnected, when every command must have been resolved.
func (r *Runner) Stats() Stats { return r.Snapshot() }

// op is one command in flight and its Resolver.
type op struct {
	r     *Runner
	sent  time.Time
	fires atomic.Int32
	done  chan struct{}
	v     proto.Value // written once before done is closed
	err   error
}

func (r *Runner) newOp() *op { return &op{r: r, done: make(chan struct{})} }

// Resolve records the reply; a second call counts as DoubleFired.
func (o *op) Resolve(v proto.Value, err error) {
	if o.fires.Add(1) != 1 {
		o.r.double.Add(1)
		return
	}
	lat := int64(time.Since(o.sent))
	for {
		cur := o.r.maxLat.Load()
		if lat <= cur || o.r.maxLat.CompareAndSwap(cur, lat) {
			break
		}
	}
	o.r.hist.add(time.Duration(lat))
	o.v, o.err = v, err
	close(o.done)
}

// wait waits for o, reporting false (and setting o aside) after MaxWait.
func (r *Runner) wait(o *op, t *time.Timer) bool {
	t.Reset(r.cfg.MaxWait)
	select {
	case <-o.done:
		t.Stop()
		return true
	case <-t.C:
		r.mu.Lock()
		r.unresolved = append(r.unresolved, o)
		r.mu.Unlock()
		return false
	}
}

// check is what a reply must satisfy; it returns a description of what
// is wrong, or "".
type check func(v proto.Value) string

// settle counts o's outcome. It reports whether the reply was a success.
func (r *Runner) settle(o *op, what string, ok check) bool {
	if o.err != nil {
		if errors.Is(o.err, conn.ErrConnection) {
			r.connErrs.Add(1)
		} else {
			r.otherErrs.Add(1)
		}
		return false
	}
	if o.v.IsError() {
		r.otherErrs.Add(1)
		return false
	}
	if msg := ok(o.v); msg != "" {
		r.wrong.Add(1)
		r.mu.Lock()
		if r.firstWrong == "" {
			r.firstWrong = what + ": " + msg
		}
		r.mu.Unlock()
		return false
	}
	r.succeeded.Add(1)
	return true
}

func isOK(v proto.Value) string {
	if v.Kind == proto.SimpleString && v.Str == "OK" {
		return ""
	}
	return "want +OK, have " + v.String()
}

// bulkOrNil accepts want, or a nil reply when nilOK (the key may have
// vanished with a restarted server).
func bulkOrNil(want string, nilOK bool) check {
	return func(v proto.Value) string {
		if v.IsNull() && nilOK {
			return ""
		}
		if v.Kind == proto.BulkString && v.Str == want {
			return ""
		}
		return "want " + strconv.Quote(want) + ", have " + v.String()
	}
}

// intIn accepts an integer in [lo, hi].
func intIn(lo, hi int64) check {
	return func(v proto.Value) string {
		if v.Kind == proto.Integer && v.Int >= lo && v.Int <= hi {
			return ""
		}
		return fmt.Sprintf("want an integer in [%d, %d], have %v", lo, hi, v)
	}
}

// worker is one sending goroutine's state.
type worker struct {
	id    int
	seq   int64
	incrs int64 // INCRs sent on the worker's counter key
}

func (r *Runner) stopping() bool {
	select {
	case <-r.stop:
		return true
	default:
		return false
	}
}

func (r *Runner) work(id int, t Target) {
	defer r.wg.Done()
	w := &worker{id: id}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	bs, canBatch := t.S.(conn.BatchSender)
	prefix := r.cfg.Prefix + t.Name + ":" + strconv.Itoa(id) + ":"
	counter := prefix + "counter"
	ttl := strconv.FormatInt(r.cfg.KeyTTL.Milliseconds(), 10)
	for n := 0; !r.stopping(); n++ {
		w.seq++
		seq := strconv.FormatInt(w.seq, 10)
		key, val := prefix+"k"+seq, "v:"+prefix+seq+"\r\n\x00"
		var healthy bool
		switch {
		case canBatch && r.cfg.PipelineEvery > 0 && n%r.cfg.PipelineEvery == 0:
			healthy = r.pipeline(bs, w, key, val, counter, ttl, timer)
		case n%4 == 1:
			w.incrs++
			o := r.send(t.S, proto.NewCmd("INCR").Key(counter))
			healthy = r.wait(o, timer) && r.settle(o, "INCR "+counter, intIn(1, w.incrs))
		case n%4 == 2:
			o := r.send(t.S, proto.NewCmd("ECHO").Arg(val))
			healthy = r.wait(o, timer) && r.settle(o, "ECHO", bulkOrNil(val, false))
		default:
			o := r.send(t.S, proto.NewCmd("SET").Key(key).Arg(val).Arg("PX").Arg(ttl))
			if !r.wait(o, timer) {
				break
			}
			r.settle(o, "SET "+key, isOK)
			g := r.send(t.S, proto.NewCmd("GET").Key(key))
			healthy = r.wait(g, timer) && r.settle(g, "GET "+key, bulkOrNil(val, true))
		}
		if !healthy {
			// Do not spin on a handle that is down.
			select {
			case <-r.stop:
			case <-time.After(time.Millisecond):
			}
		}
	}
}

func (r *Runner) send(s conn.Sender, cmd *proto.Cmd) *op {
	o := r.newOp()
	r.sent.Add(1)
	o.sent = time.Now()
	s.Send(cmd, o)
	return o
}

// pipeline sends SET, GET, INCR and ECHO as one batch: the GET must see
// the SET's value when both succeed, since a batch goes down one socket.
func (r *Runner) pipeline(bs conn.BatchSender, w *worker, key, val, counter, ttl string, t *time.Timer) bool {
	w.incrs++
	cmds := []*proto.Cmd{
		proto.NewCmd("SET").Key(key).Arg(val).Arg("PX").Arg(ttl),
		proto.NewCmd("GET").Key(key),
		proto.NewCmd("INCR").Key(counter),
		proto.NewCmd("ECHO").Arg(val),
	}
	ops := make([]*op, len(cmds))
	rs := make([]conn.Resolver, len(cmds))
	now := time.Now()
	for i := range ops {
		ops[i] = r.newOp()
		ops[i].sent = now
		rs[i] = ops[i]
	}
	r.sent.Add(int64(len(cmds)))
	bs.SendBatch(cmds, rs)
	healthy := true
	for i, o := range ops {
		if !r.wait(o, t) {
			// The ops after the late one are set aside too, so that one
			// of them never resolving still counts as lost.
			r.mu.Lock()
			r.unresolved = append(r.unresolved, ops[i+1:]...)
			r.mu.Unlock()
			return false
		}
	}
	setOK := r.settle(ops[0], "pipelined SET "+key, isOK)
	healthy = setOK && healthy
	healthy = r.settle(ops[1], "pipelined GET "+key, bulkOrNil(val, !setOK)) && healthy
	healthy = r.settle(ops[2], "pipelined INCR "+counter, intIn(1, w.incrs)) && healthy
	healthy = r.settle(ops[3], "pipelined ECHO", bulkOrNil(val, false)) && healthy
	return healthy
}

// histogram counts latencies in buckets growing by 5%, from 1µs.
type histogram struct {
	buckets [histBuckets]atomic.Int64
}

const (
	histBase    = float64(time.Microsecond)
	histGrowth  = 1.05
	histBuckets = 400 // up to ~5 minutes
)

func (h *histogram) add(d time.Duration) {
	i := 0
	if f := float64(d); f > histBase {
		i = int(math.Log(f/histBase) / math.Log(histGrowth))
	}
	if i >= histBuckets {
		i = histBuckets - 1
	}
	h.buckets[i].Add(1)
}

// quantile returns the upper bound of the bucket holding quantile q.
func (h *histogram) quantile(q float64) time.Duration {
	var total int64
	for i := range h.buckets {
		total += h.buckets[i].Load()
	}
	if total == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(total)))
	var seen int64
	for i := range h.buckets {
		seen += h.buckets[i].Load()
		if seen >= rank {
			return time.Duration(histBase * math.Pow(histGrowth, float64(i+1)))
		}
	}
	return time.Duration(histBase * math.Pow(histGrowth, histBuckets))
}
