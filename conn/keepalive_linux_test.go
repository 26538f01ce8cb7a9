package conn

import (
	"net"
	"syscall"
	"testing"
	"time"
)

// A connection blocked on BLPOP 0 has no reply deadline: a peer that
// vanishes from the network (a partition, a machine powered off) is found
// by TCP keepalive, tuned to give up after about 30s instead of the
// system's two hours or Go's 15s + 9 x 15s.
func TestKeepAliveTuned(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	c := New(Options{Addr: ln.Addr().String()})
	defer c.Disconnect()
	deadline := time.Now().Add(5 * time.Second)
	var nc net.Conn
	for nc == nil && time.Now().Before(deadline) {
		c.mu.Lock()
		nc = c.nc
		c.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	if nc == nil {
		t.Fatal("no socket")
	}
	raw, err := nc.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ opt, v int }{
		"SO_KEEPALIVE":  {syscall.SO_KEEPALIVE, 1},
		"TCP_KEEPIDLE":  {syscall.TCP_KEEPIDLE, int(keepAlive.Idle / time.Second)},
		"TCP_KEEPINTVL": {syscall.TCP_KEEPINTVL, int(keepAlive.Interval / time.Second)},
		"TCP_KEEPCNT":   {syscall.TCP_KEEPCNT, keepAlive.Count},
	}
	for name, w := range want {
		level := syscall.IPPROTO_TCP
		if name == "SO_KEEPALIVE" {
			level = syscall.SOL_SOCKET
		}
		var have int
		var gerr error
		_ = raw.Control(func(fd uintptr) { have, gerr = syscall.GetsockoptInt(int(fd), level, w.opt) })
		if gerr != nil || have != w.v {
			t.Errorf("%s = %d (%v), want %d", name, have, gerr, w.v)
		}
	}
	if total := keepAlive.Idle + time.Duration(keepAlive.Count)*keepAlive.Interval; total > time.Minute {
		t.Errorf("keepalive gives up after %v", total)
	}
}
