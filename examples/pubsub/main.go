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

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/embedded"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/pubsub"
)

func main() {
	addr := flag.String("addr", "", "redis address: host:port, a unix socket path, or a URL (default: $REDIS_ADDR, else an embedded server). "+
		"The example writes no key; it publishes on the channels "+news+", "+news+".sport and "+news+".weather")
	flag.Parse()
	srv, err := embedded.Resolve(*addr)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	if !srv.Embedded() {
		fmt.Printf("(publishing on %s, %s.sport and %s.weather at %s; no key is written)\n", news, news, news, embedded.Host(srv.Addr))
	}
	if err := run(srv.Addr, os.Stdout); err != nil {
		srv.Close()
		log.Fatal(err)
	}
}

// lockedWriter lets the handler, on the subscriber's delivery goroutine,
// and the program write to the same output.
type lockedWriter struct {
	mu sync.Mutex // protects w
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// handler is the subscriber's Handler: MessageReceived is txredisapi's
// SubscriberProtocol.messageReceived. It runs on the subscriber's delivery
// goroutine, one message at a time.
type handler struct {
	out      io.Writer
	received chan struct{} // one token per message, for the program's pace
}

func (h *handler) MessageReceived(pattern, channel, message string) {
	fmt.Fprintf(h.out, "  received: pattern=%q channel=%q message=%q\n", pattern, channel, message)
	select { // never block the delivery goroutine: others may publish here too
	case h.received <- struct{}{}:
	default:
	}
}

// news is the channel the example uses, and the stem of its pattern: on
// a real server, no subscriber of the user's hears it.
const news = embedded.KeyPrefix + "news"

func run(addr string, w io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := &lockedWriter{w: w}
	h := &handler{out: out, received: make(chan struct{}, 1)}

	sub, err := pubsub.Connect(pubsub.Options{Options: conn.Options{Addr: addr}}, h).Wait(ctx)
	if err != nil {
		return err
	}
	defer func() { sub.Disconnect().Wait(ctx) }()
	rc, err := pool.Connect(pool.Options{Options: conn.Options{Addr: addr}, PoolSize: 2}).Wait(ctx)
	if err != nil {
		return err
	}
	defer func() { rc.Disconnect().Wait(ctx) }()

	confs, err := sub.Subscribe(news).Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "SUBSCRIBE %s: %v\n", news, confs)
	confs, err = sub.PSubscribe(news + ".*").Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "PSUBSCRIBE %s.*: %v\n", news, confs)

	// Each message is published once the previous one was handled: the
	// pool may send commands on different connections, so waiting is what
	// orders them.
	for _, m := range [][2]string{
		{news, "hello"},
		{news + ".sport", "goal"},
		{news + ".weather", "rain"},
		{news, "bye"},
	} {
		fmt.Fprintf(out, "PUBLISH %s %s\n", m[0], m[1])
		n, err := rc.Publish(m[0], m[1]).Wait(ctx)
		if err != nil {
			return err
		}
		select {
		case <-h.received:
		case <-ctx.Done():
			return fmt.Errorf("message %q on %s not received: %w", m[1], m[0], ctx.Err())
		}
		fmt.Fprintf(out, "  (receivers: %d)\n", n)
	}

	confs, err = sub.Unsubscribe().Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "UNSUBSCRIBE:", confs)
	confs, err = sub.PUnsubscribe().Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "PUNSUBSCRIBE:", confs)
	return nil
}
