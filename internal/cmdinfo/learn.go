package cmdinfo

import (
	"bytes"
	"strings"
	"sync"

	"github.com/txredis/txredis/proto"
)

// Known reports whether the table describes cmd: its command, and for a
// container given with a subcommand (CLIENT NO-TOUCH), that subcommand.
func Known(cmd *proto.Cmd) bool {
	p := lookupArgs(cmd.Name(), cmd.Len(), cmd.ArgBytes)
	return p != nil && !(p.Container && cmd.Len() > 1)
}

// Ask sends cmd, which it takes ownership of, to a server and calls done
// exactly once with the reply (a server error is a value, not err).
type Ask func(cmd *proto.Cmd, done func(v proto.Value, err error))

// MaxLearned bounds the number of command names a Learner remembers;
// beyond it, it asks again for each new name.
const MaxLearned = 256

// A Learner finds where the keys are in commands the table lacks (newer
// than the server it was generated from, or from modules), by asking the
// server, and remembers what it learned per command name:
//
//  1. COMMAND INFO name (name|subcommand for a container): the key
//     specifications of Redis 7, else the legacy first/last/step key
//     positions (older servers, modules); a keyless command has none.
//  2. When the command's keys depend on its arguments and the
//     specifications cannot say where they are (movablekeys with an
//     incomplete or unknown specification), COMMAND GETKEYS with the
//     whole command, for each command sent.
//  3. When the server cannot tell (it does not know the command, or
//     refuses COMMAND), the fallback rule: the first argument is the
//     key (the first after the subcommand, for a new subcommand of a
//     container the table knows). The server then answers the command
//     itself, with its result or its error (an unknown command is
//     reported by the server).
//
// Connection errors are not remembered: the next command asks again.
// The zero value is ready to use; a Learner is safe for concurrent use.
type Learner struct {
	mu      sync.Mutex // protects the maps
	learned map[string]*rule
	waiting map[string][]func(*rule, error)
}

// rule is what was learned about one command name.
type rule struct {
	info     Info            // key specifications, applied to each command
	subs     map[string]Info // a container's subcommands, by upper-case name
	fallback bool            // the server could not tell: first argument
}

// Keys calls done with the indexes of the key arguments of cmd, a command
// Known reports false for, learning them from the server through ask
// when needed; keys is empty for a keyless command. done runs on the
// goroutine that delivers the server's reply, or on the caller's when
// nothing has to be asked. err is set only when asking failed (a
// connection error), and done is then called with no keys. cmd must stay
// valid until done is called.
func (l *Learner) Keys(cmd *proto.Cmd, ask Ask, done func(keys []int, err error)) {
	name := learnName(cmd)
	l.mu.Lock()
	if r, ok := l.learned[name]; ok {
		l.mu.Unlock()
		r.keys(cmd, ask, done)
		return
	}
	use := func(r *rule, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		r.keys(cmd, ask, done)
	}
	if ws, ok := l.waiting[name]; ok {
		l.waiting[name] = append(ws, use)
		l.mu.Unlock()
		return
	}
	if l.waiting == nil {
		l.waiting = map[string][]func(*rule, error){}
	}
	l.waiting[name] = []func(*rule, error){use}
	l.mu.Unlock()
	ask(proto.NewCmd("COMMAND").Arg("INFO").Arg(name), func(v proto.Value, err error) {
		var r *rule
		if err == nil {
			r = ruleOf(v)
		}
		l.mu.Lock()
		ws := l.waiting[name]
		delete(l.waiting, name)
		if err == nil && len(l.learned) < MaxLearned {
			if l.learned == nil {
				l.learned = map[string]*rule{}
			}
			l.learned[name] = r
		}
		l.mu.Unlock()
		for _, w := range ws {
			w(r, err)
		}
	})
}

// learnName is the name COMMAND INFO is asked about: "NAME", or
// "NAME|SUB" for a container the table knows given a subcommand it does
// not.
func learnName(cmd *proto.Cmd) string {
	if p := lookupArgs(cmd.Name(), cmd.Len(), cmd.ArgBytes); p != nil && p.Container && cmd.Len() > 1 {
		return p.Name + "|" + strings.ToUpper(string(cmd.ArgBytes(1)))
	}
	return cmd.Name()
}

// ruleOf reads the COMMAND INFO reply about one name.
func ruleOf(v proto.Value) *rule {
	if v.IsError() || !isList(v) || len(v.Elems) != 1 {
		return &rule{fallback: true}
	}
	infos, ok := ParseInfo(v.Elems[0])
	if !ok {
		return &rule{fallback: true}
	}
	r := &rule{info: infos[0]}
	if len(infos) > 1 {
		r.subs = make(map[string]Info, len(infos)-1)
		for _, s := range infos[1:] {
			r.subs[s.Name] = s
		}
	}
	return r
}

// keys applies r to cmd.
func (r *rule) keys(cmd *proto.Cmd, ask Ask, done func([]int, error)) {
	if r.fallback {
		done(fallbackKeys(cmd), nil)
		return
	}
	info := r.info
	if r.subs != nil && cmd.Len() > 1 {
		if s, ok := r.subs[info.Name+"|"+strings.ToUpper(string(cmd.ArgBytes(1)))]; ok {
			info = s
		}
	}
	if needsGetKeys(&info) {
		getKeys(cmd, ask, done)
		return
	}
	if len(info.KeySpecs) == 0 && info.FirstKey > 0 {
		// A server without key specifications (before Redis 7) or a
		// module command: the legacy positions.
		last := info.LastKey
		if last > 0 {
			last -= info.FirstKey
		}
		step := info.Step
		if step <= 0 {
			step = 1
		}
		info.KeySpecs = []KeySpec{{BeginIndex: info.FirstKey, LastKey: last, KeyStep: step}}
	}
	done(info.keys(cmd.Len(), cmd.ArgBytes), nil)
}

// needsGetKeys reports a command whose key positions depend on its
// arguments in a way its specifications do not capture.
func needsGetKeys(i *Info) bool {
	if i.Flags&FlagMovableKeys == 0 {
		return false
	}
	if len(i.KeySpecs) == 0 {
		return true
	}
	for _, ks := range i.KeySpecs {
		if ks.Unknown {
			return true
		}
		for _, f := range ks.Flags {
			if f == "incomplete" {
				return true
			}
		}
	}
	return false
}

// getKeys asks COMMAND GETKEYS for the keys of cmd and finds their
// indexes. A server that says the command has no keys gives none; any
// other refusal (bad arguments, an old server) falls back to the first
// argument, and the server will answer the command itself.
func getKeys(cmd *proto.Cmd, ask Ask, done func([]int, error)) {
	q := proto.NewCmd("COMMAND").Arg("GETKEYS")
	for i := 0; i < cmd.Len(); i++ {
		q.Bytes(cmd.ArgBytes(i))
	}
	ask(q, func(v proto.Value, err error) {
		switch {
		case err != nil:
			done(nil, err)
		case v.IsError():
			if strings.Contains(strings.ToLower(v.Str), "no key arguments") {
				done(nil, nil)
				return
			}
			done(fallbackKeys(cmd), nil)
		default:
			done(indexesOf(cmd, v.Elems), nil)
		}
	})
}

// indexesOf returns, for each key named, the index of an argument of
// cmd with the same bytes (each argument used once, leftmost first),
// in increasing order.
func indexesOf(cmd *proto.Cmd, keys []proto.Value) []int {
	used := make([]bool, cmd.Len())
	var out []int
	for _, k := range keys {
		for i := 1; i < cmd.Len(); i++ {
			if !used[i] && bytes.Equal(cmd.ArgBytes(i), []byte(k.Str)) {
				used[i] = true
				out = append(out, i)
				break
			}
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// fallbackKeys is the rule used when the server cannot tell: the first
// argument is the key (the first after the subcommand, for a subcommand
// of a container the table knows); a command without one has none.
func fallbackKeys(cmd *proto.Cmd) []int {
	first := 1
	if p := lookupArgs(cmd.Name(), cmd.Len(), cmd.ArgBytes); p != nil && p.Container {
		first = 2
	}
	if cmd.Len() > first {
		return []int{first}
	}
	return nil
}
