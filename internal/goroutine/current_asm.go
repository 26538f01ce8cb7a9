//go:build gc && (amd64 || arm64)

package goroutine

// current returns the address of the calling goroutine's descriptor.
func current() uintptr
