// Package redistest helps test code that uses txredis, as miniredis and
// rueidis's mock do for their clients. It offers two kinds of server:
//
//   - Server, an embedded miniredis (github.com/alicebob/miniredis/v2) on
//     a loopback port: a real enough Redis for most tests, whose data the
//     test can read and set directly, and whose clock it can move
//     (FastForward). Conn and Pool return clients connected to it.
//   - Fake, a scripted server over net.Pipe: no port, no data, only the
//     replies the test gives for the commands it expects (On), so that a
//     test can see exactly which commands the code sends and make the
//     server answer what is hard to get from a real one: an error, a lost
//     connection (Drop, Refuse), a late reply (a Handle function that
//     sleeps), the reply of a newer server. Its Sender answers from the
//     same script without any connection, on the caller's goroutine, for
//     unit tests of code written against conn.Commands.
//
// With a *testing.T (or B, F), every constructor closes what it made when
// the test ends, and a Fake reports the commands nobody expected and the
// expectations never met as test errors. Outside a test (examples, a
// program's own tooling) pass nil: then call Close (and Fake.Check)
// yourself.
//
// # Dependencies
//
// This package imports miniredis, which the txredis module already
// requires for its own tests and examples. The client packages (conn,
// pool, shard, cluster, ...) do not import it: a program that does not
// import redistest does not link miniredis. Importing redistest from a
// _test.go file keeps it out of the program's binary as well.
//
// # Concurrency
//
// Server and Fake are safe for concurrent use. A Fake answers each
// connection's commands in the order they arrive, on a goroutine of its
// own per connection; On and Handle may be called while clients are
// connected.
package redistest
