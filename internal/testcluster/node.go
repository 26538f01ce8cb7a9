package testcluster

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/proto"
)

// Node is one redis-server process (a cluster node, a sentinel-monitored
// server or a sentinel) on a loopback port, with its own directory so that
// a restart finds its nodes.conf or sentinel.conf again.
type Node struct {
	bin  string
	dir  string
	port int
	conf string   // config file given first (sentinels), or ""
	args []string // extra arguments after the common ones

	mu     sync.Mutex // protects proc and frozen
	proc   *testserver.Process
	frozen bool
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startNode starts redis-server in dir on port with args, retrying on a new
// port when the port was taken meanwhile (portArgs rebuilds args that
// depend on the port).
func startNode(bin, dir, conf string, portArgs func(port int) ([]string, error)) (*Node, error) {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var port int
		if port, err = freePort(); err != nil {
			return nil, err
		}
		var args []string
		if args, err = portArgs(port); err != nil {
			return nil, err
		}
		n := &Node{bin: bin, dir: dir, conf: conf, port: port, args: args}
		if err = n.start(); err == nil {
			return n, nil
		}
	}
	return nil, err
}

func (n *Node) commandLine() []string {
	var base []string
	if n.conf != "" {
		base = append(base, n.conf)
	}
	base = append(base,
		"--port", strconv.Itoa(n.port),
		"--bind", "127.0.0.1",
		"--dir", n.dir,
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--protected-mode", "no",
		"--loglevel", "notice",
		"--logfile", filepath.Join(n.dir, "redis.log"),
	)
	return append(base, n.args...)
}

// start runs the process and waits until it answers PING.
func (n *Node) start() error {
	if err := os.MkdirAll(n.dir, 0o700); err != nil {
		return err
	}
	proc, err := testserver.StartProcess(n.bin, n.commandLine(), n.dir, filepath.Join(n.dir, "stdout.log"),
		func() error { _, err := n.Do("PING"); return err }, n.LogTail)
	if err != nil {
		return fmt.Errorf("testcluster: redis-server on port %d: %w", n.port, err)
	}
	n.mu.Lock()
	n.proc = proc
	n.mu.Unlock()
	return nil
}

// Addr returns "127.0.0.1:port".
func (n *Node) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(n.port)) }

// Port returns the node's TCP port.
func (n *Node) Port() int { return n.port }

// Dir returns the node's working directory.
func (n *Node) Dir() string { return n.dir }

// Alive reports whether the process is running and not frozen (a frozen
// node cannot answer the harness's own queries).
func (n *Node) Alive() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.proc != nil && !n.frozen
}

// Freeze stops the process with SIGSTOP: it keeps its sockets, and the
// kernel keeps accepting connections and bytes for it, but it answers
// nothing until Thaw.
func (n *Node) Freeze() error { return n.signal(true) }

// Thaw resumes a frozen process with SIGCONT.
func (n *Node) Thaw() error { return n.signal(false) }

func (n *Node) signal(frozen bool) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc == nil {
		return fmt.Errorf("testcluster: node %s is not running", n.Addr())
	}
	if err := freeze(n.proc.Pid(), frozen); err != nil {
		return err
	}
	n.frozen = frozen
	return nil
}

// Kill sends SIGKILL to the node and waits until the process is gone.
func (n *Node) Kill() {
	n.mu.Lock()
	proc := n.proc
	n.proc = nil
	n.frozen = false
	n.mu.Unlock()
	if proc != nil {
		proc.Kill()
	}
}

// Restart starts the node again on the same port, in the same directory.
func (n *Node) Restart() error {
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		if err = n.start(); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

// LogTail returns the last lines of the node's log, for failure messages.
func (n *Node) LogTail() string {
	b, err := os.ReadFile(filepath.Join(n.dir, "redis.log"))
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

// Do sends one command over a fresh connection and returns the reply; an
// error reply is returned as a *proto.Error.
func (n *Node) Do(args ...string) (proto.Value, error) {
	return Do(n.Addr(), args...)
}

// Do sends one command to addr over a fresh connection (2s deadline) and
// returns the reply; an error reply is returned as a *proto.Error.
func Do(addr string, args ...string) (proto.Value, error) {
	return DoAuth(addr, "", args...)
}

// DoAuth is Do on a connection that first authenticates with password,
// when it is not empty.
func DoAuth(addr, password string, args ...string) (proto.Value, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return proto.Value{}, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	var req []byte
	if password != "" {
		req = proto.AppendCommand(req, "AUTH", password)
	}
	if _, err := c.Write(proto.AppendCommand(req, args...)); err != nil {
		return proto.Value{}, err
	}
	r := proto.NewReader(bufio.NewReader(c), proto.ReaderOptions{})
	if password != "" {
		if v, err := r.ReadValue(); err != nil || v.IsError() {
			if err == nil {
				err = v.Err()
			}
			return v, err
		}
	}
	v, err := r.ReadValue()
	if err != nil {
		return proto.Value{}, err
	}
	if v.IsError() {
		return v, v.Err()
	}
	return v, nil
}

// info returns the field of an INFO-style reply ("k:v" lines).
func info(text, field string) string {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v
		}
	}
	return ""
}

// poll calls f every 20ms until it returns nil or timeout passes.
func poll(timeout time.Duration, f func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("testcluster: not within %v: %w", timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var errNotYet = errors.New("not yet")
