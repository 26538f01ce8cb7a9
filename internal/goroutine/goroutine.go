package goroutine

import "sync"

var (
	checkOnce sync.Once
	supported bool
)

// Supported reports whether Current tells goroutines apart. The first call
// checks that Current gives the same non-zero value twice on one
// goroutine, across a stack growth, and a different one on another.
func Supported() bool {
	checkOnce.Do(func() { supported = check() })
	return supported
}

// Current returns the identity of the calling goroutine, or 0 when
// Supported is false.
func Current() uintptr {
	if !Supported() {
		return 0
	}
	return current()
}

func check() bool {
	a := current()
	if a == 0 || grow(64) != a {
		return false
	}
	other := make(chan uintptr)
	go func() { other <- current() }()
	b := <-other
	return b != 0 && b != a
}

// grow calls itself n times with a large frame, which makes the stack
// grow (and move), and returns current() from the deepest call.
//
//go:noinline
func grow(n int) uintptr {
	var pad [256]byte
	if n == 0 {
		return current() + uintptr(pad[0])
	}
	return grow(n - 1)
}
