// Package testutil holds the helpers the project's tests share for waiting
// on Deferreds, polling for a condition and checking for leaked goroutines.
//
// # Waiting
//
// Wait waits for a Deferred to fire and fails the test if it has not fired
// within WaitTimeout; Must does the same and also fails the test when the
// Deferred fires with an error. Neither hangs a test run: a command that
// never gets its reply becomes a test failure naming the deadline.
//
// # Polling
//
// Eventually calls a function until it returns nil, for at most
// EventuallyTimeout, and fails the test with the last error otherwise.
// EventuallyWithin takes the bound as an argument, for tests that assert a
// recovery time, and returns how long the condition took.
//
// # Goroutines
//
// CheckGoroutines fails the test, printing every goroutine's stack, unless
// the goroutine count falls back to a count taken before the code under
// test ran (runtime.NumGoroutine) within GoroutineTimeout.
//
// Every helper takes a testing.TB and calls its Helper method, so failures
// are reported at the caller's line.
package testutil
