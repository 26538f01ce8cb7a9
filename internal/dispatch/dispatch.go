// Package dispatch marks goroutines that fire Deferreds for others for a
// short while, without allocating: a goroutine waiting for its own reply
// that has read it and must fire it before the replies behind it
// (conn/quiet.go). Package deferred treats a goroutine marked here as it
// treats one marked with deferred.MarkDispatcher: a Wait there on a
// Deferred that has not fired fails instead of blocking.
package dispatch

import (
	"sync/atomic"

	"github.com/txredis/txredis/internal/goroutine"
)

// slots hold the identities of the goroutines marked, 0 when free.
var (
	slots  [32]atomic.Uintptr
	marked atomic.Int32 // how many slots are taken
)

// Enter marks the calling goroutine and returns its slot, or -1 when it
// could not be marked here (every slot taken, or goroutines cannot be
// identified); the caller then uses deferred.MarkDispatcher instead.
func Enter() int {
	id := goroutine.Current()
	if id == 0 {
		return -1
	}
	for i := range slots {
		if slots[i].Load() == 0 && slots[i].CompareAndSwap(0, id) {
			marked.Add(1)
			return i
		}
	}
	return -1
}

// Leave unmarks the goroutine Enter marked in slot.
func Leave(slot int) {
	slots[slot].Store(0)
	marked.Add(-1)
}

// Any reports whether any goroutine is marked.
func Any() bool { return marked.Load() != 0 }

// Marked reports whether the goroutine with identity id is marked.
func Marked(id uintptr) bool {
	for i := range slots {
		if slots[i].Load() == id {
			return true
		}
	}
	return false
}
