package pubsub_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pubsub"
)

// A Handler that panics must not take the program down from the delivery
// goroutine: the panic is recovered, counted and logged, and the next
// messages are still delivered.
func TestHandlerPanicIsRecoveredAndLogged(t *testing.T) {
	srv := testserver.Start(t)
	var logs safeBuffer
	var mu sync.Mutex
	var got []string
	h := pubsub.HandlerFunc(func(pattern, channel, message string) {
		if message == "boom" {
			panic("handler failed on " + message)
		}
		mu.Lock()
		got = append(got, message)
		mu.Unlock()
	})
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	s := subscriber(t, pubsub.Options{Options: conn.Options{Addr: srv.Addr(), Logger: logger}}, h)
	testutil.Must(t, s.Subscribe("ch"))
	pub := publisher(t, conn.Options{Addr: srv.Addr()})
	for _, m := range []string{"one", "boom", "two"} {
		testutil.Must(t, pub.Do("PUBLISH", "ch", m))
	}
	testutil.Eventually(t, func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 2 {
			return fmt.Errorf("delivered %v", got)
		}
		return nil
	})
	if got[0] != "one" || got[1] != "two" {
		t.Fatalf("delivered %v, want [one two]", got)
	}
	if st := s.Stats(); st.Panics != 1 || st.Delivered != 2 {
		t.Fatalf("stats %+v, want 1 panic and 2 delivered", st)
	}
	if !strings.Contains(logs.String(), "handler failed on boom") {
		t.Fatalf("panic not logged:\n%s", logs.String())
	}
}

type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
