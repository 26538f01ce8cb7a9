// Package scatter splits a multi-key command whose keys live in several
// places (shards of a ring, slots of a cluster) into one command per
// place, and gathers the replies into the reply the whole command would
// have had: MGET's values in the caller's key order, the counts of DEL,
// EXISTS, UNLINK and TOUCH summed, MSET's "OK" once every part said OK.
package scatter
