package main

import (
	"strings"
	"testing"

	"github.com/txredis/txredis/internal/testserver"
)

const wantOutput = `SUBSCRIBE txredis:example:news: [{subscribe txredis:example:news 1}]
PSUBSCRIBE txredis:example:news.*: [{psubscribe txredis:example:news.* 2}]
PUBLISH txredis:example:news hello
  received: pattern="" channel="txredis:example:news" message="hello"
  (receivers: 1)
PUBLISH txredis:example:news.sport goal
  received: pattern="txredis:example:news.*" channel="txredis:example:news.sport" message="goal"
  (receivers: 1)
PUBLISH txredis:example:news.weather rain
  received: pattern="txredis:example:news.*" channel="txredis:example:news.weather" message="rain"
  (receivers: 1)
PUBLISH txredis:example:news bye
  received: pattern="" channel="txredis:example:news" message="bye"
  (receivers: 1)
UNSUBSCRIBE: [{unsubscribe txredis:example:news 1}]
PUNSUBSCRIBE: [{punsubscribe txredis:example:news.* 0}]
`

func TestPubSubMini(t *testing.T) {
	m := testserver.Mini(t)
	var out strings.Builder
	if err := run(m.Addr(), &out); err != nil {
		t.Fatal(err)
	}
	if have := out.String(); have != wantOutput {
		t.Errorf("output:\n%s\nwant:\n%s", have, wantOutput)
	}
}

func TestPubSubRealServer(t *testing.T) {
	srv := testserver.Start(t)
	var out strings.Builder
	if err := run(srv.Addr(), &out); err != nil {
		t.Fatal(err)
	}
	if have := out.String(); have != wantOutput {
		t.Errorf("output:\n%s\nwant:\n%s", have, wantOutput)
	}
}
