// Command soak runs a verifying workload against a Redis server for a
// while, optionally SIGKILLing and restarting the server, and checks that
// no command is lost and no reply is wrong.
//
//	go run ./examples/soak -duration 5m -kill-every 20s
//	go run ./examples/soak -addr 127.0.0.1:6379 -duration 1m
//
// On a server given with -addr it writes keys starting with
// txredis:example:soak:<pid>: in database 0 (or the database a URL
// selects: -addr redis://127.0.0.1:6379/15), and leaves them there.
//
// With -addr empty it starts its own redis-server (found on PATH) on a
// free loopback port, and kills it with SIGKILL every -kill-every,
// restarting it on the same port after -down. Workers send SET/GET/INCR/
// ECHO commands and pipelines, each carrying a unique value, through a
// connection (and, with -pool, a connection pool). At the end it prints
// commands sent, succeeded, failed with a ConnectionError, failed
// otherwise, LOST (sent and never resolved), WRONG (a reply no correct
// server could send), the maximum and p99 latency, and the goroutines and
// heap at start and end. It exits 1 when anything was lost, wrong or
// resolved twice, or when goroutines leaked.
package main
