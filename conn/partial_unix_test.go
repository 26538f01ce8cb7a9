//go:build unix

package conn_test

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// smallBuffers sets a socket's kernel buffers to their minimum, so that
// a write of a few tens of kilobytes to a peer that does not read is
// taken only in part.
func smallBuffers(_, _ string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		if serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, 1); serr == nil {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1)
		}
	})
	if err != nil {
		return err
	}
	return serr
}

// A command written directly by its sender on an idle connection that
// the socket takes only in part is finished by the writer goroutine,
// before the commands sent meanwhile: the server reads every command
// whole and in order, and each reply answers its own command.
func TestPartialDirectWriteKeepsByteOrder(t *testing.T) {
	lc := net.ListenConfig{Control: smallBuffers}
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	paused := make(chan struct{})
	resume := make(chan struct{})
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		rd := proto.NewReader(bufio.NewReader(nc), proto.ReaderOptions{})
		for {
			v, err := rd.ReadValue()
			if err != nil {
				return
			}
			args := v.Elems
			reply := "+OK\r\n"
			if args[0].Str == "ECHO" {
				// The length and first byte of every argument: enough to
				// tell commands and their pieces apart.
				var b strings.Builder
				for _, a := range args[1:] {
					b.WriteString(strconv.Itoa(len(a.Str)))
					b.WriteByte(a.Str[0])
					if strings.Count(a.Str, a.Str[:1]) != len(a.Str) {
						b.WriteString("!mixed")
					}
				}
				reply = string(proto.AppendValue(nil, proto.BulkValue(b.String())))
			}
			if _, err := nc.Write([]byte(reply)); err != nil {
				return
			}
			if args[0].Str == "PAUSE" {
				close(paused)
				<-resume
			}
		}
	}()
	d := net.Dialer{Control: smallBuffers}
	c := testutil.Must(t, conn.Connect(conn.Options{Addr: ln.Addr().String(), Dialer: d.DialContext}))
	defer c.Disconnect()
	testutil.Must(t, c.Do("PAUSE"))
	<-paused

	// Idle again: the sender writes the first command itself. Its five
	// arguments, each below proto.LargeArg, are copied into one buffer
	// far larger than what the socket takes without the server reading.
	big := make([]any, 0, 6)
	big = append(big, "ECHO")
	want := []string{""}
	for i := 0; i < 5; i++ {
		a := strings.Repeat(string(rune('a'+i)), proto.LargeArg-1)
		big = append(big, a)
		want[0] += strconv.Itoa(len(a)) + a[:1]
	}
	ds := []*deferred.Deferred[proto.Value]{c.Do(big...)}
	for i := 0; i < 20; i++ {
		a := strings.Repeat(string(rune('A'+i)), 100+i)
		ds = append(ds, c.Do("ECHO", a))
		want = append(want, strconv.Itoa(len(a))+a[:1])
	}
	close(resume)
	for i, d := range ds {
		v, err := testutil.Wait(t, d)
		if err != nil {
			t.Fatalf("command %d: %v", i, err)
		}
		if v.Str != want[i] {
			t.Fatalf("command %d answered %q, want %q", i, v.Str, want[i])
		}
	}
}
