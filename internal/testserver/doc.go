// Package testserver starts real redis-server processes and embedded
// miniredis servers for tests.
//
// A real server listens on a free loopback port and a unix socket in a
// temporary directory, keeps nothing on disk, and is killed when the test
// ends. When redis-server is not on PATH the test is skipped with a message,
// unless TXREDIS_REQUIRE_SERVER=1 is set (as in CI), where it fails.
package testserver
