// Package faultproxy is a loopback TCP proxy for tests that injects
// network faults between a client and a server.
//
// # Use
//
//	p := faultproxy.Start(t, srv.Addr())   // listens on 127.0.0.1:0
//	opts.Addr = p.Addr()
//	p.Set(faultproxy.Fault{Dir: faultproxy.ToClient, Kind: faultproxy.Stall})
//	...
//	p.Clear()                              // forwarding resumes
//
// # Faults
//
// One fault per direction is active at a time. A fault applies to every
// proxied connection, present and future, until Clear (or Set on the same
// direction) replaces it, unless Once is set, in which case it is cleared
// the first time it fires. Byte positions (After) count the bytes
// forwarded in the fault's direction on one connection since that
// connection first saw the fault, starting at a chunk boundary.
//
// # Ownership
//
// Every goroutine the proxy starts (the accept loop and two pumps per
// connection) is counted and waited for by Close, which Start registers
// as a test cleanup.
package faultproxy
