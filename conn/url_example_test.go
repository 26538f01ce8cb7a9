package conn_test

import (
	"errors"
	"fmt"

	"github.com/txredis/txredis/conn"
)

func ExampleParseURL() {
	opts, err := conn.ParseURL("rediss://:secret@cache.example.com:6380/2?protocol=3&client_name=web")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(opts.Addr, opts.DB, opts.Protocol, opts.ClientName, opts.TLS.ServerName)

	// Errors name what is wrong and never show the password.
	_, err = conn.ParseURL("redis://:secret@localhost?reply_timeout=2s&pasword=x")
	fmt.Println(errors.Is(err, conn.ErrBadURL), err)
	// Output:
	// cache.example.com:6380 2 3 web cache.example.com
	// true txredis/conn: bad Redis URL "redis://:xxxxx@localhost": unknown option "pasword" (known: db, protocol, client_name, connect_timeout, dial_timeout, reply_timeout, read_timeout)
}

// A URL in Options.Addr fills the fields left at zero; a field set to
// something else is a conflict.
func ExampleOptions_ApplyURL() {
	opts, err := conn.Options{Addr: "redis://:secret@10.0.0.5/3", ClientName: "worker"}.ApplyURL()
	fmt.Println(opts.Addr, opts.DB, opts.ClientName, err)

	_, err = conn.Options{Addr: "redis://10.0.0.5/3", DB: 1}.ApplyURL()
	fmt.Println(err)
	// Output:
	// 10.0.0.5:6379 3 worker <nil>
	// txredis/conn: bad Redis URL "redis://10.0.0.5/3": Options.DB is 1 but the URL says 3
}
