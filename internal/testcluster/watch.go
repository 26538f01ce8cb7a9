package testcluster

import (
	"bufio"
	"net"
	"sync"
	"time"

	"github.com/txredis/txredis/proto"
)

// Event is one message a sentinel published.
type Event struct {
	At       time.Time
	Sentinel int // index in Sentinels
	Channel  string
	Payload  string
}

// Watcher records what the sentinels publish on some channels, for tests
// that time a client against the sentinels' own events.
type Watcher struct {
	conns []net.Conn
	wg    sync.WaitGroup

	mu     sync.Mutex // protects events
	events []Event
}

// Watch subscribes to channels on every sentinel and records the
// messages until Stop. It returns once every subscription is confirmed.
func (s *Sentinel) Watch(channels ...string) (*Watcher, error) {
	w := &Watcher{}
	for i, n := range s.Sentinels {
		c, err := net.DialTimeout("tcp", n.Addr(), time.Second)
		if err != nil {
			w.Stop()
			return nil, err
		}
		w.conns = append(w.conns, c)
		args := append([]string{"SUBSCRIBE"}, channels...)
		if _, err := c.Write(proto.AppendCommand(nil, args...)); err != nil {
			w.Stop()
			return nil, err
		}
		r := proto.NewReader(bufio.NewReader(c), proto.ReaderOptions{})
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		for range channels {
			if _, err := r.ReadValue(); err != nil {
				w.Stop()
				return nil, err
			}
		}
		_ = c.SetReadDeadline(time.Time{})
		w.wg.Add(1)
		go w.read(i, r)
	}
	return w, nil
}

func (w *Watcher) read(i int, r *proto.Reader) {
	defer w.wg.Done()
	for {
		v, err := r.ReadValue()
		if err != nil {
			return
		}
		if len(v.Elems) == 3 && v.Elems[0].Str == "message" {
			w.mu.Lock()
			w.events = append(w.events, Event{At: time.Now(), Sentinel: i, Channel: v.Elems[1].Str, Payload: v.Elems[2].Str})
			w.mu.Unlock()
		}
	}
}

// First returns the first message recorded on channel, if any.
func (w *Watcher) First(channel string) (Event, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.events {
		if e.Channel == channel {
			return e, true
		}
	}
	return Event{}, false
}

// Events returns every message recorded so far, in the order received.
func (w *Watcher) Events() []Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Event(nil), w.events...)
}

// Stop closes the subscriptions and waits for their readers.
func (w *Watcher) Stop() {
	for _, c := range w.conns {
		c.Close()
	}
	w.wg.Wait()
}
