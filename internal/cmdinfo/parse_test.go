package cmdinfo_test

import (
	"bufio"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/txredis/txredis/internal/cmdinfo"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/proto"
)

// ParseInfo reads COMMAND INFO over RESP2 and RESP3 into the entries the
// generated table holds: every command and subcommand of the server, with
// the same flags, legacy key positions, ACL categories and key
// specifications.
func TestParseInfoMatchesTable(t *testing.T) {
	srv := testserver.Start(t)
	for _, protocol := range []string{"2", "3"} {
		t.Run("RESP"+protocol, func(t *testing.T) {
			nc, err := net.Dial("tcp", srv.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			r := proto.NewReader(bufio.NewReader(nc), proto.ReaderOptions{})
			do := func(args ...string) proto.Value {
				if _, err := nc.Write(proto.AppendCommand(nil, args...)); err != nil {
					t.Fatal(err)
				}
				v, err := r.ReadValue()
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			do("HELLO", protocol)
			if v := do("INFO", "server"); !strings.Contains(v.Str, "redis_version:"+cmdinfo.RedisVersion[:2]) {
				t.Skipf("server is not Redis %s.x", cmdinfo.RedisVersion[:1])
			}
			all := do("COMMAND", "INFO")
			seen := 0
			for _, e := range all.Elems {
				infos, ok := cmdinfo.ParseInfo(e)
				if !ok {
					t.Fatalf("ParseInfo failed on %v", e)
				}
				for _, have := range infos {
					seen++
					want, ok := cmdinfo.Lookup(have.Name)
					if !ok || want.Name != have.Name {
						t.Errorf("%s: not in the table", have.Name)
						continue
					}
					slices.Sort(have.ACL)
					want.Group, want.Since, want.Deprecated, want.ReplacedBy, want.SysCmd = "", "", false, "", false
					if !reflect.DeepEqual(have, want) {
						t.Errorf("%s:\nparsed %+v\ntable  %+v", have.Name, have, want)
					}
				}
			}
			if seen != len(cmdinfo.All()) {
				t.Errorf("parsed %d entries, the table has %d", seen, len(cmdinfo.All()))
			}
			// A command the server does not know is a nil entry.
			if _, ok := cmdinfo.ParseInfo(do("COMMAND", "INFO", "NOSUCHCOMMAND").Elems[0]); ok {
				t.Error("ParseInfo accepted the entry of an unknown command")
			}
		})
	}
}
