package conn_test

import (
	"context"
	"fmt"
	"sort"

	"github.com/txredis/txredis/conn"
)

// ScanSeq ranges over the keys of the database, page by page; an error
// comes as the second value.
func ExampleCommands_ScanSeq() {
	c, done := exampleConn()
	defer done()
	ctx := context.Background()
	c.MSet("user:1", "ann", "user:2", "bob", "user:3", "cy", "order:9", "x")

	var users []string
	for key, err := range c.ScanSeq(ctx, conn.ScanArgs{Match: "user:*", Count: 2}) {
		if err != nil {
			fmt.Println("scan:", err)
			return
		}
		users = append(users, key)
	}
	sort.Strings(users) // SCAN returns keys in no particular order
	fmt.Println(users)
	// Output: [user:1 user:2 user:3]
}

// HScanSeq yields field, value pairs.
func ExampleCommands_HScanSeq() {
	c, done := exampleConn()
	defer done()
	ctx := context.Background()
	c.HSet("user:1", "name", "ann", "email", "ann@example.com")

	fields := map[string]string{}
	for fv, err := range c.HScanSeq(ctx, "user:1", conn.ScanArgs{}) {
		if err != nil {
			fmt.Println("hscan:", err)
			return
		}
		fields[fv.Field] = fv.Value
	}
	fmt.Println(fields["name"], fields["email"])
	// Output: ann ann@example.com
}

// ZScanSeq yields members with their scores.
func ExampleCommands_ZScanSeq() {
	c, done := exampleConn()
	defer done()
	ctx := context.Background()
	c.ZAdd("scores", conn.ZMember{Member: "ann", Score: 3}, conn.ZMember{Member: "bob", Score: 1.5})

	total := 0.0
	for m, err := range c.ZScanSeq(ctx, "scores", conn.ScanArgs{}) {
		if err != nil {
			fmt.Println("zscan:", err)
			return
		}
		total += m.Score
	}
	fmt.Println(total)
	// Output: 4.5
}
