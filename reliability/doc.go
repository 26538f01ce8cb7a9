// Package reliability holds the client's reliability suite: tests only,
// run by `make test` against a real redis-server (started by the tests
// from PATH; skipped when absent unless TXREDIS_REQUIRE_SERVER=1).
//
// # Faults
//
// TestConnFaults drives a connection through internal/faultproxy while
// several goroutines send commands whose replies each carry a unique
// value (the examples/soak/load workload), and injects, per direction:
// a per-chunk delay below and above the reply timeout, a stall past the
// reply timeout (also during the handshake), a cut, a truncated reply,
// a corrupted reply byte, and a drop after N bytes. For every fault it
// proves that
//
//   - every command is resolved exactly once: with the right reply, a
//     server error or a *conn.ConnectionError — never another command's
//     reply, never twice, never not at all;
//   - no command waits longer than ConnectTimeout + ReplyTimeout plus a
//     scheduling margin;
//   - commands succeed again within a bound once the fault ends;
//   - Disconnect leaves no goroutine behind.
//
// What it cannot prove: RESP carries no checksum, so a corrupted payload
// byte inside a bulk string reaches the caller as a (wrong) value; the
// corruption cases therefore hit the type byte of a reply, which a
// correct reader must reject as a protocol error.
//
// # Encoding
//
// Random binary arguments (CR, LF, NUL, high bytes) written with SET and
// read back with GET and ECHO come back byte-identical, and a key such as
// "a\r\nDEL b" names one key rather than injecting a command.
//
// # Soak
//
// TestSoakShort runs the soak workload for a few seconds against a
// redis-server that is SIGKILLed and restarted twice, and requires zero
// lost and zero wrong replies; examples/soak is the long-running version.
//
// # Resource bounds
//
// The memory of an idle connection (asserted at most 64 KiB), 100,000
// outstanding commands on one connection and the release of their memory,
// and the cap on bulk reply size (conn.Options.MaxBulk), with the figures
// written to the test log (go test -v).
//
// # Security
//
// TLS verifies the server name through the proxy; passwords appear in no
// error, log line or command String.
package reliability
