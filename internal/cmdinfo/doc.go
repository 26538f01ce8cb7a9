// Package cmdinfo is the table of every Redis command: arity, flags, ACL
// categories, group and where its keys are, generated from a real server's
// COMMAND INFO and COMMAND DOCS (see gen/ and testdata/).
//
// # Lookup
//
// Lookup finds a command or subcommand by name, in any case: "get",
// "CLIENT|SETNAME", "client setname". LookupCmd finds the entry of a built
// command, the subcommand of a container (CLIENT, XINFO, CONFIG...) chosen
// by its second argument.
//
// # Keys
//
// Keys returns the indexes of the key arguments of a command, found with
// the server's key specifications: by position (GET key), after a keyword
// (XREAD ... STREAMS k1 k2 id1 id2), or counted by a numkeys argument (EVAL,
// ZUNIONSTORE, LMPOP, SINTERCARD). Routers (shards, cluster) route on them.
//
// # Commands the table lacks
//
// The table is frozen at the server it was generated from. Known reports
// whether it describes a command; ParseInfo reads a COMMAND INFO entry
// into an Info at run time; a Learner asks a server (COMMAND INFO, then
// COMMAND GETKEYS when the specifications cannot tell) where the keys of
// an unknown command are, falls back to "the first argument is the key"
// when the server cannot tell either, and remembers what it learned per
// command name. Routers (shards, cluster) use it for commands newer than
// the table.
//
// # Regenerating
//
// go generate in this directory starts redis-server, rewrites the JSON in
// testdata/ and table_gen.go from it.
package cmdinfo
