//go:build race

package proto

// raceEnabled skips allocation counts: the race detector makes sync.Pool
// drop items at random.
const raceEnabled = true
