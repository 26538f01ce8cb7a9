package main

import (
	"context"
	"errors"
	"flag"
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
	addr := flag.String("addr", "", embedded.AddrUsage+" (the key foo of /text/foo is "+keyPrefix+"foo)")
	listen := flag.String("listen", "127.0.0.1:8888", "HTTP listen address")
	flag.Parse()
	srv, err := embedded.Resolve(*addr)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.Notice(os.Stdout, keyPrefix)
	logger := log.New(os.Stdout, "", log.LstdFlags)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := serve(ctx, *listen, newPool(srv.Addr), logger); err != nil {
		srv.Close()
		log.Fatal(err)
	}
}

// newPool is the RedisMixin's setup: a lazy connection pool, returned at
// once, connecting in the background. A web request should not wait long
// for a server that does not answer: a dial in flight holds commands for
// at most ConnectTimeout.
func newPool(addr string) *pool.Pool {
	return lazy.ConnectionPool(pool.Options{
		Options: conn.Options{Addr: addr, ConnectTimeout: 2 * time.Second},
	})
}

// serve runs the application on listen until ctx ends (Ctrl-C), then
// stops the HTTP server and disconnects the pool.
func serve(ctx context.Context, listen string, rc *pool.Pool, logger *log.Logger) error {
	hs := &http.Server{
		Addr:              listen,
		Handler:           newApp(rc, logger),
		ReadHeaderTimeout: 10 * time.Second,
	}
	logger.Printf("web application starting on %s (redis at %s)", listen, rc.Addr())
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
