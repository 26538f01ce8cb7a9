// Package goroutine tells goroutines apart: Current returns a value that
// identifies the running goroutine for as long as it runs. The deferred
// package uses it to refuse a Wait that would block a dispatcher (a
// connection's reader), at the cost of a few nanoseconds.
//
// The value is the address of the runtime's descriptor of the goroutine,
// read from where the runtime keeps it (thread-local storage on amd64,
// the g register on arm64). A later goroutine may reuse the descriptor of
// one that has ended, so a value only identifies a goroutine while it is
// known to be running. On other architectures, with other compilers, or
// if the check at first use finds the value unreliable, Current returns 0
// and Supported reports false.
package goroutine
