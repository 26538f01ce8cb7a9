//go:build unix

package testcluster

import "syscall"

// freeze stops (SIGSTOP) or resumes (SIGCONT) process pid.
func freeze(pid int, stop bool) error {
	if stop {
		return syscall.Kill(pid, syscall.SIGSTOP)
	}
	return syscall.Kill(pid, syscall.SIGCONT)
}
