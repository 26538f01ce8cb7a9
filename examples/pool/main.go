package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/embedded"
	"github.com/txredis/txredis/pool"
)

func main() {
	addr := flag.String("addr", "", embedded.AddrUsage)
	nap := flag.Duration("sleep", 5*time.Second, "how long to sleep between set and get")
	flag.Parse()
	srv, err := embedded.Resolve(*addr)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.Notice(os.Stdout, keyPrefix)
	if err := run(srv.Addr, *nap, time.Sleep, os.Stdout); err != nil {
		srv.Close()
		log.Fatal(err)
	}
}

// keyPrefix begins the one key the example writes.
const keyPrefix = embedded.KeyPrefix + "pool:"

// run is the README's main(). sleep stands for the reactor's callLater
// (main passes time.Sleep; the test passes a function that kills the
// server): the program only waits, the pool keeps watching its
// connections meanwhile.
func run(addr string, nap time.Duration, sleep func(time.Duration), out io.Writer) error {
	ctx := context.Background()
	rc, err := pool.Connect(pool.Options{Options: conn.Options{Addr: addr}}).Wait(ctx)
	if err != nil {
		return err
	}
	// The Python program only disconnects after a successful get (the
	// reactor stops anyway); a Go program must stop the pool's
	// reconnecting supervisors in both cases.
	defer func() { rc.Disconnect().Wait(ctx) }()
	fmt.Fprintf(out, "connected: a pool of %d connections to %s\n", rc.Stats().PoolSize, rc.Addr())

	// set
	foo := keyPrefix + "foo"
	if _, err := rc.Set(foo, "bar").Wait(ctx); err != nil {
		return err
	}

	// sleep, so you can kill redis
	fmt.Fprintf(out, "sleeping for %v, kill redis now...\n", nap)
	sleep(nap)

	v, err := rc.Get(foo).Wait(ctx)
	switch {
	case errors.Is(err, conn.ErrConnection):
		fmt.Fprintln(out, err)
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintln(out, foo+":", v)
	return nil
}
