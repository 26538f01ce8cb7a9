package main

import (
	"strings"
	"testing"

	"github.com/txredis/txredis/internal/testserver"
)

const wantOutput = `SUBSCRIBE news: [{subscribe news 1}]
PSUBSCRIBE news.*: [{psubscribe news.* 2}]
PUBLISH news hello
  received: pattern="" channel="news" message="hello"
  (receivers: 1)
PUBLISH news.sport goal
  received: pattern="news.*" channel="news.sport" message="goal"
  (receivers: 1)
PUBLISH news.weather rain
  received: pattern="news.*" channel="news.weather" message="rain"
  (receivers: 1)
PUBLISH news bye
  received: pattern="" channel="news" message="bye"
  (receivers: 1)
UNSUBSCRIBE: [{unsubscribe news 1}]
PUNSUBSCRIBE: [{punsubscribe news.* 0}]
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
