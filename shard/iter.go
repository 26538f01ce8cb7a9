package shard

import (
	"context"
	"iter"

	"github.com/txredis/txredis/conn"
)

// ScanSeq returns an iterator over the keys matching args on every node,
// node after node in node order (SCAN has no key to route by, so the
// Ring's own command set cannot send it). Within a node it behaves as
// conn.Commands.ScanSeq: pages are ordinary commands, no connection is
// held between them, and SCAN's guarantees apply (a key may be yielded
// more than once). An error — ctx ending, or a node's, reported as a
// *ShardError naming the node — is yielded once as the second value and
// ends the iteration. A Ring built from a bad address list yields its
// error. SScanSeq, HScanSeq and ZScanSeq need no such method: they have
// a key, and go to its node.
func (r *Ring) ScanSeq(ctx context.Context, args conn.ScanArgs) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if r.err != nil {
			yield("", r.err)
			return
		}
		for i, h := range r.nodes {
			for k, err := range conn.NewCommands(h).ScanSeq(ctx, args) {
				if err != nil {
					yield("", &ShardError{Command: "SCAN", Node: r.names[i], Err: err})
					return
				}
				if !yield(k, nil) {
					return
				}
			}
		}
	}
}
