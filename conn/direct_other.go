//go:build !unix

package conn

import "net"

// directWriter is the direct-write and peek state of a socket; on this
// system there is none: every write goes through the writer goroutine,
// and the reader goroutine never parks (quiet.go).
type directWriter struct{}

func newDirectWriter(net.Conn) *directWriter { return nil }

func (*directWriter) write([]byte) (int, error) { return 0, nil }

func (*directWriter) readable() bool { return true }
