package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/embedded"
	"github.com/txredis/txredis/lazy"
	"github.com/txredis/txredis/pool"
)

func main() {
	addr := flag.String("addr", "", embedded.AddrUsage+" (the key site:title of /config/site:title is "+keyPrefix+"site:title)")
	listen := flag.String("listen", "127.0.0.1:8889", "HTTP listen address")
	flag.Parse()
	srv, err := embedded.Resolve(*addr)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.Notice(os.Stdout, keyPrefix)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, srv.Addr, *listen, os.Stdout); err != nil {
		srv.Close()
		log.Fatal(err)
	}
}

// newPool returns a lazy RESP3 pool: RESP3 lets each connection receive
// its own invalidations (over RESP2 each would need a second connection).
func newPool(addr string) *pool.Pool {
	return lazy.ConnectionPool(pool.Options{
		Options:  conn.Options{Addr: addr, Protocol: 3, ConnectTimeout: 2 * time.Second},
		PoolSize: 4,
	})
}

// seed writes the configuration the handler serves.
var seed = map[string]string{"site:title": "txredis", "site:motto": "Deferred all the way down"}

// run seeds the configuration, says whether the server caches, and
// serves HTTP on listen until ctx ends.
func run(ctx context.Context, addr, listen string, out io.Writer) error {
	rc := newPool(addr)
	logger := log.New(out, "", log.LstdFlags)
	a, h := newApp(rc, time.Minute, logger)
	for k, v := range seed {
		if _, err := rc.Set(keyPrefix+k, v).Wait(ctx); err != nil {
			rc.Disconnect()
			return fmt.Errorf("seeding %s: %w", k, err)
		}
	}
	report(ctx, a, out)

	hs := &http.Server{Addr: listen, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "serving http://%s/config/site:title (redis at %s)\n", listen, addr)
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = hs.Shutdown(shutdown)
		cancel()
		if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
			err = e
		}
	}
	if _, e := rc.Disconnect().Wait(context.Background()); err == nil {
		err = e
	}
	return err
}

// report reads a hot key a thousand times through the view and prints
// how many reads were answered from memory, or why none were.
func report(ctx context.Context, a *app, out io.Writer) {
	const reads = 1000
	for range reads {
		if _, err := a.v.Get(keyPrefix + "site:title").Wait(ctx); err != nil {
			fmt.Fprintln(out, "reading site:title:", err)
			return
		}
	}
	s := a.v.Stats()
	if err := a.v.Err(); err != nil {
		fmt.Fprintf(out, "the server does not track keys for client-side caching (%v):\n"+
			"every read goes to it uncached; give -addr of a Redis 6 or later to serve reads from memory\n", err)
		return
	}
	fmt.Fprintf(out, "%d reads of site:title: %d answered from memory, %d sent to the server\n", reads, s.Hits, s.Misses)
}
