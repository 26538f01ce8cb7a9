package conn

import (
	"context"
	"iter"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// ScanSeq returns an iterator over the keys of the database matching
// args, for range-over-func:
//
//	for key, err := range rc.ScanSeq(ctx, conn.ScanArgs{Match: "user:*"}) {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// It sends SCAN page by page, asking for the next page while the loop
// body works on the current one, and holds no connection between pages:
// each page is an ordinary command, which a pool may send on any of its
// connections. The guarantees are SCAN's: a key present for the whole
// iteration is yielded at least once; a key may be yielded more than
// once, and keys added or removed meanwhile may or may not be.
//
// An error (a server error, a lost connection, or ctx ending, which is
// checked before each page and while waiting for one) is yielded once as
// the second value, with the zero key, and ends the iteration. Breaking
// out of the loop cancels the page asked for in advance. The iterator
// may be ranged over more than once: each range starts a new SCAN.
//
// On a sharded or cluster handle, SCAN has no key to route by: use
// shard.Ring.ScanSeq and cluster.Cluster.ScanSeq, which visit every node.
// On a Pipeline or a Tx, whose replies arrive only with Execute or
// Commit, the iterator yields an error matching ErrBadArgs.
func (c Commands) ScanSeq(ctx context.Context, args ScanArgs) iter.Seq2[string, error] {
	return seq(ctx, c.s, "SCAN", func(cur uint64) *deferred.Deferred[ScanPage] { return c.Scan(cur, args) }, eachItem)
}

// SScanSeq returns an iterator over the members of the set at key
// matching args, page by page with SSCAN; see ScanSeq for the guarantees,
// errors and cancellation. On a sharded or cluster handle the pages go to
// the node of key.
func (c Commands) SScanSeq(ctx context.Context, key string, args ScanArgs) iter.Seq2[string, error] {
	return seq(ctx, c.s, "SSCAN", func(cur uint64) *deferred.Deferred[ScanPage] { return c.SScan(key, cur, args) }, eachItem)
}

// HScanSeq returns an iterator over the fields and values of the hash at
// key matching args, page by page with HSCAN; see ScanSeq for the
// guarantees, errors and cancellation.
func (c Commands) HScanSeq(ctx context.Context, key string, args ScanArgs) iter.Seq2[FieldValue, error] {
	return seq(ctx, c.s, "HSCAN", func(cur uint64) *deferred.Deferred[ScanPage] { return c.HScan(key, cur, args) }, eachField)
}

// ZScanSeq returns an iterator over the members and scores of the sorted
// set at key matching args, page by page with ZSCAN; see ScanSeq for the
// guarantees, errors and cancellation. A score the client cannot read
// ends the iteration with its error.
func (c Commands) ZScanSeq(ctx context.Context, key string, args ScanArgs) iter.Seq2[ZMember, error] {
	return seq(ctx, c.s, "ZSCAN", func(cur uint64) *deferred.Deferred[ScanPage] { return c.ZScan(key, cur, args) }, eachMember)
}

// seq is the iterator of a SCAN-family command: page asks for the page
// at a cursor; each yields the items of one page, reporting false when
// the loop stopped (or an item could not be read, which it yielded).
func seq[T any](ctx context.Context, s Sender, name string,
	page func(cursor uint64) *deferred.Deferred[ScanPage],
	each func(items []string, yield func(T, error) bool) bool) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if answersLater(s) {
			yield(zero, plumb.BadArgs(name, "iterating needs each page's reply at once; a Pipeline or Tx answers only on Execute or Commit"))
			return
		}
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		d := page(0)
		for {
			p, err := d.Wait(ctx)
			if err == nil {
				err = ctx.Err() // Wait returns a page already there
			}
			if err != nil {
				d.Cancel() // the context ended: the reply is read and dropped
				yield(zero, err)
				return
			}
			var next *deferred.Deferred[ScanPage]
			if p.Cursor != 0 {
				next = page(p.Cursor)
			}
			if !each(p.Items, yield) {
				if next != nil {
					next.Cancel()
				}
				return
			}
			if next == nil {
				return
			}
			d = next
		}
	}
}

func eachItem(items []string, yield func(string, error) bool) bool {
	for _, it := range items {
		if !yield(it, nil) {
			return false
		}
	}
	return true
}

func eachField(items []string, yield func(FieldValue, error) bool) bool {
	for i := 0; i+1 < len(items); i += 2 {
		if !yield(FieldValue{Field: items[i], Value: items[i+1]}, nil) {
			return false
		}
	}
	return true
}

func eachMember(items []string, yield func(ZMember, error) bool) bool {
	for i := 0; i+1 < len(items); i += 2 {
		f, err := proto.BulkValue(items[i+1]).AsFloat()
		if err != nil {
			yield(ZMember{}, err)
			return false
		}
		if !yield(ZMember{Member: items[i], Score: f}, nil) {
			return false
		}
	}
	return true
}

// answersLater reports whether s is a Pipeline or a Tx, through their
// own command sets' ways in and context views: handles whose replies
// come only with Execute or Commit.
func answersLater(s Sender) bool {
	for {
		switch h := s.(type) {
		case *view:
			s = h.s
		case *Pipeline, *Tx, *ownPipeline, *ownTx:
			return true
		default:
			return false
		}
	}
}
