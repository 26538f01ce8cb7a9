package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/embedded"
	"github.com/txredis/txredis/lazy"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/pubsub"
	"github.com/txredis/txredis/shard"
)

// keyPrefix begins every key and channel of the tour; the output names
// them without it ("foo" is txredis:example:quickstart:foo).
const keyPrefix = embedded.KeyPrefix + "quickstart:"

// k is the tour's key name in Redis.
func k(name string) string { return keyPrefix + name }

// connection: one connection, commands waited for one by one, then the
// same work as a chain of callbacks.
func connection(ctx context.Context, addr string, out io.Writer) error {
	section(out, "a connection: conn.Connect")
	rc, err := conn.Connect(conn.Options{Addr: addr}).Wait(ctx)
	if err != nil {
		return err
	}
	defer func() { rc.Disconnect().Wait(context.Background()) }()
	fmt.Fprintln(out, "connected to", rc.Addr())

	ok, err := rc.Set(k("foo"), "bar").Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "SET foo bar ->", ok)
	v, err := rc.Get(k("foo")).Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "GET foo ->", v)

	// The callback style: each step runs when the previous reply arrives,
	// on the connection's reader goroutine; Chain splices in the Deferred
	// of the next command, Then changes the value, Catch handles errors.
	// Never Wait inside a step: the reader goroutine would stop, and with
	// it every reply; such a Wait fails with deferred.ErrWaitOnDispatcher.
	// Return the Deferred (Chain) instead, as here.
	d := deferred.Chain(rc.Set(k("counter"), "41"), func(string) *deferred.Deferred[int64] {
		return rc.Incr(k("counter"))
	})
	msg := deferred.Then(d, func(n int64) (string, error) {
		return "SET counter 41, then INCR counter -> " + strconv.FormatInt(n, 10), nil
	})
	s, err := msg.Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "chain:", s)
	missing := rc.Get(k("missing")).Catch(func(err error) (string, error) {
		if errors.Is(err, proto.ErrNil) {
			return "(no such key: Catch recovered the chain)", nil
		}
		return "", err
	})
	s, err = missing.Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "GET missing ->", s)

	n, err := rc.Del(k("foo"), k("counter")).Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "DEL foo counter ->", n)
	_, err = rc.Disconnect().Wait(ctx)
	return err
}

// connectPool: a pool of 4 connections shared by 100 goroutines.
func connectPool(ctx context.Context, addr string, out io.Writer) (*pool.Pool, error) {
	section(out, "a pool: pool.Connect, PoolSize 4")
	rc, err := pool.Connect(pool.Options{Options: conn.Options{Addr: addr}, PoolSize: 4}).Wait(ctx)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*pool.Pool, error) {
		rc.Disconnect().Wait(context.Background())
		return nil, err
	}
	fmt.Fprintf(out, "%d connections open to %s\n", rc.Stats().Open, rc.Addr())
	if _, err := rc.Del(k("hits")).Wait(ctx); err != nil {
		return fail(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 100)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = rc.Incr(k("hits")).Wait(ctx)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fail(err)
	}
	hits, err := rc.Get(k("hits")).Wait(ctx)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintln(out, "100 goroutines sent INCR hits at once; GET hits ->", hits)
	return rc, nil
}

// lazyConnection: the handle comes back before the connection is made;
// a command sent at once waits for the dial.
func lazyConnection(ctx context.Context, addr string, out io.Writer) error {
	section(out, "a lazy connection: lazy.Connection")
	rc := lazy.Connection(conn.Options{Addr: addr})
	defer func() { rc.Disconnect().Wait(context.Background()) }()
	fmt.Fprintln(out, "handle returned at once, state:", rc.State())
	d := rc.Set(k("lazy"), "yes") // sent before the connection is up
	ok, err := d.Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "SET lazy yes, sent right away ->", ok, "(state now:", rc.State().String()+")")
	_, err = rc.Disconnect().Wait(ctx)
	return err
}

// sharded: keys spread over two servers by txredisapi's consistent hash.
func sharded(ctx context.Context, addr, addr2 string, out io.Writer) error {
	section(out, "a sharded connection: shard.Connect over two servers")
	if addr2 == "" {
		fmt.Fprintln(out, "skipped: give a second server with -addr2")
		return nil
	}
	rc, err := shard.Connect([]string{addr, addr2}, conn.Options{}).Wait(ctx)
	if err != nil {
		return err
	}
	defer func() { rc.Disconnect().Wait(context.Background()) }()
	fmt.Fprintln(out, rc)

	keys := make([]string, 10)
	sets := make([]*deferred.Deferred[string], 10)
	for i := range keys {
		keys[i] = k(fmt.Sprintf("key%02d", i))
		sets[i] = rc.Set(keys[i], fmt.Sprintf("value%02d", i)) // all sent at once
	}
	if _, err := deferred.All(sets...).Wait(ctx); err != nil {
		return err
	}
	for _, k := range keys {
		fmt.Fprintf(out, "%s is on %s\n", strings.TrimPrefix(k, keyPrefix), rc.Shard(k))
	}
	values, err := rc.MGet(keys...).Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprint(out, "MGET key00..key09 (split per server, in key order) ->")
	for _, v := range values {
		fmt.Fprint(out, " ", v.V)
	}
	fmt.Fprintln(out)
	_, err = rc.Disconnect().Wait(ctx)
	return err
}

// transaction: MULTI on one of the pool's connections; each queued
// command's typed Deferred fires at commit with its own result.
func transaction(ctx context.Context, rc *pool.Pool, out io.Writer) error {
	section(out, "a transaction: Multi, Commit")
	tx, err := rc.Multi().Wait(ctx)
	if err != nil {
		return err
	}
	tx.Set(k("tx:a"), "1")
	tx.Set(k("tx:b"), "2")
	n := tx.Incr(k("tx:a"))
	said := deferred.Then(n, func(v int64) (string, error) {
		return fmt.Sprintf("the INCR's Deferred[int64] fired with %d", v), nil
	})
	fmt.Fprintln(out, "queued SET tx:a 1, SET tx:b 2, INCR tx:a; INCR fired yet:", n.Fired())
	replies, err := tx.Commit().Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "commit ->", replies)
	s, err := said.Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, s)
	return nil
}

// publishSubscribe: a subscriber connection, and a PUBLISH from the pool.
func publishSubscribe(ctx context.Context, addr string, rc *pool.Pool, out io.Writer) error {
	section(out, "publish/subscribe: pubsub.Connect, PUBLISH from the pool")
	received := make(chan struct{}, 1)
	h := pubsub.HandlerFunc(func(pattern, channel, message string) {
		fmt.Fprintf(out, "handler got %q on %s\n", message, strings.TrimPrefix(channel, keyPrefix))
		select { // never block the delivery goroutine: others may publish here too
		case received <- struct{}{}:
		default:
		}
	})
	sub, err := pubsub.Connect(pubsub.Options{Options: conn.Options{Addr: addr}}, h).Wait(ctx)
	if err != nil {
		return err
	}
	defer func() { sub.Disconnect().Wait(context.Background()) }()
	channel := k("channel")
	confs, err := sub.Subscribe(channel).Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "SUBSCRIBE channel ->", len(confs), "subscription")
	n, err := rc.Publish(channel, "hello from the pool").Wait(ctx)
	if err != nil {
		return err
	}
	select {
	case <-received:
	case <-ctx.Done():
		return ctx.Err()
	}
	fmt.Fprintln(out, "PUBLISH channel -> receivers:", n)
	_, err = sub.Disconnect().Wait(ctx)
	return err
}
