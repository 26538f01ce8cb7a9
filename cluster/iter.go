package cluster

import (
	"context"
	"fmt"
	"iter"

	"github.com/txredis/txredis/conn"
)

// ScanSeq returns an iterator over the keys matching args on every
// master of the cluster, master after master (SCAN has no key, so the
// cluster's own command set would send it to one master only). It waits
// for the slot map first when it is not known yet (New). Within a master
// it behaves as conn.Commands.ScanSeq: pages are ordinary commands, no
// connection is held between them, and SCAN's guarantees apply (a key
// may be yielded more than once). The masters are those of the map when
// the iteration starts: if slots move or a master fails over meanwhile,
// keys may be missed or repeated, or the iteration ends with the failed
// node's error. An error — ctx ending, the map not being known, or a
// node's, naming it — is yielded once as the second value and ends the
// iteration. SScanSeq, HScanSeq and ZScanSeq need no such method: they
// have a key, and go to the master of its slot.
func (c *Cluster) ScanSeq(ctx context.Context, args conn.ScanArgs) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		masters := c.Masters()
		if masters == nil {
			if _, err := c.Ready().Wait(ctx); err != nil {
				yield("", err)
				return
			}
			masters = c.Masters()
		}
		for _, m := range masters {
			for k, err := range m.ScanSeq(ctx, args) {
				if err != nil {
					yield("", fmt.Errorf("txredis/cluster: SCAN on %s: %w", m.Addr(), err))
					return
				}
				if !yield(k, nil) {
					return
				}
			}
		}
	}
}
