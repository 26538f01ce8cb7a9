package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/embedded"
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
		log.Fatal(err)
	}
}

// keyPrefix begins the one key the example writes.
const keyPrefix = embedded.KeyPrefix + "hello:"

// run is the README's main(): inlineCallbacks becomes a goroutine that
// waits, each Wait standing where the Python code yields.
func run(addr string, out io.Writer) error {
	ctx := context.Background()
	rc, err := conn.Connect(conn.Options{Addr: addr}).Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "connected to", rc.Addr())

	foo := keyPrefix + "foo"
	if _, err := rc.Set(foo, "bar").Wait(ctx); err != nil {
		return err
	}
	v, err := rc.Get(foo).Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, foo+":", v)

	_, err = rc.Disconnect().Wait(ctx)
	return err
}
