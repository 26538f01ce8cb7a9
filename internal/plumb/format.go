package plumb

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Redacted is what printed options show in place of a password; it
// equals handle.Redacted (handle's tests check it).
const Redacted = "[redacted]"

// WriteFormatted writes s for any fmt verb: quoted for %q, as it is
// otherwise, so that no verb falls back to printing a handle's fields.
func WriteFormatted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// Network splits an address into the network and address net.Dial takes:
// "/path" and "unix:///path" are unix sockets, anything else is TCP.
func Network(addr string) (network, address string) {
	switch {
	case strings.HasPrefix(addr, "unix://"):
		return "unix", strings.TrimPrefix(addr, "unix://")
	case strings.HasPrefix(addr, "/"):
		return "unix", addr
	case strings.HasPrefix(addr, "tcp://"):
		return "tcp", strings.TrimPrefix(addr, "tcp://")
	}
	return "tcp", addr
}
