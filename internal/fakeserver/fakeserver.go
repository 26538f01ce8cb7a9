package fakeserver

import (
	"bufio"
	"context"
	"net"
	"sync"
	"sync/atomic"

	"github.com/txredis/txredis/proto"
)

// Server hands out pipe connections and runs Handler on the server end of
// each. The zero value is not usable; use New.
type Server struct {
	handler func(*Peer)

	dials  atomic.Int64
	writes atomic.Int64 // Write calls made by clients

	mu     sync.Mutex // protects peers and closed
	peers  []*Peer
	closed bool
	wg     sync.WaitGroup
}

// New returns a server running handler for every accepted connection.
func New(handler func(*Peer)) *Server { return &Server{handler: handler} }

// Dialer is a conn.Options.Dialer that connects to the server.
func (s *Server) Dialer(ctx context.Context, network, addr string) (net.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, &net.OpError{Op: "dial", Net: "pipe", Err: net.ErrClosed}
	}
	client, server := net.Pipe()
	p := &Peer{Conn: server, r: proto.NewReader(bufio.NewReader(server), proto.ReaderOptions{})}
	s.peers = append(s.peers, p)
	s.dials.Add(1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer server.Close()
		s.handler(p)
	}()
	return &countingConn{Conn: client, writes: &s.writes}, nil
}

// Dials returns how many connections were made.
func (s *Server) Dials() int { return int(s.dials.Load()) }

// Writes returns how many Write calls clients made.
func (s *Server) Writes() int { return int(s.writes.Load()) }

// Refuse makes later dials fail (as a server that is down) or succeed.
func (s *Server) Refuse(refuse bool) {
	s.mu.Lock()
	s.closed = refuse
	s.mu.Unlock()
}

// CloseAll closes the server end of every connection made so far.
func (s *Server) CloseAll() {
	s.mu.Lock()
	peers := s.peers
	s.peers = nil
	s.mu.Unlock()
	for _, p := range peers {
		p.Close()
	}
}

// Close refuses new dials, closes every connection and waits for the
// handlers to return.
func (s *Server) Close() {
	s.Refuse(true)
	s.CloseAll()
	s.wg.Wait()
}

// Peer is the server end of one client connection.
type Peer struct {
	net.Conn
	r *proto.Reader
}

// ReadCommand reads one command as its arguments.
func (p *Peer) ReadCommand() ([]string, error) {
	v, err := p.r.ReadValue()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		out[i] = e.Str
	}
	return out, nil
}

// Send writes raw bytes to the client.
func (p *Peer) Send(raw string) error {
	_, err := p.Write([]byte(raw))
	return err
}

// Reply writes v to the client.
func (p *Peer) Reply(v proto.Value) error {
	_, err := p.Write(proto.AppendValue(nil, v))
	return err
}

// Serve answers every command with answer(args) until the connection ends.
func (p *Peer) Serve(answer func(args []string) proto.Value) {
	for {
		args, err := p.ReadCommand()
		if err != nil {
			return
		}
		if p.Reply(answer(args)) != nil {
			return
		}
	}
}

// Echo answers each command with its last argument as a bulk string (and
// PING with PONG): a reply that tells which command it belongs to.
func Echo(args []string) proto.Value {
	if len(args) == 1 {
		return proto.SimpleValue("PONG")
	}
	return proto.BulkValue(args[len(args)-1])
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}
