// Package embedded gives the example programs a server to talk to: the
// address the user gave (-addr or REDIS_ADDR), or else a fresh embedded
// miniredis on a loopback port.
package embedded
