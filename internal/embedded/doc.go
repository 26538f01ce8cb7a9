// Package embedded gives the example programs a server to talk to: the
// address the user gave (-addr or REDIS_ADDR), or else a fresh embedded
// miniredis on a loopback port. On a real server the examples write only
// keys starting with KeyPrefix, and say so (Notice, AddrUsage).
package embedded
