// Package fakeserver is a scripted Redis server over net.Pipe for tests:
// each dial made through Dialer hands the server end of a fresh pipe to a
// handler that reads commands and writes whatever bytes the test wants,
// including malformed or truncated replies.
package fakeserver
