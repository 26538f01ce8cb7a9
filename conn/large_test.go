package conn_test

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// Large arguments are written from their own memory between the chunks
// that hold the other commands: under concurrent senders mixing small and
// large commands every reply must still answer its own command, byte for
// byte, and a []byte argument the caller changes after the call must go
// out as it was when the call was made.
func TestLargeArgumentsInterleavedWithSmallOnes(t *testing.T) {
	c, _ := fakeConn(t, echoServer, conn.Options{})
	sizes := []int{1, proto.LargeArg - 1, proto.LargeArg, 3*proto.LargeArg + 7, 200 << 10}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				n := sizes[(g+i)%len(sizes)]
				want := strings.Repeat(string(rune('a'+g)), n) + fmt.Sprint(i)
				var d = c.Do("ECHO", want)
				var raw []byte
				if i%2 == 1 {
					raw = []byte(want)
					d = c.Do("ECHO", raw)
					for j := range raw {
						raw[j] = '!' // the caller reuses its buffer at once
					}
				}
				v, err := testutil.Wait(t, d)
				if err != nil || v.Str != want {
					errs <- fmt.Errorf("goroutine %d command %d (%d bytes): reply of %d bytes, %v", g, i, len(want), len(v.Str), err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A SET of a large value costs at most one copy of it when given as
// []byte, and none when given as a string (real server: a fake one would
// count its own parsing).
func TestLargeSetAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	srv := testserver.Start(t)
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: srv.Addr()}))
	t.Cleanup(func() { c.Disconnect() })
	const size, n = 64 << 10, 200
	str := strings.Repeat("x", size)
	raw := bytes.Repeat([]byte("y"), size)
	bytesPerOp := func(set func()) float64 {
		for i := 0; i < n; i++ {
			set() // warm the chunk pool and the FIFO
		}
		testutil.Must(t, c.Ping())
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := 0; i < n; i++ {
			set()
		}
		testutil.Must(t, c.Ping()) // every SET has been answered
		runtime.ReadMemStats(&after)
		return float64(after.TotalAlloc-before.TotalAlloc) / n
	}
	if have := bytesPerOp(func() { c.Set("k", str) }); have > 0.2*size {
		t.Errorf("SET of a 64 KiB string allocated %.0f bytes per command, want far less than the value", have)
	}
	if have := bytesPerOp(func() { c.SetBytes("k", raw) }); have > 1.2*size {
		t.Errorf("SET of a 64 KiB []byte allocated %.0f bytes per command, want at most 1.2x the value", have)
	}
}
