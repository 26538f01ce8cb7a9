//go:build !unix

package testserver

import "os/exec"

// ownGroup does nothing here: there are no process groups to start.
func ownGroup(*exec.Cmd) {}

// killGroup kills cmd's process.
func killGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
