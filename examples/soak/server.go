package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/txredis/txredis/internal/testserver"
)

// server is a redis-server process owned by the soak run: started on a
// free loopback port, killed with SIGKILL and restarted on the same port.
type server struct {
	bin  string
	dir  string
	addr string
	port int

	mu   sync.Mutex // protects proc
	proc *testserver.Process
}

func startServer() (*server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redis-server not found on PATH; give -addr")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "txredis-soak-")
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin, dir: dir, port: port, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	if err := s.restart(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func (s *server) pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.Pid()
}

// restart starts the process and waits until it answers PING, retrying
// while the port is still held by the killed one.
func (s *server) restart() error {
	args := []string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning"}
	logPath := filepath.Join(s.dir, "redis.log")
	var last error
	for attempt := 0; attempt < 50; attempt++ {
		proc, err := testserver.StartProcess(s.bin, args, s.dir, logPath,
			func() error { return testserver.Ping(s.addr, "") }, func() string { return "see " + logPath })
		if err == nil {
			s.mu.Lock()
			s.proc = proc
			s.mu.Unlock()
			return nil
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("redis-server on %s: %v", s.addr, last)
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	s.mu.Lock()
	proc := s.proc
	s.proc = nil
	s.mu.Unlock()
	if proc != nil {
		proc.Kill()
	}
}

// stop kills the server and removes its directory.
func (s *server) stop() {
	s.kill()
	os.RemoveAll(s.dir)
}
