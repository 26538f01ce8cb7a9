package plumb

import (
	"errors"
	"fmt"
)

// ErrBadArgs is conn.ErrBadArgs: arguments rejected before anything is
// sent.
var ErrBadArgs = errors.New("txredis: invalid arguments")

// BadArgs returns an error wrapping ErrBadArgs for the named command.
func BadArgs(command, format string, a ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrBadArgs, command, fmt.Sprintf(format, a...))
}
