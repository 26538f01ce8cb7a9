package conn_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// coveredGroups are the command groups of COMMAND DOCS that conn.Commands
// must cover entirely.
var coveredGroups = map[string]bool{
	"string": true, "generic": true, "hash": true, "list": true, "set": true,
	"sorted-set": true, "hyperloglog": true, "bitmap": true, "geo": true,
	"stream": true, "pubsub": true, "scripting": true,
}

// coveredServer are the server and connection commands that have methods.
var coveredServer = []string{
	"PING", "ECHO", "CLIENT|ID", "CLIENT|GETNAME", "CLIENT|SETNAME",
	"CLIENT|LIST", "CLIENT|INFO", "DBSIZE", "FLUSHDB", "FLUSHALL", "INFO",
	"TIME", "CONFIG|GET", "CONFIG|SET", "LASTSAVE", "ROLE",
}

// irregular maps commands whose method is not named after them.
var irregular = map[string]string{
	"SUBSTR": "GetRange", // deprecated alias of GETRANGE
}

// excluded are commands of the covered groups without a method, and why.
var excluded = map[string]string{
	"SUBSCRIBE":    "subscriber connections are the pubsub package's",
	"UNSUBSCRIBE":  "subscriber connections are the pubsub package's",
	"PSUBSCRIBE":   "subscriber connections are the pubsub package's",
	"PUNSUBSCRIBE": "subscriber connections are the pubsub package's",
	"SSUBSCRIBE":   "subscriber connections are the pubsub package's",
	"SUNSUBSCRIBE": "subscriber connections are the pubsub package's",
	"PFDEBUG":      "internal debugging command: Do",
	"PFSELFTEST":   "internal test command: Do",
	"SCRIPT|DEBUG": "the interactive Lua debugger needs a dedicated connection: Do",
	"SELECT":       "changes the database of one pooled connection only: Options.DB, or Do on a connection you own",
}

// commandDocs returns every command and subcommand of the server's COMMAND
// DOCS with its group, names upper-case ("CLIENT|SETNAME").
func commandDocs(t *testing.T) map[string]string {
	t.Helper()
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr(), Protocol: 3})
	docs := testutil.Must(t, c.Do("COMMAND", "DOCS"))
	out := map[string]string{}
	var walk func(v proto.Value)
	walk = func(v proto.Value) {
		for i := 0; i+1 < len(v.Elems); i += 2 {
			name := strings.ToUpper(v.Elems[i].Str)
			body := v.Elems[i+1]
			hasSubs := false
			for j := 0; j+1 < len(body.Elems); j += 2 {
				switch body.Elems[j].Str {
				case "group":
					out[name] = body.Elems[j+1].Str
				case "subcommands":
					hasSubs = true
					walk(body.Elems[j+1])
				}
			}
			if hasSubs {
				out[name] = "container"
			}
		}
	}
	walk(docs)
	return out
}

// TestCommandCoverage fails when a command of the covered groups (as the
// real server lists them) has no method on conn.Commands.
func TestCommandCoverage(t *testing.T) {
	docs := commandDocs(t)
	methods := map[string]string{}
	ct := reflect.TypeOf(conn.Commands{})
	for i := 0; i < ct.NumMethod(); i++ {
		m := ct.Method(i).Name
		methods[strings.ToUpper(m)] = m
	}
	want := map[string]bool{}
	for name, group := range docs {
		if coveredGroups[group] && !strings.HasSuffix(name, "|HELP") {
			want[name] = true
		}
	}
	for _, name := range coveredServer {
		if _, ok := docs[name]; !ok {
			t.Errorf("%s is not a command of the server", name)
		}
		want[name] = true
	}
	var missing, covered []string
	for name := range want {
		if _, ok := excluded[name]; ok {
			continue
		}
		method, ok := irregular[name]
		if !ok {
			method = strings.NewReplacer("|", "", "_", "", "-", "").Replace(name)
		}
		if _, ok := methods[strings.ToUpper(method)]; !ok {
			missing = append(missing, name)
			continue
		}
		covered = append(covered, name)
	}
	sort.Strings(missing)
	for _, name := range missing {
		t.Errorf("command %s (%s) has no method on conn.Commands", name, docs[name])
	}
	for name := range excluded {
		if _, ok := docs[name]; !ok {
			t.Errorf("excluded command %s is not a command of the server", name)
		}
	}
	t.Logf("%d commands covered by methods, %d excluded", len(covered), len(excluded))
}
