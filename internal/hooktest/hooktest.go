package hooktest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
)

// Key is the context key whose value a Recorder notes at Start: tests put
// a request name under it (context.WithValue) and check that the
// commands carried it.
type Key struct{}

// Event is one ended operation as a Recorder saw it.
type Event struct {
	Kind      conn.OpKind
	Name      string // at End
	StartName string // at Start
	Args      string // Cmd.String() at Start ("" when no Cmd)
	CmdNames  []string
	Size      int
	Batched   bool
	Addr      string
	DB        int
	Attempt   int
	Reconnect bool
	Duration  time.Duration
	Err       error
	Value     any    // the value under Key in the context Start got
	Parent    string // the StartName (or kind) of the operation Start's context came from ("" at top level)
	Started   time.Time
}

// String is a short form for failure messages.
func (e Event) String() string {
	s := fmt.Sprintf("%s %s@%s", e.Kind, e.Name, e.Addr)
	if e.Err != nil {
		s += " err=" + e.Err.Error()
	}
	if e.Batched {
		s += " batched"
	}
	if e.Parent != "" {
		s += " in " + e.Parent
	}
	return s
}

// Recorder is a conn.Hook that keeps every ended operation. It is safe
// for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	events []Event
	open   int
	notify chan struct{}
}

// New returns an empty Recorder.
func New() *Recorder { return &Recorder{notify: make(chan struct{}, 1)} }

// parentKey holds the *Event of the operation whose context this is.
type parentKey struct{}

// Start notes the operation and returns a context that names it as the
// parent of what starts under it.
func (r *Recorder) Start(ctx context.Context, op *conn.Op) context.Context {
	e := &Event{Kind: op.Kind, StartName: op.Name, Size: op.Size, Addr: op.Addr, DB: op.DB,
		Attempt: op.Attempt, Reconnect: op.Reconnect, Value: ctx.Value(Key{}), Started: op.Start}
	if op.Cmd != nil {
		e.Args = op.Cmd.String()
	}
	for _, c := range op.Cmds {
		e.CmdNames = append(e.CmdNames, c.Name())
	}
	if p, ok := ctx.Value(parentKey{}).(*Event); ok {
		e.Parent = p.StartName
		if e.Parent == "" {
			e.Parent = p.Kind.String()
		}
	}
	r.mu.Lock()
	r.open++
	r.mu.Unlock()
	return context.WithValue(ctx, parentKey{}, e)
}

// End records the operation with its outcome.
func (r *Recorder) End(ctx context.Context, op *conn.Op) {
	e, ok := ctx.Value(parentKey{}).(*Event)
	if !ok {
		panic("hooktest: End without the context Start returned")
	}
	ev := *e
	ev.Name, ev.Duration, ev.Err, ev.Batched, ev.Size = op.Name, op.Duration, op.Err, op.Batched, op.Size
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.open--
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// Events returns the operations ended so far, in the order they ended.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// Open returns the number of operations started and not yet ended.
func (r *Recorder) Open() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open
}

// Reset forgets the operations recorded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.events = nil
	r.mu.Unlock()
}

// Commands returns the ended OpCommands as "NAME@addr" (with " batched"
// when batched), in order.
func (r *Recorder) Commands() []string {
	var out []string
	for _, e := range r.Events() {
		if e.Kind == conn.OpCommand {
			s := e.Name + "@" + e.Addr
			if e.Batched {
				s += " batched"
			}
			out = append(out, s)
		}
	}
	return out
}

// Find returns the ended operations of kind named name.
func (r *Recorder) Find(kind conn.OpKind, name string) []Event {
	var out []Event
	for _, e := range r.Events() {
		if e.Kind == kind && e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// WaitFor waits (at most 5s) until cond holds over the recorded events,
// failing t otherwise.
func (r *Recorder) WaitFor(t testing.TB, what string, cond func([]Event) bool) []Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		evs := r.Events()
		if cond(evs) {
			return evs
		}
		select {
		case <-r.notify:
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			t.Fatalf("hooks: %s not seen within 5s; seen:\n%s", what, Dump(r.Events()))
			return nil
		}
	}
}

// Has reports whether evs holds an operation of kind named name.
func Has(evs []Event, kind conn.OpKind, name string) bool {
	for _, e := range evs {
		if e.Kind == kind && e.Name == name {
			return true
		}
	}
	return false
}

// Dump lists evs one per line, for failure messages.
func Dump(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString("  ")
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}
