// Command cache serves hot keys from memory: an HTTP handler reads
// configuration values through a cached view of a connection pool
// (client-side caching, RESP3 CLIENT TRACKING), so that a value read a
// thousand times a second costs one round trip to Redis until it
// changes.
//
//	go run ./examples/cache [-addr host:port] [-listen 127.0.0.1:8889]
//
// Then, from another terminal:
//
//	curl -i http://localhost:8889/config/site:title    # X-Cache: miss, then hit
//	curl -d value=Hello http://localhost:8889/config/site:title
//	curl http://localhost:8889/stats
//
// GET /config/{key} answers the value (404 when the key is missing, 503
// when Redis is down) with X-Cache: hit when it came from memory (the
// Deferred fired before Get returned). POST /config/{key} writes the
// value through the pool and then calls Sync on the view, so the next GET
// sees the write whichever pooled connection caches the key. A write by
// any other client reaches the cache as an invalidation. GET /stats
// prints the cache's counters.
//
// Without -addr (or REDIS_ADDR) the program runs on an embedded
// miniredis, which does not implement CLIENT TRACKING: it says so, and
// every read goes to the server uncached. Give it the address of a Redis
// 6 or later to see reads answered from memory. On a real server it
// writes only keys under txredis:example:cache: (the key site:title of
// /config/site:title is txredis:example:cache:site:title), says so when
// it starts, and leaves them there.
package main
