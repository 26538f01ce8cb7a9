package cluster_test

import (
	"context"
	"errors"
	"testing"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testcluster"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// otherMaster returns a master of tc other than n.
func otherMaster(t *testing.T, tc *testcluster.Cluster, n *testcluster.Node) *testcluster.Node {
	t.Helper()
	masters, err := tc.Masters()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range masters {
		if m != n {
			return m
		}
	}
	t.Fatalf("no master other than %s", n.Addr())
	return nil
}

// moveAway migrates the slot of tag to another master behind the client's
// back (no command of the client touches it) and returns the old and the
// new owner.
func moveAway(t *testing.T, tc *testcluster.Cluster, tag string) (src, dst *testcluster.Node) {
	t.Helper()
	slot := cluster.Slot(tag)
	src, err := tc.Owner(slot)
	if err != nil {
		t.Fatal(err)
	}
	dst = otherMaster(t, tc, src)
	if err := tc.MoveSlot(slot, dst, 100, nil); err != nil {
		t.Fatalf("MoveSlot: %v", err)
	}
	return src, dst
}

// TestTransactionOnAMovedSlotSucceedsOnItsNextAttempt is issue 15, case 6:
// the MOVED answer a transaction gets on Node(key) updates the slot map,
// so the next Node(key) names the new owner.
func TestTransactionOnAMovedSlotSucceedsOnItsNextAttempt(t *testing.T) {
	c, tc := connectReal(t, cluster.Options{})
	const tag = "{txmove}"
	testutil.Must(t, c.Set(tag+"n", "0"))
	before := c.Node(tag).Addr()
	_, dst := moveAway(t, tc, tag)
	if c.Node(tag).Addr() != before {
		t.Fatal("the client learnt of the move by itself; the test proves nothing")
	}

	attempt := func() (int64, error) {
		tx, err := testutil.Wait(t, c.Node(tag).Multi(tag+"n"))
		if err != nil {
			return 0, err
		}
		incr := tx.Incr(tag + "n")
		if _, err := testutil.Wait(t, tx.Commit()); err != nil {
			return 0, err
		}
		return testutil.Wait(t, incr)
	}
	_, err := attempt()
	if !errors.Is(err, proto.ErrMoved) {
		t.Fatalf("first attempt on the old owner: %v, want MOVED", err)
	}
	if have := c.Node(tag).Addr(); have != dst.Addr() {
		t.Fatalf("after the MOVED, Node(key) names %s, want the new owner %s", have, dst.Addr())
	}
	n, err := attempt()
	if err != nil || n != 1 {
		t.Fatalf("second attempt: %d %v, want 1", n, err)
	}
}

// TestMovedOnALeaseOrANodeHandleUpdatesTheMap: a command sent on a lease
// of Node(key), or through the Node handle itself, that is answered MOVED
// updates the map as a routed command's MOVED does.
func TestMovedOnALeaseOrANodeHandleUpdatesTheMap(t *testing.T) {
	for _, pool := range []int{1, 3} {
		c, tc := connectReal(t, cluster.Options{PoolSize: pool})
		tag := "{leasemove" + itoa(pool) + "}"
		testutil.Must(t, c.Set(tag+"k", "v"))

		_, dst := moveAway(t, tc, tag)
		l := testutil.Must(t, c.Node(tag).Lease(context.Background()))
		_, err := testutil.Wait(t, conn.NewCommands(l).Get(tag+"k"))
		l.Release()
		if !errors.Is(err, proto.ErrMoved) {
			t.Fatalf("PoolSize %d: GET on a lease of the old owner: %v, want MOVED", pool, err)
		}
		if have := c.Node(tag).Addr(); have != dst.Addr() {
			t.Fatalf("PoolSize %d: after a MOVED on a lease, Node(key) names %s, want %s", pool, have, dst.Addr())
		}

		_, dst = moveAway(t, tc, tag)
		_, err = testutil.Wait(t, c.Node(tag).Get(tag+"k"))
		if !errors.Is(err, proto.ErrMoved) {
			t.Fatalf("PoolSize %d: GET on the old owner's handle: %v, want MOVED", pool, err)
		}
		if have := c.Node(tag).Addr(); have != dst.Addr() {
			t.Fatalf("PoolSize %d: after a MOVED on the node handle, Node(key) names %s, want %s", pool, have, dst.Addr())
		}
		if v := testutil.Must(t, c.Get(tag+"k")); v != "v" {
			t.Fatalf("GET after the moves = %q", v)
		}
	}
}
