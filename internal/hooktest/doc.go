// Package hooktest records what conn.Hooks see, for the tests of every
// handle: a Recorder keeps one Event per ended operation, with the
// context values its Start saw.
package hooktest
