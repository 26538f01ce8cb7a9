// Package coalesce runs a task in the background on request, folding a
// burst of requests into one run plus at most one more and spacing runs
// apart. The cluster client refreshes its slot map with it, the sentinel
// client its view of the master and replicas.
//
// # Concurrency
//
// A Runner shares its owner's mutex and WaitGroup. Trigger may be called
// from any goroutine, without holding the mutex. The owner shuts down by
// closing the done channel while holding the mutex and then waiting on the
// WaitGroup: no run starts after the channel is closed, and the Runner's
// goroutine is counted in the WaitGroup from before Trigger returns.
package coalesce
