// Command transaction is the "Transactions" example of the txredisapi
// README in Go: on a connection pool, delete a1 a2 a3, start a
// transaction, queue three SETs and a GET, use the pool for an ordinary
// GET while the transaction is open, then commit and print every reply.
//
//	go run ./examples/transaction [-addr host:port|redis://host:port/db]
//
// On a real server it deletes and writes txredis:example:transaction:a1,
// a2 and a3 and reads txredis:example:transaction:foo, in database 0 (or
// the database the URL selects), and leaves them there.
//
// Commit is txredisapi's commit (EXEC). In txredisapi each command sent
// on the transaction fired with "QUEUED"; in txredis each fires at Commit
// with its own typed result, so the program keeps them and reads them
// after the commit instead of waiting for them before it.
package main
