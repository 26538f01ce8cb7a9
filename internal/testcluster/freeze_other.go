//go:build !unix

package testcluster

import "errors"

// freeze needs signals this system does not have.
func freeze(int, bool) error { return errors.New("testcluster: freezing a process needs SIGSTOP") }
