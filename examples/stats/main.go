package main

import (
	"context"
	"expvar"
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
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/pubsub"
	"github.com/txredis/txredis/shard"
)

func main() {
	addr := flag.String("addr", "", embedded.AddrUsage)
	httpAddr := flag.String("http", "", "serve /debug/vars at this address until interrupted")
	flag.Parse()
	srv, err := embedded.Resolve(*addr)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.Notice(os.Stdout, keyPrefix)
	vars := expvar.NewMap("txredis") // published at /debug/vars
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, srv.Addr, vars, os.Stdout, *httpAddr); err != nil {
		log.Fatal(err)
	}
}

// publish exports src's Stats under name: each read of the variable
// takes a fresh snapshot.
func publish(vars *expvar.Map, name string, src conn.StatsSource) {
	vars.Set(name, expvar.Func(func() any { return src.Stats() }))
}

// keyPrefix begins every key and channel the example uses.
const keyPrefix = embedded.KeyPrefix + "stats:"

// run makes the handles, exports their stats in vars, does some work and
// prints vars (or serves them at httpAddr until ctx ends).
func run(ctx context.Context, addr string, vars *expvar.Map, out io.Writer, httpAddr string) error {
	p, err := pool.Connect(pool.Options{Options: conn.Options{Addr: addr}, PoolSize: 4}).Wait(ctx)
	if err != nil {
		return err
	}
	defer func() { _, _ = p.Disconnect().Wait(context.Background()) }()
	r, err := shard.Connect([]string{addr}, conn.Options{}).Wait(ctx)
	if err != nil {
		return err
	}
	defer func() { _, _ = r.Disconnect().Wait(context.Background()) }()
	got := make(chan struct{}, 10)
	s, err := pubsub.Connect(pubsub.Options{Options: conn.Options{Addr: addr}},
		pubsub.HandlerFunc(func(_, _, _ string) { got <- struct{}{} })).Wait(ctx)
	if err != nil {
		return err
	}
	defer func() { _, _ = s.Disconnect().Wait(context.Background()) }()
	publish(vars, "pool", p)
	publish(vars, "ring", r)
	publish(vars, "subscriber", s)

	// Some work: commands on the pool and the ring, a message to the
	// subscriber, a transaction holding a lease while the stats are read.
	if _, err := s.Subscribe(keyPrefix + "events").Wait(ctx); err != nil {
		return err
	}
	for i := 0; i < 100; i++ {
		p.Incr(keyPrefix + "hits")
		r.Set(fmt.Sprint(keyPrefix, "key:", i), "v")
	}
	if _, err := p.Publish(keyPrefix+"events", "hello").Wait(ctx); err != nil {
		return err
	}
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		return fmt.Errorf("the subscriber got no message")
	}
	tx, err := p.Multi().Wait(ctx)
	if err != nil {
		return err
	}
	defer tx.Discard()

	if httpAddr == "" {
		fmt.Fprintln(out, vars.String())
		return nil
	}
	fmt.Fprintf(out, "serving http://%s/debug/vars (interrupt to stop)\n", httpAddr)
	hs := &http.Server{Addr: httpAddr, Handler: expvar.Handler()}
	go func() {
		<-ctx.Done()
		_ = hs.Close()
	}()
	if err := hs.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}
