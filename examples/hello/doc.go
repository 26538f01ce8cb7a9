// Command hello is the first example of the txredisapi README in Go: a
// connection, SET, GET, and disconnect.
//
//	go run ./examples/hello [-addr host:port]
package main
