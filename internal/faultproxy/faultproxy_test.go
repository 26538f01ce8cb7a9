package faultproxy_test

import (
	"bytes"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/txredis/txredis/internal/faultproxy"
)

// echoServer accepts connections and echoes every byte back until the
// test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); _, _ = io.Copy(c, c); c.Close() }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

func dial(t *testing.T, p *faultproxy.Proxy) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip writes msg and reads len(msg) bytes back within timeout.
func roundTrip(c net.Conn, msg []byte, timeout time.Duration) ([]byte, error) {
	_ = c.SetDeadline(time.Now().Add(timeout))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write(msg); err != nil {
		return nil, err
	}
	got := make([]byte, len(msg))
	n, err := io.ReadFull(c, got)
	return got[:n], err
}

func TestForwardsUnchanged(t *testing.T) {
	p := faultproxy.Start(t, echoServer(t))
	c := dial(t, p)
	msg := bytes.Repeat([]byte("abc\r\n"), 20000)
	have, err := roundTrip(c, msg, 5*time.Second)
	if err != nil || !bytes.Equal(have, msg) {
		t.Fatalf("round trip: %d bytes, %v", len(have), err)
	}
}

func TestFaults(t *testing.T) {
	msg := []byte("0123456789")
	cases := []struct {
		name  string
		fault faultproxy.Fault
		want  string // bytes echoed before the connection ends ("" with wantErr)
		cut   bool   // the connection must end
	}{
		{"corrupt flip", faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Corrupt, After: 3}, "012\xcc456789", false},
		{"corrupt replace", faultproxy.Fault{Dir: faultproxy.ToServer, Kind: faultproxy.Corrupt, After: 1, Replace: []byte("XY")}, "0XY3456789", false},
		{"cut to server", faultproxy.Fault{Dir: faultproxy.ToServer, Kind: faultproxy.Cut}, "", true},
		{"cut to client", faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Cut}, "", true},
		{"truncate", faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Truncate, N: 4}, "0123", true},
		{"drop after", faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Drop, After: 6}, "012345", true},
		{"delay", faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Delay, Delay: 20 * time.Millisecond}, "0123456789", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := faultproxy.Start(t, echoServer(t))
			c := dial(t, p)
			p.Set(tc.fault)
			have, err := roundTrip(c, msg, 3*time.Second)
			if string(have) != tc.want {
				t.Fatalf("have %q, want %q (err %v)", have, tc.want, err)
			}
			if tc.cut {
				if err == nil {
					t.Fatalf("connection still open after %v", tc.fault.Kind)
				}
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatalf("connection hung instead of closing: %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestStallAndResume(t *testing.T) {
	p := faultproxy.Start(t, echoServer(t))
	c := dial(t, p)
	p.Set(faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Stall, After: 2})
	have, err := roundTrip(c, []byte("abcd"), 100*time.Millisecond)
	if string(have) != "ab" || err == nil {
		t.Fatalf("stalled: have %q, %v; want \"ab\" then a timeout", have, err)
	}
	p.Clear()
	_ = c.SetDeadline(time.Now().Add(3 * time.Second))
	rest := make([]byte, 2)
	if _, err := io.ReadFull(c, rest); err != nil || string(rest) != "cd" {
		t.Fatalf("after Clear: have %q, %v", rest, err)
	}
}

func TestOnceAndCutAll(t *testing.T) {
	p := faultproxy.Start(t, echoServer(t))
	p.Set(faultproxy.Fault{Dir: faultproxy.ToServer, Kind: faultproxy.Cut, Once: true})
	c1 := dial(t, p)
	if _, err := roundTrip(c1, []byte("x"), 3*time.Second); err == nil {
		t.Fatal("first connection not cut")
	}
	c2 := dial(t, p)
	if have, err := roundTrip(c2, []byte("y"), 3*time.Second); err != nil || string(have) != "y" {
		t.Fatalf("second connection after a Once fault: %q, %v", have, err)
	}
	if p.Fired() != 1 {
		t.Fatalf("Fired = %d, want 1", p.Fired())
	}
	p.CutAll()
	if _, err := roundTrip(c2, []byte("z"), 3*time.Second); err == nil {
		t.Fatal("CutAll left the connection open")
	}
}

func TestCloseWaitsForGoroutines(t *testing.T) {
	target := echoServer(t)
	before := runtime.NumGoroutine()
	p := faultproxy.Start(t, target)
	p.Set(faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Stall})
	for i := 0; i < 5; i++ {
		c := dial(t, p)
		_, _ = c.Write([]byte("stalled"))
	}
	deadline := time.Now().Add(3 * time.Second)
	for p.Open() < 5 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	p.Close()
	p.Close()
	// The echo server's own goroutines end when the proxy's server-side
	// sockets close; allow them a moment.
	for time.Now().Before(deadline.Add(2 * time.Second)) {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("goroutines: %d before, %d after Close", before, runtime.NumGoroutine())
}
