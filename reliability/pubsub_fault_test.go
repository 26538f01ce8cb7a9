package reliability

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/faultproxy"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/pubsub"
)

// msgCheck verifies a subscriber's messages: each channel's sequence
// numbers only grow (no duplicate, no reordering) and never exceed what
// was published.
type msgCheck struct {
	published atomic.Int64
	mu        sync.Mutex
	last      int64
	received  int64
	bad       []string
}

func (m *msgCheck) MessageReceived(pattern, channel, message string) {
	n, err := strconv.ParseInt(strings.TrimPrefix(message, "m"), 10, 64)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.received++
	switch {
	case err != nil || !strings.HasPrefix(message, "m"):
		m.bad = append(m.bad, "a message never published: "+strconv.Quote(message))
	case n <= m.last:
		m.bad = append(m.bad, fmt.Sprintf("message %d after %d: duplicated or reordered", n, m.last))
	case n > m.published.Load():
		m.bad = append(m.bad, fmt.Sprintf("message %d not published yet", n))
	default:
		m.last = n
	}
}

func (m *msgCheck) lastSeen() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last
}

// TestSubscriberFaults runs each fault against a subscriber connected
// through the proxy while a direct connection publishes numbered
// messages: messages arrive in order without duplicates, subscribe and
// unsubscribe requests made during the fault are resolved exactly once,
// the subscriber resubscribes and receives again once the fault ends,
// and Disconnect leaves nothing running.
func TestSubscriberFaults(t *testing.T) {
	srv := testserver.Start(t)
	pub := connect(t, conn.Options{Addr: srv.Addr()})
	for _, tc := range faultCases {
		t.Run(tc.name, func(t *testing.T) {
			p := faultproxy.Start(t, srv.Addr())
			before := runtime.NumGoroutine()
			ch := unique("ch:")
			var check msgCheck
			s := testutil.Must(t, pubsub.Connect(pubsub.Options{
				Options:      conn.Options{Addr: p.Addr(), DB: tc.db, ReplyTimeout: replyTimeout, ConnectTimeout: connectTimeout, Backoff: fastBackoff},
				PingInterval: 50 * time.Millisecond,
			}, &check))
			testutil.Must(t, s.Subscribe(ch))

			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the publisher, one message at a time
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					n := check.published.Add(1)
					if _, err := pub.Publish(ch, "m"+strconv.FormatInt(n, 10)).Wait(t.Context()); err != nil {
						t.Errorf("publish: %v", err)
						return
					}
					time.Sleep(time.Millisecond)
				}
			}()
			defer func() { close(stop); wg.Wait() }()

			testutil.EventuallyWithin(t, 5*time.Second, func() error {
				if check.lastSeen() < 20 {
					return errors.New("messages not flowing")
				}
				return nil
			})
			p.Set(tc.fault)
			// Requests made during the fault: each resolves exactly once,
			// in time.
			var fired atomic.Int64
			var reqs []*deferred.Deferred[[]pubsub.Confirmation]
			for i := 0; i < 5; i++ {
				extra := ch + ":extra" + strconv.Itoa(i)
				for _, d := range []*deferred.Deferred[[]pubsub.Confirmation]{s.Subscribe(extra), s.Unsubscribe(extra)} {
					d.Observe(func([]pubsub.Confirmation, error) { fired.Add(1) })
					reqs = append(reqs, d)
				}
				time.Sleep(replyTimeout / 4)
			}
			faultStart := time.Now()
			for _, d := range reqs {
				if _, err := testutil.Wait(t, d); err != nil && !errors.Is(err, conn.ErrConnection) {
					t.Errorf("request during the fault: %v, want success or a ConnectionError", err)
				}
			}
			if waited, bound := time.Since(faultStart), connectTimeout+replyTimeout+margin; waited > bound {
				t.Errorf("requests took %v to resolve, over %v", waited, bound)
			}
			p.Clear()

			mark := check.published.Load()
			recovered := testutil.EventuallyWithin(t, 5*time.Second, func() error {
				if check.lastSeen() <= mark {
					return fmt.Errorf("no message published after the fault (from %d) received; last %d", mark, check.lastSeen())
				}
				return nil
			})
			close(stop)
			wg.Wait()
			stop = make(chan struct{})
			testutil.Must(t, s.Disconnect())
			if n := fired.Load(); n != int64(len(reqs)) {
				t.Errorf("%d requests, %d resolutions", len(reqs), n)
			}
			check.mu.Lock()
			bad, received := check.bad, check.received
			check.mu.Unlock()
			st := s.Stats()
			t.Logf("%s: recovered in %v; published %d, received %d, reconnects %d, dropped %d",
				tc.name, recovered.Round(time.Millisecond), check.published.Load(), received, st.Reconnects, st.Dropped)
			if len(bad) > 0 {
				t.Errorf("%d wrong messages, first: %s", len(bad), bad[0])
			}
			if tc.breaks && st.Reconnects == 0 && tc.fault.Kind != faultproxy.Delay {
				t.Errorf("the fault did not make the subscriber reconnect")
			}
			testutil.CheckGoroutines(t, before)
		})
	}
}
