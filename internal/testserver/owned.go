package testserver

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
)

// Owned is a redis-server process a program (not a test) owns: started
// on a free loopback port in a directory of its own, killed with SIGKILL
// and restarted on the same port and directory (so a server started with
// persistence finds its data again). Examples use it where tests use
// Start.
type Owned struct {
	bin, dir, addr string
	args           []string

	mu   sync.Mutex // protects proc
	proc *Process
}

// StartOwned starts redis-server from PATH with the extra configuration
// args given, and waits until it answers PING.
func StartOwned(args ...string) (*Owned, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redis-server not found on PATH")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "txredis-server-")
	if err != nil {
		return nil, err
	}
	s := &Owned{bin: bin, dir: dir, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	s.args = append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning"}, args...)
	if err := s.Restart(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// Addr returns the server's "127.0.0.1:port".
func (s *Owned) Addr() string { return s.addr }

// Pid returns the process id of the running server, or 0 when it is
// killed.
func (s *Owned) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return 0
	}
	return s.proc.Pid()
}

// Restart starts the process (after Kill) and waits until it answers
// PING, retrying while the port is still held by the killed one.
func (s *Owned) Restart() error {
	logPath := filepath.Join(s.dir, "redis.log")
	var last error
	for attempt := 0; attempt < 50; attempt++ {
		proc, err := StartProcess(s.bin, s.args, s.dir, logPath,
			func() error { return Ping(s.addr, "") }, func() string { return "see " + logPath })
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

// Kill sends SIGKILL and waits for the process to be gone.
func (s *Owned) Kill() {
	s.mu.Lock()
	proc := s.proc
	s.proc = nil
	s.mu.Unlock()
	if proc != nil {
		proc.Kill()
	}
}

// Stop kills the server and removes its directory.
func (s *Owned) Stop() {
	s.Kill()
	os.RemoveAll(s.dir)
}
