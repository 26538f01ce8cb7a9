// Command gen regenerates the cmdinfo table from a real Redis server.
//
// It starts redis-server (or uses -addr), asks it for COMMAND DOCS and
// COMMAND INFO over RESP3, writes both replies as JSON into testdata/ and
// writes table_gen.go from them. With -offline it skips the server and
// rebuilds table_gen.go from the JSON already in testdata/.
//
// Run it from internal/cmdinfo (go generate does):
//
//	go run ./gen
package main
