package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/txredis/txredis/proto"
)

func main() {
	server := flag.String("server", "redis-server", "redis-server binary to start")
	addr := flag.String("addr", "", "query this server (host:port or a unix socket path) instead of starting one")
	offline := flag.Bool("offline", false, "rebuild table_gen.go from testdata/*.json without a server")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("cmdinfo/gen: ")

	if !*offline {
		if err := query(*server, *addr); err != nil {
			log.Fatal(err)
		}
	}
	if err := generate(); err != nil {
		log.Fatal(err)
	}
}

const (
	docsFile  = "testdata/command_docs.json"
	infoFile  = "testdata/command_info.json"
	tableFile = "table_gen.go"
)

// query fetches COMMAND DOCS and COMMAND INFO and writes them as JSON.
func query(server, addr string) error {
	if addr == "" {
		dir, err := os.MkdirTemp("", "cmdinfo-gen")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		addr = filepath.Join(dir, "redis.sock")
		cmd := exec.Command(server, "--port", "0", "--unixsocket", addr, "--save", "", "--appendonly", "no", "--dir", dir)
		if err := cmd.Start(); err != nil {
			return err
		}
		defer func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}()
	}
	network := "tcp"
	if strings.HasPrefix(addr, "/") {
		network = "unix"
	}
	var c net.Conn
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err = net.Dial(network, addr); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	defer c.Close()
	r := proto.NewReader(bufio.NewReader(c), proto.ReaderOptions{})
	do := func(args ...string) (proto.Value, error) {
		if _, err := c.Write(proto.AppendCommand(nil, args...)); err != nil {
			return proto.Value{}, err
		}
		v, err := r.ReadValue()
		if err == nil && v.IsError() {
			err = v.Err()
		}
		return v, err
	}
	hello, err := do("HELLO", "3")
	if err != nil {
		return err
	}
	version := ""
	for i := 0; i+1 < len(hello.Elems); i += 2 {
		if hello.Elems[i].Str == "version" {
			version = hello.Elems[i+1].Str
		}
	}
	docs, err := do("COMMAND", "DOCS")
	if err != nil {
		return err
	}
	info, err := do("COMMAND", "INFO")
	if err != nil {
		return err
	}
	if err := writeJSON(docsFile, map[string]any{"redis_version": version, "commands": toJSON(docs)}); err != nil {
		return err
	}
	var cmds []commandInfo
	for _, e := range info.Elems {
		cmds = append(cmds, parseInfo(e))
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	return writeJSON(infoFile, infoDump{RedisVersion: version, Commands: cmds})
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// toJSON converts a RESP3 value to plain JSON data.
func toJSON(v proto.Value) any {
	switch v.Kind {
	case proto.Map:
		m := make(map[string]any, len(v.Elems)/2)
		for i := 0; i+1 < len(v.Elems); i += 2 {
			m[v.Elems[i].Str] = toJSON(v.Elems[i+1])
		}
		return m
	case proto.Array, proto.Set, proto.Push:
		a := make([]any, len(v.Elems))
		for i, e := range v.Elems {
			a[i] = toJSON(e)
		}
		return a
	case proto.Integer:
		return v.Int
	case proto.Boolean:
		return v.Int != 0
	case proto.Double:
		return v.Float()
	case proto.Null, 0:
		return nil
	}
	return v.Str
}

// infoDump is the JSON form of COMMAND INFO.
type infoDump struct {
	RedisVersion string        `json:"redis_version"`
	Commands     []commandInfo `json:"commands"`
}

// commandInfo is one entry of COMMAND INFO, fields named as in the Redis
// documentation of COMMAND.
type commandInfo struct {
	Name          string        `json:"name"`
	Arity         int64         `json:"arity"`
	Flags         []string      `json:"flags"`
	FirstKey      int64         `json:"first_key"`
	LastKey       int64         `json:"last_key"`
	Step          int64         `json:"step"`
	ACLCategories []string      `json:"acl_categories"`
	Tips          []string      `json:"tips"`
	KeySpecs      []any         `json:"key_specs"`
	Subcommands   []commandInfo `json:"subcommands,omitempty"`
}

func strs(v proto.Value) []string {
	out := []string{}
	for _, e := range v.Elems {
		out = append(out, e.Str)
	}
	sort.Strings(out)
	return out
}

func parseInfo(v proto.Value) commandInfo {
	e := v.Elems
	ci := commandInfo{
		Name:          e[0].Str,
		Arity:         e[1].Int,
		Flags:         strs(e[2]),
		FirstKey:      e[3].Int,
		LastKey:       e[4].Int,
		Step:          e[5].Int,
		ACLCategories: strs(e[6]),
		Tips:          []string{},
		KeySpecs:      []any{},
	}
	if len(e) > 7 {
		for _, t := range e[7].Elems {
			ci.Tips = append(ci.Tips, t.Str)
		}
	}
	if len(e) > 8 {
		for _, ks := range e[8].Elems {
			ci.KeySpecs = append(ci.KeySpecs, toJSON(ks))
		}
	}
	if len(e) > 9 {
		for _, sub := range e[9].Elems {
			ci.Subcommands = append(ci.Subcommands, parseInfo(sub))
		}
		sort.Slice(ci.Subcommands, func(i, j int) bool { return ci.Subcommands[i].Name < ci.Subcommands[j].Name })
	}
	return ci
}

// docEntry is the part of COMMAND DOCS the table keeps.
type docEntry struct {
	Summary     string              `json:"summary"`
	Since       string              `json:"since"`
	Group       string              `json:"group"`
	DocFlags    []string            `json:"doc_flags"`
	ReplacedBy  string              `json:"replaced_by"`
	Subcommands map[string]docEntry `json:"subcommands"`
}

// generate writes table_gen.go from the JSON files.
func generate() error {
	var docs struct {
		Commands map[string]docEntry `json:"commands"`
	}
	var info infoDump
	for path, v := range map[string]any{docsFile: &docs, infoFile: &info} {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if len(info.Commands) == 0 {
		return errors.New("no commands in " + infoFile)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "// Code generated by go run ./gen from Redis %s; DO NOT EDIT.\n\n", info.RedisVersion)
	buf.WriteString("package cmdinfo\n\n")
	fmt.Fprintf(&buf, "// RedisVersion is the version of the server the table was generated from.\n")
	fmt.Fprintf(&buf, "const RedisVersion = %q\n\n", info.RedisVersion)
	buf.WriteString("// commands is every command of the server, subcommands after their container.\n")
	buf.WriteString("var commands = []Info{\n")
	for _, ci := range info.Commands {
		d := docs.Commands[ci.Name]
		writeEntry(&buf, ci, d, "")
		for _, sub := range ci.Subcommands {
			writeEntry(&buf, sub, d.Subcommands[sub.Name], ci.Name)
		}
	}
	buf.WriteString("}\n")
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return fmt.Errorf("formatting generated code: %w\n%s", err, buf.Bytes())
	}
	return os.WriteFile(tableFile, src, 0o644)
}

var flagNames = map[string]string{
	"write": "Write", "readonly": "ReadOnly", "denyoom": "DenyOOM", "module": "Module",
	"admin": "Admin", "pubsub": "PubSub", "noscript": "NoScript", "blocking": "Blocking",
	"loading": "Loading", "stale": "Stale", "skip_monitor": "SkipMonitor",
	"skip_slowlog": "SkipSlowlog", "asking": "Asking", "fast": "Fast", "no_auth": "NoAuth",
	"may_replicate": "MayReplicate", "no_mandatory_keys": "NoMandatoryKeys",
	"no_async_loading": "NoAsyncLoading", "no_multi": "NoMulti", "movablekeys": "MovableKeys",
	"allow_busy": "AllowBusy",
}

func writeEntry(buf *bytes.Buffer, ci commandInfo, d docEntry, parent string) {
	name := strings.ToUpper(ci.Name)
	fmt.Fprintf(buf, "\t{Name: %q, Arity: %d", name, ci.Arity)
	if len(ci.Flags) > 0 {
		var fs []string
		for _, f := range ci.Flags {
			n, ok := flagNames[f]
			if !ok {
				log.Fatalf("unknown command flag %q of %s", f, ci.Name)
			}
			fs = append(fs, "Flag"+n)
		}
		fmt.Fprintf(buf, ", Flags: %s", strings.Join(fs, "|"))
	}
	if ci.FirstKey != 0 || ci.LastKey != 0 || ci.Step != 0 {
		fmt.Fprintf(buf, ", FirstKey: %d, LastKey: %d, Step: %d", ci.FirstKey, ci.LastKey, ci.Step)
	}
	if len(ci.ACLCategories) > 0 {
		var cs []string
		for _, c := range ci.ACLCategories {
			cs = append(cs, strconv.Quote(strings.TrimPrefix(c, "@")))
		}
		fmt.Fprintf(buf, ", ACL: []string{%s}", strings.Join(cs, ", "))
	}
	fmt.Fprintf(buf, ", Group: %q, Since: %q", d.Group, d.Since)
	for _, f := range d.DocFlags {
		switch f {
		case "deprecated":
			buf.WriteString(", Deprecated: true")
		case "syscmd":
			buf.WriteString(", SysCmd: true")
		}
	}
	if d.ReplacedBy != "" {
		fmt.Fprintf(buf, ", ReplacedBy: %q", d.ReplacedBy)
	}
	if len(ci.Subcommands) > 0 {
		buf.WriteString(", Container: true")
	}
	if parent != "" {
		fmt.Fprintf(buf, ", Parent: %q", strings.ToUpper(parent))
	}
	if len(ci.KeySpecs) > 0 {
		buf.WriteString(", KeySpecs: []KeySpec{")
		for i, ks := range ci.KeySpecs {
			if i > 0 {
				buf.WriteString(", ")
			}
			buf.WriteString(keySpec(ks.(map[string]any)))
		}
		buf.WriteString("}")
	}
	buf.WriteString("},\n")
}

// keySpec renders one key specification of COMMAND INFO as a KeySpec
// literal.
func keySpec(m map[string]any) string {
	var parts []string
	unknown := false
	num := func(m map[string]any, k string) int {
		f, _ := m[k].(float64)
		return int(f)
	}
	bs, _ := m["begin_search"].(map[string]any)
	bspec, _ := bs["spec"].(map[string]any)
	switch bs["type"] {
	case "index":
		parts = append(parts, fmt.Sprintf("BeginIndex: %d", num(bspec, "index")))
	case "keyword":
		parts = append(parts, fmt.Sprintf("Keyword: %q, StartFrom: %d", bspec["keyword"], num(bspec, "startfrom")))
	default:
		unknown = true
	}
	fk, _ := m["find_keys"].(map[string]any)
	fspec, _ := fk["spec"].(map[string]any)
	switch fk["type"] {
	case "range":
		parts = append(parts, fmt.Sprintf("LastKey: %d, KeyStep: %d, Limit: %d", num(fspec, "lastkey"), num(fspec, "keystep"), num(fspec, "limit")))
	case "keynum":
		parts = append(parts, fmt.Sprintf("KeyNum: true, KeyNumIdx: %d, FirstKey: %d, KeyStep: %d", num(fspec, "keynumidx"), num(fspec, "firstkey"), num(fspec, "keystep")))
	default:
		unknown = true
	}
	if unknown {
		parts = append(parts, "Unknown: true")
	}
	if fl, ok := m["flags"].([]any); ok && len(fl) > 0 {
		var fs []string
		for _, f := range fl {
			fs = append(fs, strconv.Quote(f.(string)))
		}
		parts = append(parts, "Flags: []string{"+strings.Join(fs, ", ")+"}")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
