package conn_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/proto"
)

// FuzzConnStream answers a few pipelined commands with fuzzed bytes and
// then closes the connection. The connection must not panic or hang,
// every command must be resolved, and the replies it delivers must be
// exactly the frames an independent Reader finds in the bytes, in order:
// command i gets frame i (a server error frame as a *proto.Error), and a
// command with no complete frame fails with a ConnectionError.
func FuzzConnStream(f *testing.F) {
	for _, s := range []string{
		"+OK\r\n", "$2\r\ne0\r\n$2\r\ne1\r\n", "-ERR boom\r\n:1\r\n", "$-1\r\n*-1\r\n_\r\n",
		"+OK\r\n+OK\r\n+OK\r\n+OK\r\n", "$5\r\nab", "*2\r\n$1\r\na\r\n", ">2\r\n+message\r\n+x\r\n+after\r\n",
		"|1\r\n+k\r\n+v\r\n+OK\r\n", "%1\r\n+a\r\n:1\r\n", "$100000\r\n", "+OK\r\n\x00garbage", "!3\r\nerr\r\n",
		"=7\r\ntxt:abc\r\n", ",1.5\r\n#t\r\n(123\r\n", "*1\r\n*1\r\n*1\r\n:1\r\n", "+OK\n", "",
	} {
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, data []byte, count uint8) {
		n := int(count%8) + 1
		const maxBulk = 1 << 16
		var served bool
		srv := fakeserver.New(func(p *fakeserver.Peer) {
			if served {
				return // only the first connection gets the bytes
			}
			served = true
			for i := 0; i < n; i++ {
				if _, err := p.ReadCommand(); err != nil {
					return
				}
			}
			_, _ = p.Write(data)
		})
		defer srv.Close()
		c, err := conn.Connect(conn.Options{Addr: "fuzz:6379", Dialer: srv.Dialer, NoReconnect: true, MaxBulk: maxBulk}).Wait(context.Background())
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		ds := make([]*deferred.Deferred[proto.Value], n)
		for i := range ds {
			ds[i] = c.Do("ECHO", "e"+strconv.Itoa(i))
		}

		// The frames a correct connection delivers, in order: every frame
		// but RESP3 pushes, which are never replies.
		rd := proto.NewReader(bufio.NewReaderSize(bytes.NewReader(data), 64), proto.ReaderOptions{MaxBulk: maxBulk})
		var frames []proto.Value
		for len(frames) < n {
			v, err := rd.ReadValue()
			if err != nil {
				break
			}
			if v.Kind != proto.Push {
				frames = append(frames, v)
			}
		}

		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for i, d := range ds {
			have, err := d.Wait(ctx)
			if ctx.Err() != nil {
				t.Fatalf("command %d of %d not resolved within 5s (data %q)", i, n, data)
			}
			if i >= len(frames) {
				if !errors.Is(err, conn.ErrConnection) {
					t.Fatalf("command %d has no frame in %q: have %v, %v; want a ConnectionError", i, data, have, err)
				}
				continue
			}
			want := frames[i]
			if want.IsError() {
				var perr *proto.Error
				if !errors.As(err, &perr) || perr.Error() != want.Err().Error() {
					t.Fatalf("command %d: have %v, %v; want the server error %v (data %q)", i, have, err, want, data)
				}
				continue
			}
			if err != nil {
				t.Fatalf("command %d: have error %v; want %v (data %q)", i, err, want, data)
			}
			if !have.Equal(want) {
				t.Fatalf("command %d: have %v, want %v (data %q)", i, have, want, data)
			}
			// A delivered value must be well-formed: it encodes to a frame
			// that reads back equal.
			again, err := proto.NewReader(bufio.NewReader(bytes.NewReader(proto.AppendValue(nil, have))), proto.ReaderOptions{}).ReadValue()
			if err != nil || !again.Equal(have) {
				t.Fatalf("command %d: delivered value %v does not round-trip: %v, %v", i, have, again, err)
			}
		}
		if _, err := c.Disconnect().Wait(ctx); err != nil || ctx.Err() != nil {
			t.Fatalf("Disconnect: %v, %v", err, ctx.Err())
		}
	})
}
