package cmdinfo

//go:generate go run ./gen

import (
	"sort"
	"strconv"
	"strings"

	"github.com/txredis/txredis/proto"
)

// Flags are the command flags of COMMAND INFO.
type Flags uint32

// The command flags, named after those of COMMAND INFO.
const (
	FlagWrite           Flags = 1 << iota // "write": may modify the keyspace
	FlagReadOnly                          // "readonly": reads keys, never modifies them
	FlagDenyOOM                           // "denyoom": refused when out of memory
	FlagModule                            // "module"
	FlagAdmin                             // "admin": administrative
	FlagPubSub                            // "pubsub": pub/sub related
	FlagNoScript                          // "noscript": not allowed in scripts
	FlagBlocking                          // "blocking": may block the client
	FlagLoading                           // "loading": allowed while loading the dataset
	FlagStale                             // "stale": allowed on a replica with stale data
	FlagSkipMonitor                       // "skip_monitor"
	FlagSkipSlowlog                       // "skip_slowlog"
	FlagAsking                            // "asking": cluster ASKING related
	FlagFast                              // "fast": O(1) or O(log N)
	FlagNoAuth                            // "no_auth": allowed before AUTH
	FlagMayReplicate                      // "may_replicate"
	FlagNoMandatoryKeys                   // "no_mandatory_keys": keys may be absent
	FlagNoAsyncLoading                    // "no_async_loading"
	FlagNoMulti                           // "no_multi": not allowed in MULTI
	FlagMovableKeys                       // "movablekeys": key positions depend on the arguments
	FlagAllowBusy                         // "allow_busy": allowed while a script is busy
)

var flagText = [...]string{
	"write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript",
	"blocking", "loading", "stale", "skip_monitor", "skip_slowlog", "asking",
	"fast", "no_auth", "may_replicate", "no_mandatory_keys", "no_async_loading",
	"no_multi", "movablekeys", "allow_busy",
}

// String returns the flags as COMMAND INFO names them, space-separated.
func (f Flags) String() string {
	var b strings.Builder
	for i, name := range flagText {
		if f&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(name)
		}
	}
	return b.String()
}

// KeySpec is one key specification of COMMAND INFO: where to begin the
// search (BeginIndex, or after Keyword searched from StartFrom) and how to
// find the keys from there (a range, or a count given by an argument).
type KeySpec struct {
	// Begin search by index: the first key is argument BeginIndex.
	BeginIndex int
	// Begin search by keyword: the first key follows Keyword, searched
	// from argument StartFrom (from the end when negative).
	Keyword   string
	StartFrom int
	// Find keys by range (KeyNum false): LastKey relative to the first
	// key (negative: from the end), every KeyStep, Limit as in Redis.
	LastKey int
	Limit   int
	// Find keys by number (KeyNum true): the count is argument
	// KeyNumIdx after the beginning, the first key FirstKey after it.
	KeyNum    bool
	KeyNumIdx int
	FirstKey  int
	KeyStep   int
	// Unknown is set when the server could not describe the keys.
	Unknown bool
	// Flags are the key flags (RO, RW, OW, RM, access, insert, update,
	// delete, not_key, incomplete, variable_flags).
	Flags []string
}

// Info describes one command or subcommand.
type Info struct {
	// Name is the upper-case name, "GET", or "CLIENT|SETNAME" for a
	// subcommand.
	Name string
	// Arity is the number of arguments, the name included; negative
	// means at least -Arity.
	Arity int
	// Flags are the command flags.
	Flags Flags
	// FirstKey, LastKey and Step are the legacy key positions of COMMAND
	// INFO (0 when the command takes no key at a fixed position).
	FirstKey, LastKey, Step int
	// ACL are the ACL categories, without "@" ("read", "string", "fast").
	ACL []string
	// Group is the documentation group: "string", "generic", "hash",
	// "list", "set", "sorted-set", "hyperloglog", "bitmap", "geo",
	// "stream", "pubsub", "scripting", "connection", "server",
	// "transactions", "cluster", "sentinel".
	Group string
	// Since is the Redis version that introduced the command.
	Since string
	// Deprecated is set for commands the docs mark deprecated, with
	// ReplacedBy naming what replaces them.
	Deprecated bool
	ReplacedBy string
	// SysCmd is set for commands meant for servers, not clients (PSYNC).
	SysCmd bool
	// Container is set for commands with subcommands (CLIENT, XINFO);
	// Parent names the container of a subcommand.
	Container bool
	Parent    string
	// KeySpecs say where the keys are.
	KeySpecs []KeySpec
}

// Blocking reports whether the command may block the connection (BLPOP,
// XREAD, WAIT...).
func (i Info) Blocking() bool { return i.Flags&FlagBlocking != 0 }

// ReadOnly reports whether the command only reads.
func (i Info) ReadOnly() bool { return i.Flags&FlagReadOnly != 0 }

// Write reports whether the command may modify the keyspace.
func (i Info) Write() bool { return i.Flags&FlagWrite != 0 }

// Has reports whether every flag of f is set.
func (i Info) Has(f Flags) bool { return i.Flags&f == f }

// Subcommand returns the last part of a subcommand's name ("SETNAME" for
// "CLIENT|SETNAME"), and "" for a command.
func (i Info) Subcommand() string {
	if i.Parent == "" {
		return ""
	}
	return i.Name[len(i.Parent)+1:]
}

// index maps upper-case names ("GET", "CLIENT|SETNAME") to entries.
var index = func() map[string]*Info {
	m := make(map[string]*Info, len(commands))
	for i := range commands {
		m[commands[i].Name] = &commands[i]
	}
	return m
}()

// Lookup returns the entry of the command or subcommand name, in any case:
// "get", "CLIENT|SETNAME" and "client setname" all work. For a container
// given with a subcommand that does not exist, it returns the container.
func Lookup(name string) (Info, bool) {
	name = strings.ToUpper(strings.TrimSpace(name))
	if i := strings.IndexAny(name, " |"); i >= 0 {
		if p, ok := index[name[:i]+"|"+strings.TrimSpace(name[i+1:])]; ok {
			return *p, true
		}
		name = name[:i]
	}
	p, ok := index[name]
	if !ok {
		return Info{}, false
	}
	return *p, true
}

// LookupCmd returns the entry of cmd: its subcommand's, chosen by its
// second argument, when cmd names a container.
func LookupCmd(cmd *proto.Cmd) (Info, bool) {
	p := lookupArgs(cmd.Name(), cmd.Len(), cmd.ArgBytes)
	if p == nil {
		return Info{}, false
	}
	return *p, true
}

// lookupArgs finds the entry of a command of n arguments given by arg.
func lookupArgs(name string, n int, arg func(int) []byte) *Info {
	p, ok := index[name]
	if !ok {
		p, ok = index[strings.ToUpper(name)]
		if !ok {
			return nil
		}
	}
	if p.Container && n > 1 {
		var buf [64]byte
		sub := arg(1)
		if len(p.Name)+1+len(sub) <= len(buf) {
			b := append(append(append(buf[:0], p.Name...), '|'), sub...)
			for i := len(p.Name) + 1; i < len(b); i++ {
				if 'a' <= b[i] && b[i] <= 'z' {
					b[i] -= 'a' - 'A'
				}
			}
			if s, ok := index[string(b)]; ok {
				return s
			}
		}
	}
	return p
}

// All returns every entry, sorted by name, subcommands included.
func All() []Info {
	out := append([]Info(nil), commands...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Keys returns the indexes (0 is the name) of the key arguments of cmd,
// in increasing order, found by the key specifications of its entry; nil
// for an unknown command or one without keys. It does not look at keys
// cmd has marked itself.
func Keys(cmd *proto.Cmd) []int {
	p := lookupArgs(cmd.Name(), cmd.Len(), cmd.ArgBytes)
	if p == nil {
		return nil
	}
	return p.keys(cmd.Len(), cmd.ArgBytes)
}

// KeysOf is Keys for a command given as its arguments, the name first.
func KeysOf(args [][]byte) []int {
	if len(args) == 0 {
		return nil
	}
	arg := func(i int) []byte { return args[i] }
	p := lookupArgs(string(args[0]), len(args), arg)
	if p == nil {
		return nil
	}
	return p.keys(len(args), arg)
}

// keys applies the key specifications to a command of argc arguments, as
// the server's getKeysUsingKeySpecs does; a specification that does not fit
// the arguments (a syntax error the server will report) gives no keys.
func (i *Info) keys(argc int, arg func(int) []byte) []int {
	switch i.Name {
	case "SORT", "SORT_RO":
		return sortKeys(argc, arg)
	case "MIGRATE":
		return migrateKeys(argc, arg)
	}
	var out []int
	for _, ks := range i.KeySpecs {
		if ks.Unknown {
			continue
		}
		out = ks.appendKeys(out, argc, arg)
	}
	if len(out) > 1 {
		sort.Ints(out)
		w := 1
		for r := 1; r < len(out); r++ {
			if out[r] != out[w-1] {
				out[w] = out[r]
				w++
			}
		}
		out = out[:w]
	}
	return out
}

func (ks *KeySpec) appendKeys(out []int, argc int, arg func(int) []byte) []int {
	first := 0
	if ks.Keyword == "" {
		first = ks.BeginIndex
	} else {
		start, end := ks.StartFrom, argc-1
		if ks.StartFrom <= 0 {
			start, end = argc+ks.StartFrom, 0
		}
		for j := start; j != end; {
			if j >= argc || j < 1 {
				break
			}
			if strings.EqualFold(string(arg(j)), ks.Keyword) {
				first = j + 1
				break
			}
			if start <= end {
				j++
			} else {
				j--
			}
		}
		if first == 0 {
			return out
		}
	}
	var last, step int
	if ks.KeyNum {
		step = ks.KeyStep
		if first+ks.KeyNumIdx >= argc {
			return out
		}
		n, err := strconv.Atoi(string(arg(first + ks.KeyNumIdx)))
		if err != nil || n < 0 {
			return out
		}
		first += ks.FirstKey
		last = first + n - 1
	} else {
		step = ks.KeyStep
		switch {
		case ks.LastKey >= 0:
			last = first + ks.LastKey
		case ks.Limit == 0:
			last = argc + ks.LastKey
		default:
			last = first + ((argc-first)/ks.Limit + ks.LastKey)
		}
	}
	if step <= 0 || last >= argc || last < first || first >= argc {
		return out
	}
	for j := first; j <= last; j += step {
		out = append(out, j)
	}
	return out
}

// sortKeys finds the keys of SORT: the sorted key and the STORE
// destination, which the key specifications cannot describe (as the
// server's sortGetKeys).
func sortKeys(argc int, arg func(int) []byte) []int {
	if argc < 2 {
		return nil
	}
	out := []int{1}
	store := 0
	for j := 2; j < argc; j++ {
		a := string(arg(j))
		switch {
		case strings.EqualFold(a, "LIMIT"):
			j += 2
		case strings.EqualFold(a, "GET"), strings.EqualFold(a, "BY"):
			j++
		case strings.EqualFold(a, "STORE") && j+1 < argc:
			store = j + 1
			j++
		}
	}
	if store != 0 {
		out = append(out, store)
	}
	return out
}

// migrateKeys finds the keys of MIGRATE: the key argument, or with KEYS
// (and an empty key argument) every argument after it (as the server's
// migrateGetKeys).
func migrateKeys(argc int, arg func(int) []byte) []int {
	if argc < 6 {
		return nil
	}
	for j := 6; j < argc; j++ {
		a := string(arg(j))
		switch {
		case strings.EqualFold(a, "AUTH"):
			j++
		case strings.EqualFold(a, "AUTH2"):
			j += 2
		case strings.EqualFold(a, "KEYS"):
			if len(arg(3)) > 0 {
				return nil
			}
			var out []int
			for k := j + 1; k < argc; k++ {
				out = append(out, k)
			}
			return out
		}
	}
	return []int{3}
}
