// Package cachecheck checks that a cached view never returns a value
// older than a sync point: a writer raises the versions of a set of keys
// through another connection and, after each acknowledged write,
// completes one round trip on every connection of the view (Sync); from
// then on no read through the view may return an older version of that
// key. Readers hammer the view meanwhile, and a chaos hook may restart
// the server or kill connections. The short form runs in the package's
// tests; examples/cache-check runs a million reads.
package cachecheck
