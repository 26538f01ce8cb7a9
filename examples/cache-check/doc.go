// Command cache-check runs the stale-read checker of client-side caching
// (internal/cachecheck) for a million reads per handle, with the server
// restarted and the connections killed along the way.
//
//	go run ./examples/cache-check                 # every handle, 1,000,000 reads each
//	go run ./examples/cache-check -reads 100000 -handles conn-resp3
//	go run ./examples/cache-check -addr 127.0.0.1:6379 -handles pool-resp3
//
// For each handle (a RESP3 connection in the default, OPTIN and BCAST
// tracking modes, a RESP2 connection with its REDIRECT connection, RESP3
// and RESP2 pools of 4, a ring of two servers, and a Redis Cluster of
// three masters over RESP3 and RESP2) it makes -reads cached reads of 16
// keys (48 on the cluster) whose versions 4 writers raise through
// another handle (and through the cached handle itself), each write
// followed by Sync on the cached view. A read is stale when it returns a
// version older than the newest write that was acknowledged and synced
// before the read was sent. Every -chaos-every reads, in turn: CLIENT
// KILL TYPE pubsub (the invalidation connections), CLIENT KILL TYPE
// normal (the handle's connections), and, when the checker started the
// server itself (no -addr), a SIGKILL and restart of the server, which
// keeps acknowledged writes (appendfsync always). The ring's second
// server and the cluster are started by the checker; the cluster's nodes
// are not restarted (a killed master fails over, which the cluster tests
// cover), their connections are killed. It prints two lines per handle
// (the reads, the chaos events by kind and the cache's counters) and
// exits 1 if any read was stale.
//
// Keys are written under txredis:example:cache-check:<handle>: and left
// there. With -addr the checker CLIENT KILLs every normal and pub/sub
// client of that server along the way: point it at a test server only.
package main
