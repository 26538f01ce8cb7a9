// Command pool is the "Connection Handlers" example of the txredisapi
// README in Go: a connection pool sets foo, sleeps so that you can kill
// the server, then gets foo. If the server went away, the command fails
// with a connection error (errors.Is(err, conn.ErrConnection)), which is
// printed; otherwise the value is.
//
//	go run ./examples/pool [-addr host:port|redis://host:port/db] [-sleep 5s]
//
// On a real server it writes one key, txredis:example:pool:foo, in
// database 0 (or the database the URL selects), and leaves it there.
//
// Without -addr (or REDIS_ADDR) it runs on an embedded miniredis, which
// cannot be killed from outside: give it a real server to try the
// failure, e.g. redis-server --port 6380 and -addr localhost:6380.
package main
