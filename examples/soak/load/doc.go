// Package load is the verifying workload behind the soak program and the
// reliability tests: workers send SET/GET/INCR/ECHO commands (and, where
// the handle can, pipelines) whose replies each carry a unique value,
// and check every reply against what the command must return.
//
// # What is counted
//
// Every command is sent with its own Resolver, so the count of Resolve
// calls per command is exact: a command resolved twice is DoubleFired; a
// command not resolved within Config.MaxWait is set aside and, if it is
// still unresolved when Stats is called (after the handle was
// disconnected), is Lost. A reply that no correct server could have sent
// for that command (another command's value, a wrong type, an INCR count
// out of range) is Wrong. A healthy client keeps Lost, Wrong and
// DoubleFired at zero under any fault.
//
// # Concurrency
//
// Start runs Config.Workers goroutines; Stop ends them and waits for
// them. Snapshot and Stats may be called from any goroutine.
package load
