package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// server is a redis-server process owned by the soak run: started on a
// free loopback port, killed with SIGKILL and restarted on the same port.
type server struct {
	bin  string
	dir  string
	addr string
	port int

	mu     sync.Mutex // protects cmd and exited
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been waited for
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
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// restart starts the process and waits until it answers PING.
func (s *server) restart() error {
	var last error
	for attempt := 0; attempt < 50; attempt++ {
		cmd := exec.Command(s.bin,
			"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
			"--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			return err
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		if last = waitPing(s.addr, exited); last == nil {
			s.mu.Lock()
			s.cmd, s.exited = cmd, exited
			s.mu.Unlock()
			return nil
		}
		_ = cmd.Process.Kill()
		<-exited
		time.Sleep(100 * time.Millisecond) // the port may still be held
	}
	return fmt.Errorf("redis-server on %s: %v", s.addr, last)
}

func waitPing(addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("exited at start")
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.SetDeadline(time.Now().Add(time.Second))
			_, _ = c.Write([]byte("PING\r\n"))
			line, err := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if err == nil && strings.HasPrefix(line, "+PONG") {
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return errors.New("no answer to PING")
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-exited
}

// stop kills the server and removes its directory.
func (s *server) stop() {
	s.kill()
	os.RemoveAll(s.dir)
}
