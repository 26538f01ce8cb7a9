package redistest

import (
	"context"
	"sync"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/pool"
)

// Server is an embedded miniredis server on a loopback port. The
// embedded *miniredis.Miniredis gives the test direct access to the data
// (Get, Set, HGet, Keys, CheckGet, FlushAll...) and to time
// (FastForward). See miniredis for the commands it supports.
type Server struct {
	*miniredis.Miniredis

	mu      sync.Mutex // protects clients and closed
	clients []interface {
		Disconnect() *deferred.Deferred[struct{}]
	}
	closed bool
}

// NewServer starts an embedded server. With t not nil, a failure to
// start fails the test, and the server (with every client Conn and Pool
// made) is closed when the test ends. With a nil t, a failure to start
// panics, as httptest.NewServer does, and the caller calls Close.
func NewServer(t testing.TB) *Server {
	if t != nil {
		t.Helper()
	}
	m := miniredis.NewMiniRedis()
	if err := m.Start(); err != nil {
		if t == nil {
			panic("redistest: starting miniredis: " + err.Error())
		}
		t.Fatalf("redistest: starting miniredis: %v", err)
	}
	s := &Server{Miniredis: m}
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s
}

// Options returns the options of a connection to the server.
func (s *Server) Options() conn.Options { return conn.Options{Addr: s.Addr()} }

// Conn returns a connection to the server. It is lazy (conn.New): it
// dials in the background and its first command waits for the dial. It
// is disconnected by Close.
func (s *Server) Conn() *conn.Conn {
	c := conn.New(s.Options())
	s.track(c)
	return c
}

// Pool returns a lazy pool of size connections to the server (0: the
// pool's default), disconnected by Close.
func (s *Server) Pool(size int) *pool.Pool {
	p := pool.New(pool.Options{Options: s.Options(), PoolSize: size})
	s.track(p)
	return p
}

func (s *Server) track(c interface {
	Disconnect() *deferred.Deferred[struct{}]
}) {
	s.mu.Lock()
	closed := s.closed
	if !closed {
		s.clients = append(s.clients, c)
	}
	s.mu.Unlock()
	if closed {
		c.Disconnect()
	}
}

// Close disconnects the clients Conn and Pool made, waiting for each to
// end, and stops the server. It is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	clients := s.clients
	s.clients = nil
	already := s.closed
	s.closed = true
	s.mu.Unlock()
	if already {
		return
	}
	for _, c := range clients {
		_, _ = c.Disconnect().Wait(context.Background())
	}
	s.Miniredis.Close()
}
