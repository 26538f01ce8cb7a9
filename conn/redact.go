package conn

import (
	"errors"
	"strings"

	"github.com/txredis/txredis/proto"
)

// Secrets in server replies. A server that does not know a handshake
// command echoes its arguments ("ERR unknown command 'HELLO', with args
// beginning with: '3' 'AUTH' 'default' '<password>'"), and proxies echo in
// forms of their own. The handshake's errors pass through redactError
// before they reach an error, a log line or a state event.

// redactedText replaces a password in a server's text.
const redactedText = "(redacted)"

// minPrefix is the shortest unquoted part of the password redactError
// looks for: shorter ones would redact ordinary words.
const minPrefix = 4

// redactError returns err with every sign of secret removed from the
// server's text: a server error reply or a protocol error (which quotes
// what it read). It returns err itself when there is nothing to remove;
// a redacted error keeps its kind (prefix, offset) but not the original.
func redactError(err error, secret string) error {
	if err == nil || secret == "" {
		return err
	}
	var perr *proto.Error
	if errors.As(err, &perr) {
		if msg, ok := redact(perr.Msg, secret); ok {
			return proto.NewError(msg)
		}
		return err
	}
	var pe *proto.ProtocolError
	if errors.As(err, &pe) {
		if msg, ok := redact(pe.Msg, secret); ok {
			return &proto.ProtocolError{Offset: pe.Offset, Msg: msg}
		}
	}
	return err
}

// redact removes secret from text: every run of at least minPrefix bytes
// that starts the secret (servers cut long arguments), and every quoted
// argument ('...' or "...") that is a start of the secret, however short.
// It reports whether it changed anything.
func redact(text, secret string) (string, bool) {
	var b strings.Builder
	changed := false
	for i := 0; i < len(text); {
		if n := quotedPrefix(text[i:], secret); n > 0 {
			b.WriteByte(text[i])
			b.WriteString(redactedText)
			b.WriteByte(text[i])
			i += n
			changed = true
			continue
		}
		if n := commonPrefix(text[i:], secret); n >= min(minPrefix, len(secret)) {
			b.WriteString(redactedText)
			i += n
			changed = true
			continue
		}
		b.WriteByte(text[i])
		i++
	}
	if !changed {
		return text, false
	}
	return b.String(), true
}

// quotedPrefix returns the length of the quoted argument at the start of
// s when its content is a non-empty start of secret, else 0.
func quotedPrefix(s, secret string) int {
	if len(s) < 3 || (s[0] != '\'' && s[0] != '"') {
		return 0
	}
	end := strings.IndexByte(s[1:], s[0])
	if end <= 0 {
		return 0
	}
	if content := s[1 : 1+end]; strings.HasPrefix(secret, content) {
		return end + 2
	}
	return 0
}

// commonPrefix returns the length of the longest common prefix of s and
// secret.
func commonPrefix(s, secret string) int {
	n := 0
	for n < len(s) && n < len(secret) && s[n] == secret[n] {
		n++
	}
	return n
}
