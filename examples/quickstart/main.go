package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/internal/embedded"
)

func main() {
	addr := flag.String("addr", "", embedded.AddrUsage)
	addr2 := flag.String("addr2", "", "a second redis address (host:port or URL), for the sharded connection; "+
		"without it the sharded part is skipped when -addr is given (with neither, both servers are embedded). "+
		"The tour writes keys "+keyPrefix+"key00..key09 there too")
	flag.Parse()
	srv, err := embedded.Resolve(*addr)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	second := *addr2
	if second == "" && srv.Embedded() {
		m, err := miniredis.Run()
		if err != nil {
			srv.Close()
			log.Fatal(err)
		}
		defer m.Close()
		second = m.Addr()
	}
	srv.Notice(os.Stdout, keyPrefix)
	if *addr2 != "" {
		fmt.Println(embedded.Where(*addr2, keyPrefix))
	}
	if err := run(srv.Addr, second, os.Stdout); err != nil {
		srv.Close()
		log.Fatal(err)
	}
}

// run takes the tour on addr, and on addr and addr2 for the sharded
// connection (skipped when addr2 is empty).
func run(addr, addr2 string, w io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := &lockedWriter{w: w}
	fmt.Fprintf(out, "(every key and channel below is under %s)\n", keyPrefix)
	if err := connection(ctx, addr, out); err != nil {
		return fmt.Errorf("connection: %w", err)
	}
	rc, err := connectPool(ctx, addr, out)
	if err != nil {
		return fmt.Errorf("pool: %w", err)
	}
	defer func() { rc.Disconnect().Wait(context.Background()) }()
	if err := lazyConnection(ctx, addr, out); err != nil {
		return fmt.Errorf("lazy connection: %w", err)
	}
	if err := sharded(ctx, addr, addr2, out); err != nil {
		return fmt.Errorf("sharded connection: %w", err)
	}
	if err := transaction(ctx, rc, out); err != nil {
		return fmt.Errorf("transaction: %w", err)
	}
	if err := publishSubscribe(ctx, addr, rc, out); err != nil {
		return fmt.Errorf("pub/sub: %w", err)
	}
	_, err = rc.Disconnect().Wait(ctx)
	return err
}

func section(out io.Writer, title string) {
	fmt.Fprintf(out, "\n== %s\n", title)
}

// lockedWriter lets Deferred callbacks and handlers, which run on the
// connections' goroutines, write to the same output as the program.
type lockedWriter struct {
	mu sync.Mutex // protects w
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
