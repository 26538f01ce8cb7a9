// Package plumb holds the pieces of plumbing that package conn and the
// handle package share: argument errors, the refusal of raw commands
// that would break reply matching, the blocking-command marks, address
// parsing and redaction, and printing helpers. They depend on nothing of
// conn, so conn uses them directly on its hot path (no extra call, no
// allocation) and package handle exports them to people writing a
// handle, without conn showing them to its users. It is internal: its
// public face is package handle.
package plumb
