package main

import (
	"context"
	"strings"
	"testing"

	"github.com/txredis/txredis/internal/testserver"
)

func TestPrintsSpansAndMetrics(t *testing.T) {
	m := testserver.Mini(t)
	var out strings.Builder
	if err := run(context.Background(), m.Addr(), &out); err != nil {
		t.Fatal(err)
	}
	o := out.String()
	for _, want := range []string{
		`"Name": "GET /article/42"`,
		`"Name": "INCR"`,
		`"Name": "PIPELINE"`,
		`"Name": "MULTI"`,
		`"Name": "ZINCRBY"`,
		`"Name": "redis.dial"`,
		`"Key": "db.system.name"`,
		`"Key": "db.query.text"`,
		`"Value": "HSET txredis:example:otel:article:42 ? ?"`,
		`"Key": "db.operation.batch.size"`,
		"db.client.operation.duration INCR: 1",
		"db.client.operation.duration PIPELINE: 1",
		"db.client.operation.duration MULTI: 1",
		"db.client.connection.count idle: 2",
	} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", o)
	}
}
