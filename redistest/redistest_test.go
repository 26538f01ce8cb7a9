package redistest_test

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/redistest"
)

// recordingTB is a testing.TB whose errors and cleanups the test sees.
type recordingTB struct {
	testing.TB
	errs     []string
	cleanups []func()
}

func (r *recordingTB) Helper()                   {}
func (r *recordingTB) Cleanup(f func())          { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Error(args ...any)         { r.errs = append(r.errs, fmt.Sprint(args...)) }
func (r *recordingTB) Errorf(f string, a ...any) { r.errs = append(r.errs, fmt.Sprintf(f, a...)) }
func (r *recordingTB) Fatalf(f string, a ...any) { r.errs = append(r.errs, fmt.Sprintf(f, a...)) }
func (r *recordingTB) end() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// With a test, a Fake reports unexpected commands and unmet expectations
// as test errors when the test ends; an unexpected command gets an error
// reply at once.
func TestFakeReportsToTheTest(t *testing.T) {
	rt := &recordingTB{TB: t}
	f := redistest.NewFake(rt)
	f.On("GET", "wanted").Reply(proto.BulkValue("v"))
	c := f.Conn()
	_, err := testutil.Wait(t, c.Set("surprise", "1"))
	var perr *proto.Error
	if !errors.As(err, &perr) || !strings.Contains(err.Error(), `unexpected command ["SET" "surprise" "1"]`) {
		t.Fatalf("unexpected SET: %v, want the Fake's error reply", err)
	}
	rt.end()
	want := []string{`unexpected command ["SET" "surprise" "1"]`, `expected command ["GET" "wanted"] was never sent`}
	if len(rt.errs) != 1 || !strings.Contains(rt.errs[0], want[0]) || !strings.Contains(rt.errs[0], want[1]) {
		t.Errorf("errors reported to the test: %q, want both of %q", rt.errs, want)
	}
	if c.State() != conn.StateClosed {
		t.Errorf("the Fake's connection is %v after the test ended", c.State())
	}
}

// Replies are given in turn, the last repeated; Times bounds a call, and
// what is beyond it goes to the next expectation.
func TestFakeRepliesAndTimes(t *testing.T) {
	f := redistest.NewFake(t)
	f.On("INCR", "n").Reply(proto.IntValue(1), proto.IntValue(2)).Times(3)
	f.On("INCR", redistest.Any).Reply(proto.IntValue(100))
	c := f.Conn()
	var have []int64
	for i := 0; i < 4; i++ {
		have = append(have, testutil.Must(t, c.Incr("n")))
	}
	if want := []int64{1, 2, 2, 100}; !reflect.DeepEqual(have, want) {
		t.Errorf("INCR replies %v, want %v", have, want)
	}
	if err := f.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	f.On("DEL", "k").Times(1).Reply(proto.IntValue(1))
	if err := f.Check(); err == nil || !strings.Contains(err.Error(), `["DEL" "k"] 1 times, got 0`) {
		t.Errorf("Check with an unmet Times: %v", err)
	}
	testutil.Must(t, c.Del("k"))
}

// The handshake a connection sends by itself is answered without a
// script, and recorded.
func TestFakeHandshake(t *testing.T) {
	f := redistest.NewFake(t)
	f.Handle(func(args []string) proto.Value { return proto.BulkValue(strings.Join(args, " ")) })
	opts := f.Options()
	opts.Password, opts.DB, opts.Protocol, opts.ClientName = "pw", 2, 3, "app"
	c := testutil.Must(t, conn.Connect(opts))
	defer c.Disconnect()
	if v := testutil.Must(t, c.Do("ECHO", "hi")); v.Str != "ECHO hi" {
		t.Errorf("Handle's reply: %v", v)
	}
	got := f.Received()
	want := [][]string{{"HELLO", "3", "AUTH", "default", "pw", "SETNAME", "app"}, {"SELECT", "2"}, {"ECHO", "hi"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Received %q, want %q", got, want)
	}
}

// Any handle works over a Fake through its Options (here a pool).
func TestFakeUnderAPool(t *testing.T) {
	f := redistest.NewFake(t)
	f.On("GET", redistest.Any).Reply(proto.BulkValue("v"))
	p := pool.New(pool.Options{Options: f.Options(), PoolSize: 3})
	defer p.Disconnect()
	for i := 0; i < 10; i++ {
		if v := testutil.Must(t, p.Get("k")); v != "v" {
			t.Fatalf("GET through a pool: %q", v)
		}
	}
}

// A Server closes its clients and itself when the test ends, leaving no
// goroutine behind.
func TestServerClosesEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	rt := &recordingTB{TB: t}
	srv := redistest.NewServer(rt)
	c, p := srv.Conn(), srv.Pool(2)
	testutil.Must(t, c.Set("a", "1"))
	if v := testutil.Must(t, p.Get("a")); v != "1" {
		t.Errorf("pool GET %q", v)
	}
	if v, _ := srv.Get("a"); v != "1" {
		t.Errorf("the server holds %q", v)
	}
	rt.end()
	if c.State() != conn.StateClosed {
		t.Errorf("connection %v after the test", c.State())
	}
	if _, err := testutil.Wait(t, p.Get("a")); !errors.Is(err, conn.ErrClosed) {
		t.Errorf("pool after the test: %v", err)
	}
	testutil.CheckGoroutines(t, before)
	if len(rt.errs) != 0 {
		t.Errorf("errors: %q", rt.errs)
	}
}
