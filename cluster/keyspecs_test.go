package cluster_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

// Replies of COMMAND INFO of Redis 7.4 (HEXPIRE) and 7.2 (WAITAOF), RESP2.
var (
	hexpireInfo = proto.ArrayValue(proto.ArrayValue(proto.BulkValue("hexpire"), proto.IntValue(-6),
		proto.ArrayValue(proto.SimpleValue("write"), proto.SimpleValue("fast")),
		proto.IntValue(1), proto.IntValue(1), proto.IntValue(1), proto.ArrayValue(proto.SimpleValue("@hash")), proto.ArrayValue(),
		proto.ArrayValue(proto.ArrayValue(
			proto.BulkValue("flags"), proto.ArrayValue(proto.SimpleValue("RW"), proto.SimpleValue("UPDATE")),
			proto.BulkValue("begin_search"), proto.ArrayValue(proto.BulkValue("type"), proto.BulkValue("index"), proto.BulkValue("spec"),
				proto.ArrayValue(proto.BulkValue("index"), proto.IntValue(1))),
			proto.BulkValue("find_keys"), proto.ArrayValue(proto.BulkValue("type"), proto.BulkValue("range"), proto.BulkValue("spec"),
				proto.ArrayValue(proto.BulkValue("lastkey"), proto.IntValue(0), proto.BulkValue("keystep"), proto.IntValue(1), proto.BulkValue("limit"), proto.IntValue(0))))),
		proto.ArrayValue()))
	waitaofInfo = proto.ArrayValue(proto.ArrayValue(proto.BulkValue("waitaof"), proto.IntValue(4),
		proto.ArrayValue(proto.SimpleValue("noscript"), proto.SimpleValue("blocking")),
		proto.IntValue(0), proto.IntValue(0), proto.IntValue(0), proto.ArrayValue(), proto.ArrayValue(), proto.ArrayValue(), proto.ArrayValue()))
)

// Commands newer than the table are routed by what the cluster says of
// them: HEXPIRE to the master of its key's slot, WAITAOF (no key) to a
// master, and JSON.GET, which no node knows, by its first argument,
// answered with the node's own error.
func TestLearnedCommands(t *testing.T) {
	f := twoNodes(t, nil, func(addr string, args []string) proto.Value {
		switch strings.Join(args[:min(3, len(args))], " ") {
		case "COMMAND INFO HEXPIRE":
			return hexpireInfo
		case "COMMAND INFO WAITAOF":
			return waitaofInfo
		case "COMMAND INFO JSON.GET":
			return proto.ArrayValue(proto.NullValue())
		}
		switch args[0] {
		case "HEXPIRE":
			return proto.ArrayValue(proto.IntValue(1))
		case "WAITAOF":
			return proto.ArrayValue(proto.IntValue(1), proto.IntValue(0))
		}
		return proto.ErrorValue("ERR unknown command '" + args[0] + "'")
	})
	opts := cluster.Options{}
	opts.Dialer = f.dial
	c := testutil.Must(t, cluster.Connect([]string{nodeA}, opts))
	defer c.Disconnect()
	keys := map[string]string{} // key -> owner
	for i := 0; len(keys) < 20; i++ {
		k := "h" + itoa(i)
		owner := nodeA
		if cluster.Slot(k) > 8191 {
			owner = nodeB
		}
		keys[k] = owner
	}
	for k := range keys {
		testutil.Must(t, c.Do("HEXPIRE", k, "10", "FIELDS", "1", "f"))
	}
	infos := 0
	for _, node := range []string{nodeA, nodeB} {
		for _, cmd := range f.commands(node) {
			if strings.HasPrefix(cmd, "COMMAND INFO HEXPIRE") {
				infos++
			}
			if k, ok := strings.CutPrefix(cmd, "HEXPIRE "); ok {
				k = strings.Fields(k)[0]
				if keys[k] != node {
					t.Errorf("HEXPIRE %s went to %s, its slot is on %s", k, node, keys[k])
				}
				delete(keys, k)
			}
		}
	}
	if len(keys) != 0 || infos != 1 {
		t.Errorf("%d HEXPIRE never arrived; COMMAND INFO HEXPIRE asked %d times, want once", len(keys), infos)
	}
	if v := testutil.Must(t, c.Do("WAITAOF", "1", "0", "100")); len(v.Elems) != 2 {
		t.Errorf("WAITAOF: %v", v)
	}
	_, err := testutil.Wait(t, c.Do("JSON.GET", "doc", "$"))
	var perr *proto.Error
	if !errors.As(err, &perr) || !strings.Contains(err.Error(), "unknown command 'JSON.GET'") {
		t.Errorf("JSON.GET: %v, want the node's unknown command error", err)
	}
	owner := nodeA
	if cluster.Slot("doc") > 8191 {
		owner = nodeB
	}
	found := false
	for _, cmd := range f.commands(owner) {
		found = found || strings.HasPrefix(cmd, "JSON.GET doc")
	}
	if !found {
		t.Errorf("JSON.GET doc did not go to %s, the node of its first argument", owner)
	}
}
