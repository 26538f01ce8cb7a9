package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/alicebob/miniredis/v2"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/embedded"
	"github.com/txredis/txredis/shard"
)

func main() {
	addrList := flag.String("addrs", "", "comma-separated redis addresses: host:port, socket paths or URLs such as "+
		"redis://host:6379/15 to pick a database (default: two embedded servers). The example writes 100 keys "+
		keyPrefix+"foo00..foo99 over them, in that database (0 unless the URL says), and leaves them there")
	flag.Parse()
	var addrs []string
	if *addrList != "" {
		addrs = strings.Split(*addrList, ",")
		for _, a := range addrs {
			fmt.Println(embedded.Where(a, keyPrefix))
		}
	} else {
		for range 2 {
			m, err := miniredis.Run()
			if err != nil {
				log.Fatal(err)
			}
			defer m.Close()
			addrs = append(addrs, m.Addr())
		}
		fmt.Printf("(no -addrs given: using two embedded miniredis servers at %s)\n", strings.Join(addrs, ", "))
	}
	if err := run(addrs, os.Stdout); err != nil {
		log.Fatal(err) // the embedded servers die with the process
	}
}

// keyPrefix begins every key the example writes.
const keyPrefix = embedded.KeyPrefix + "sharded:"

// run is the README's main(): each Wait stands where the Python code
// yields.
func run(addrs []string, out io.Writer) error {
	ctx := context.Background()
	rc, err := shard.Connect(addrs, conn.Options{}).Wait(ctx)
	if err != nil {
		return err
	}
	defer func() { rc.Disconnect().Wait(ctx) }()
	fmt.Fprintln(out, rc)
	fmt.Fprintln(out, "Supported on sharded connections: commands whose keys live on one server;")
	fmt.Fprintln(out, "MGET, DEL, EXISTS, UNLINK, TOUCH and MSET across servers. Not supported:")

	// A transaction needs one connection to one server.
	_, err = rc.Multi().Wait(ctx)
	if !errors.Is(err, shard.ErrNotSharded) {
		return fmt.Errorf("MULTI on a sharded connection: got %v, want shard.ErrNotSharded", err)
	}
	fmt.Fprintln(out, "  MULTI:", err)
	// A command without a key has no server.
	_, err = rc.Keys(keyPrefix + "*").Wait(ctx)
	if !errors.Is(err, shard.ErrNotSharded) {
		return fmt.Errorf("KEYS on a sharded connection: got %v, want shard.ErrNotSharded", err)
	}
	fmt.Fprintln(out, "  KEYS: ", err)

	var keys []string
	perNode := map[string]int{}
	for x := range 100 {
		key := fmt.Sprintf("%sfoo%02d", keyPrefix, x)
		if _, err := rc.Set(key, fmt.Sprintf("bar%02d", x)).Wait(ctx); err != nil {
			return err
		}
		keys = append(keys, key)
		perNode[rc.Shard(key)]++
	}

	// yey! mget is supported!
	response, err := rc.MGet(keys...).Wait(ctx)
	if err != nil {
		return err
	}
	for _, val := range response {
		fmt.Fprintln(out, val.V)
	}

	for _, node := range rc.Nodes() {
		fmt.Fprintf(out, "%d keys on %s\n", perNode[node], node)
	}
	return nil
}
