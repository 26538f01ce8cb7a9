// Command web is the "Lazy Connections" example of the txredisapi README
// in Go: the cyclone web application that exposes Redis' GET, SET and DEL
// over HTTP, as a net/http server on a lazy connection pool.
//
//	go run ./examples/web [-addr host:port|redis://host:port/db] [-listen 127.0.0.1:8888]
//
// Then, from another terminal:
//
//	curl -D - -d "value=bar" http://localhost:8888/text/foo    # SET: foo=bar
//	curl -D - http://localhost:8888/text/foo                   # GET: foo=bar
//	curl -D - -X DELETE http://localhost:8888/text/foo         # DEL foo=1
//
// The key foo of /text/foo is the Redis key txredis:example:web:foo: the
// application reads, writes and deletes only keys starting with
// txredis:example:web:, in database 0 (or the database an -addr URL
// selects), and leaves them there.
//
// The pool is lazy (lazy.ConnectionPool): the server starts at once, even
// when Redis is down. While Redis is down every request fails at once
// with 503 Service Unavailable and the failure is logged; when Redis is
// back the pool reconnects by itself and the requests succeed again. Try
// it with a real server (without -addr or REDIS_ADDR the program uses an
// embedded miniredis, which cannot be killed from outside): kill it, make
// a couple of requests, start it again and give it another try.
package main
