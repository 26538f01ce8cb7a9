package deferred

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// Wait (and Done) return only after the steps added before the Deferred
// fired have run, so what they wrote is visible to the waiter without
// further synchronisation.
func TestWaitReturnsAfterEarlierSteps(t *testing.T) {
	for _, mode := range []string{"background", "cancellable ctx", "Done"} {
		d := New[int](nil)
		var seen int // written by the steps, read by the waiter: -race checks the ordering
		var steps atomic.Int32
		d.Observe(func(v int, err error) {
			time.Sleep(20 * time.Millisecond) // a slow step
			seen = v
			steps.Add(1)
		})
		d.Observe(func(int, error) { steps.Add(1) })
		go func() {
			time.Sleep(5 * time.Millisecond)
			d.Callback(42)
		}()
		switch mode {
		case "background":
			d.Wait(context.Background())
		case "cancellable ctx":
			ctx, cancel := context.WithCancel(context.Background())
			d.Wait(ctx)
			cancel()
		case "Done":
			<-d.Done()
		}
		if seen != 42 || steps.Load() != 2 {
			t.Fatalf("%s: Wait returned before the steps ran (seen %d, %d steps)", mode, seen, steps.Load())
		}
	}
}
