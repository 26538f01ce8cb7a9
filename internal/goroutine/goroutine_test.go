package goroutine

import (
	"runtime"
	"sync"
	"testing"
)

func TestCurrent(t *testing.T) {
	if !Supported() {
		if runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64" {
			t.Fatalf("not supported on %s", runtime.GOARCH)
		}
		t.Skipf("not supported on %s", runtime.GOARCH)
	}
	me := Current()
	if me == 0 || Current() != me || grow(200) != me {
		t.Fatalf("Current is not stable on one goroutine")
	}
	// Running goroutines all have different values.
	const n = 50
	ids := make(chan uintptr, n)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids <- Current()
			<-release // keep running until every value is in
		}()
	}
	seen := map[uintptr]bool{me: true}
	for range n {
		id := <-ids
		if id == 0 || seen[id] {
			t.Fatalf("goroutines share the value %#x", id)
		}
		seen[id] = true
	}
	close(release)
	wg.Wait()
}

func BenchmarkCurrent(b *testing.B) {
	Supported()
	var sink uintptr
	for b.Loop() {
		sink += Current()
	}
	_ = sink
}
