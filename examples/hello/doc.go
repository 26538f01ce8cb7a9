// Command hello is the first example of the txredisapi README in Go: a
// connection, SET, GET, and disconnect.
//
//	go run ./examples/hello [-addr host:port|redis://host:port/db]
//
// Without -addr (or REDIS_ADDR) it runs on an embedded miniredis. On a
// real server it writes one key, txredis:example:hello:foo, in database 0
// (or the database the URL selects), and leaves it there.
package main
