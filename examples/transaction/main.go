package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/embedded"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

func main() {
	addr := flag.String("addr", "", embedded.AddrUsage)
	flag.Parse()
	srv, err := embedded.Resolve(*addr)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.Notice(os.Stdout, keyPrefix)
	if err := run(srv.Addr, os.Stdout); err != nil {
		srv.Close()
		log.Fatal(err)
	}
}

// keyPrefix begins every key the example writes: the README's a1, a2, a3
// and foo are txredis:example:transaction:a1 and so on.
const keyPrefix = embedded.KeyPrefix + "transaction:"

// run is the README's main(): each Wait stands where the Python code
// yields.
func run(addr string, out io.Writer) error {
	ctx := context.Background()
	rc, err := pool.Connect(pool.Options{Options: conn.Options{Addr: addr}}).Wait(ctx)
	if err != nil {
		return err
	}
	defer func() { rc.Disconnect().Wait(ctx) }()

	a1, a2, a3, foo := keyPrefix+"a1", keyPrefix+"a2", keyPrefix+"a3", keyPrefix+"foo"
	fmt.Fprintf(out, "keys a1, a2, a3 and foo are %s...\n", keyPrefix)

	// Remove the keys
	if _, err := rc.Del(a1, a2, a3).Wait(ctx); err != nil {
		return err
	}

	// Start transaction: the pool lends one of its connections to it.
	t, err := rc.Multi().Wait(ctx)
	if err != nil {
		return err
	}

	// The server answers QUEUED to each; their Deferreds fire at Commit,
	// each with its own result.
	t.Set(a1, "1")
	t.Set(a2, "2")
	t.Set(a3, "3")
	get := t.Get(a1)
	fmt.Fprintln(out, "queued: SET a1 1, SET a2 2, SET a3 3, GET a1")
	fmt.Fprintln(out, "t.Get(a1) fired before commit:", get.Fired())

	// Call Get while in a transaction: it works on a pool, which sends
	// it on another connection. Note that it is rc.Get, not t.Get.
	v, err := rc.Get(foo).Wait(ctx)
	switch {
	case errors.Is(err, proto.ErrNil):
		// txredisapi printed "foo= None" for a missing key.
		fmt.Fprintln(out, "foo= (nil)")
	case err != nil:
		fmt.Fprintln(out, "can't get foo:", err)
	default:
		fmt.Fprintln(out, "foo=", v)
	}

	// Commit, and get all responses from transaction.
	r, err := t.Commit().Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "commit=", r)

	got, err := get.Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "t.Get(a1) fired at commit with %q\n", got)
	return nil
}
