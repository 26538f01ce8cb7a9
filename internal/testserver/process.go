package testserver

import (
	"errors"
	"os"
	"os/exec"
	"time"
)

// Process is one server process started for a test, in a process group of
// its own so that Kill leaves nothing behind.
type Process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once the process has exited
	log    *os.File
}

// StartProcess starts bin with args in dir, appending its output to
// logPath, and waits up to 10 s until ready succeeds. When the process
// exits first or never becomes ready it is killed, and the error carries
// describe() (typically the log's last lines).
func StartProcess(bin string, args []string, dir, logPath string, ready func() error, describe func() string) (*Process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	p := &Process{cmd: cmd, exited: make(chan struct{}), log: logf}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case <-p.exited:
			logf.Close()
			return nil, errors.New("exited at start: " + describe())
		default:
		}
		if ready() == nil {
			return p, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.Kill()
	return nil, errors.New("did not become ready within 10s: " + describe())
}

// Kill sends SIGKILL to the process's group and waits until it has
// exited. Calling it again does nothing harmful.
func (p *Process) Kill() {
	killGroup(p.cmd)
	<-p.exited
	_ = p.log.Close()
}

// Pid returns the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }
