package conn_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/fakeserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// collect ranges over seq and returns the distinct values and every
// error yielded.
func collect[T comparable](seq func(func(T, error) bool)) (map[T]int, []error) {
	seen := map[T]int{}
	var errs []error
	for v, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		seen[v]++
	}
	return seen, errs
}

func TestScanSeq(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		ctx := t.Context()
		for i := 0; i < 500; i++ {
			c.Set("it:k:"+strconv.Itoa(i), "v")
		}
		for i := 0; i < 300; i++ {
			s := strconv.Itoa(i)
			c.SAdd("it:set", "m"+s)
			c.HSet("it:hash", "f"+s, "v"+s)
			c.ZAdd("it:zset", conn.ZMember{Member: "m" + s, Score: float64(i) + 0.5})
		}
		testutil.Must(t, c.Ping())

		keys, errs := collect(c.ScanSeq(ctx, conn.ScanArgs{Match: "it:k:*", Count: 50}))
		if len(errs) != 0 || len(keys) != 500 {
			t.Errorf("ScanSeq: %d keys, errors %v; want 500", len(keys), errs)
		}
		members, errs := collect(c.SScanSeq(ctx, "it:set", conn.ScanArgs{Count: 20}))
		if len(errs) != 0 || len(members) != 300 {
			t.Errorf("SScanSeq: %d members, errors %v", len(members), errs)
		}
		fields, errs := collect(c.HScanSeq(ctx, "it:hash", conn.ScanArgs{Count: 20}))
		if len(errs) != 0 || len(fields) != 300 || fields[conn.FieldValue{Field: "f7", Value: "v7"}] == 0 {
			t.Errorf("HScanSeq: %d fields, errors %v", len(fields), errs)
		}
		zs, errs := collect(c.ZScanSeq(ctx, "it:zset", conn.ScanArgs{Count: 20, Match: "m1*"}))
		if len(errs) != 0 || len(zs) != 111 || zs[conn.ZMember{Member: "m12", Score: 12.5}] == 0 {
			t.Errorf("ZScanSeq MATCH m1*: %d members, errors %v; want 111 (m1, m10-19, m100-199)", len(zs), errs)
		}

		// A server error is yielded once, as the second value, and ends it.
		n := 0
		for fv, err := range c.HScanSeq(ctx, "it:k:1", conn.ScanArgs{}) {
			n++
			if !errors.Is(err, proto.ErrWrongType) || fv != (conn.FieldValue{}) {
				t.Errorf("HSCAN of a string: %v, %v; want WRONGTYPE with the zero value", fv, err)
			}
		}
		if n != 1 {
			t.Errorf("HSCAN of a string yielded %d times, want once", n)
		}

		// Breaking out early cancels the page asked for in advance; its
		// reply is read and dropped, and the connection stays in step.
		n = 0
		for range c.ScanSeq(ctx, conn.ScanArgs{Match: "it:k:*", Count: 10}) {
			if n++; n == 3 {
				break
			}
		}
		if v := testutil.Must(t, c.Get("it:k:1")); v != "v" {
			t.Errorf("GET after a broken-off scan: %q", v)
		}
		testutil.Eventually(t, func() error {
			if p := c.Pending(); p != 0 {
				return fmt.Errorf("%d replies pending", p)
			}
			return nil
		})

		// Ranging twice starts over.
		seq := c.SScanSeq(ctx, "it:set", conn.ScanArgs{})
		first, _ := collect(seq)
		second, _ := collect(seq)
		if len(first) != 300 || len(second) != 300 {
			t.Errorf("two ranges over one iterator: %d then %d members", len(first), len(second))
		}
	})
}

// The context ends the iteration: checked before each page, so a cancel
// from the loop body stops it at the next page with ctx's error.
func TestScanSeqContext(t *testing.T) {
	c, _ := fakeConn(t, scanServer(1000), conn.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	n, errs := 0, 0
	for _, err := range c.ScanSeq(ctx, conn.ScanArgs{}) {
		if err != nil {
			errs++
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err %v, want context.Canceled", err)
			}
			continue
		}
		if n++; n == 5 {
			cancel()
		}
	}
	if errs != 1 || n != 10 {
		t.Errorf("%d keys and %d errors after cancelling at the 5th; want the rest of the page (10) and one error", n, errs)
	}
	for _, err := range c.ScanSeq(ctx, conn.ScanArgs{}) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled context: %v", err)
		}
	}
}

// On a Pipeline or a Tx a page's reply would come only with Execute or
// Commit: the iterator says so instead of waiting for ever.
func TestScanSeqRefusesBatches(t *testing.T) {
	c, _ := fakeConn(t, scanServer(10), conn.Options{})
	p := c.Pipeline()
	for _, err := range p.ScanSeq(t.Context(), conn.ScanArgs{}) {
		if !errors.Is(err, conn.ErrBadArgs) {
			t.Errorf("ScanSeq on a Pipeline: %v, want ErrBadArgs", err)
		}
	}
	for _, err := range p.WithContext(t.Context()).ScanSeq(t.Context(), conn.ScanArgs{}) {
		if !errors.Is(err, conn.ErrBadArgs) {
			t.Errorf("ScanSeq on a Pipeline's context view: %v, want ErrBadArgs", err)
		}
	}
	if p.Len() != 0 {
		t.Errorf("the Pipeline buffered %d commands", p.Len())
	}
}

// scanServer answers SCAN with pages of 10 of n keys "k0"... and the
// cursor of the next page.
func scanServer(n int) func(*fakeserver.Peer) {
	return func(p *fakeserver.Peer) {
		p.Serve(func(args []string) proto.Value {
			if args[0] != "SCAN" {
				return proto.SimpleValue("OK")
			}
			cur, _ := strconv.Atoi(args[1])
			var keys []proto.Value
			for i := cur; i < cur+10 && i < n; i++ {
				keys = append(keys, proto.BulkValue("k"+strconv.Itoa(i)))
			}
			next := cur + 10
			if next >= n {
				next = 0
			}
			return proto.ArrayValue(proto.BulkValue(strconv.Itoa(next)), proto.ArrayValue(keys...))
		})
	}
}
