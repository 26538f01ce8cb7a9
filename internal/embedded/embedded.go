package embedded

import (
	"fmt"
	"os"

	"github.com/alicebob/miniredis/v2"
)

// Server is where an example sends its commands.
type Server struct {
	Addr string
	// Mini is the embedded server, nil when a real address was given.
	Mini *miniredis.Miniredis
}

// Close stops the embedded server, if any.
func (s *Server) Close() {
	if s.Mini != nil {
		s.Mini.Close()
	}
}

// Embedded reports whether the server is an embedded miniredis.
func (s *Server) Embedded() bool { return s.Mini != nil }

// Resolve returns addr if not empty, else $REDIS_ADDR, else a new embedded
// miniredis server (and says so on stdout).
func Resolve(addr string) (*Server, error) {
	if addr == "" {
		addr = os.Getenv("REDIS_ADDR")
	}
	if addr != "" {
		return &Server{Addr: addr}, nil
	}
	m, err := miniredis.Run()
	if err != nil {
		return nil, fmt.Errorf("starting embedded server: %w", err)
	}
	fmt.Printf("(no -addr or REDIS_ADDR given: using an embedded miniredis at %s)\n", m.Addr())
	return &Server{Addr: m.Addr(), Mini: m}, nil
}
