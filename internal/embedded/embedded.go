package embedded

import (
	"fmt"
	"io"
	"os"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/conn"
)

// KeyPrefix begins every key and channel the example programs use, so
// that pointed at a real server they touch nothing but keys of their own.
const KeyPrefix = "txredis:example:"

// AddrUsage is the help text of the examples' -addr flag.
const AddrUsage = "redis address: host:port, a unix socket path, or a URL such as redis://localhost:6379/15 " +
	"to pick the database (default: $REDIS_ADDR, else an embedded server). " +
	"The example writes only keys starting with \"" + KeyPrefix + "\", in that database (0 unless the URL says), and leaves them there"

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

// Notice tells, for a real server, what the example writes there: keys
// starting with prefix, in the database its address selects.
func (s *Server) Notice(w io.Writer, prefix string) {
	if s.Embedded() {
		return
	}
	fmt.Fprintln(w, Where(s.Addr, prefix))
}

// Host is the server addr names, without what a URL adds (its password
// above all): "localhost:6379" for "redis://:pw@localhost:6379/2".
func Host(addr string) string {
	o, _ := conn.Options{Addr: addr}.ApplyURL()
	return o.Addr
}

// Where describes the keys an example writes at addr: "(writing keys
// txredis:example:hello:* in database 0 of localhost:6379; they are left
// there)".
func Where(addr, prefix string) string {
	o, err := conn.Options{Addr: addr}.ApplyURL()
	if err != nil {
		return fmt.Sprintf("(writing keys %s* at %s)", prefix, o.Addr)
	}
	if o.Addr == "" {
		o.Addr = conn.DefaultAddr
	}
	return fmt.Sprintf("(writing keys %s* in database %d of %s; they are left there)", prefix, o.DB, o.Addr)
}
