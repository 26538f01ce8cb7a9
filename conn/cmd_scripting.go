package conn

import (
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// Scripts and functions fire with their raw reply: Lua returns any shape.
// A script that returns {err=...} or calls error() fails the Deferred with
// a *proto.Error. See Script for EVALSHA with the EVAL fallback.

func evalCmd(name, scriptOrSHA string, keys, args []string) *proto.Cmd {
	cmd := proto.NewCmd(name).Arg(scriptOrSHA).Int(int64(len(keys)))
	for _, k := range keys {
		cmd.Key(k)
	}
	for _, a := range args {
		cmd.Arg(a)
	}
	return cmd
}

// Eval runs the Lua script with keys (KEYS) and args (ARGV) and fires with
// its reply.
func (c Commands) Eval(script string, keys []string, args ...string) *deferred.Deferred[proto.Value] {
	return request(c.s, evalCmd("EVAL", script, keys, args), identity)
}

// EvalRO is Eval for a read-only script (EVAL_RO).
func (c Commands) EvalRO(script string, keys []string, args ...string) *deferred.Deferred[proto.Value] {
	return request(c.s, evalCmd("EVAL_RO", script, keys, args), identity)
}

// EvalSHA runs the loaded script of the given SHA1; an unknown one fails
// with an error matching proto.ErrNoScript.
func (c Commands) EvalSHA(sha1 string, keys []string, args ...string) *deferred.Deferred[proto.Value] {
	return request(c.s, evalCmd("EVALSHA", sha1, keys, args), identity)
}

// EvalSHARO is EvalSHA for a read-only script (EVALSHA_RO).
func (c Commands) EvalSHARO(sha1 string, keys []string, args ...string) *deferred.Deferred[proto.Value] {
	return request(c.s, evalCmd("EVALSHA_RO", sha1, keys, args), identity)
}

// ScriptLoad loads script into the script cache and fires with its SHA1.
func (c Commands) ScriptLoad(script string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("SCRIPT").Arg("LOAD").Arg(script), asString)
}

// ScriptExists fires with whether each SHA1 is in the script cache.
func (c Commands) ScriptExists(sha1s ...string) *deferred.Deferred[[]bool] {
	if len(sha1s) == 0 {
		return fail[[]bool]("SCRIPT EXISTS", "no SHA1 given")
	}
	cmd := proto.NewCmd("SCRIPT").Arg("EXISTS")
	for _, s := range sha1s {
		cmd.Arg(s)
	}
	return request(c.s, cmd, asBools)
}

// FlushMode is the mode of SCRIPT FLUSH, FUNCTION FLUSH, FLUSHDB and
// FLUSHALL: "" (the server's default), Async or Sync; "async" and "sync"
// in any letter case are accepted too.
type FlushMode string

// The flush modes.
const (
	Async FlushMode = "ASYNC"
	Sync  FlushMode = "SYNC"
)

func flushCmd(cmd *proto.Cmd, mode FlushMode) (*proto.Cmd, error) {
	if mode == "" {
		return cmd, nil
	}
	m, ok := keyword(string(mode), string(Async), string(Sync))
	if !ok {
		cmd.Release()
		return nil, plumb.BadArgs("FLUSH", "mode %q is not ASYNC or SYNC", mode)
	}
	return cmd.Arg(m), nil
}

// ScriptFlush empties the script cache and fires with "OK".
func (c Commands) ScriptFlush(mode FlushMode) *deferred.Deferred[string] {
	cmd, err := flushCmd(proto.NewCmd("SCRIPT").Arg("FLUSH"), mode)
	if err != nil {
		return deferred.Fail[string](err)
	}
	return request(c.s, cmd, asString)
}

// ScriptKill stops the running script (one that has not written) and
// fires with "OK"; with none running it fails with an error matching
// proto.ErrNotBusy (txredisapi's NoScriptRunning).
func (c Commands) ScriptKill() *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("SCRIPT").Arg("KILL"), asString)
}

// FCall calls the function fn with keys and args and fires with its reply.
func (c Commands) FCall(fn string, keys []string, args ...string) *deferred.Deferred[proto.Value] {
	return request(c.s, evalCmd("FCALL", fn, keys, args), identity)
}

// FCallRO is FCall for a read-only function (FCALL_RO).
func (c Commands) FCallRO(fn string, keys []string, args ...string) *deferred.Deferred[proto.Value] {
	return request(c.s, evalCmd("FCALL_RO", fn, keys, args), identity)
}

// FunctionLoad loads a library of functions and fires with its name; with
// replace an existing library of that name is replaced.
func (c Commands) FunctionLoad(code string, replace bool) *deferred.Deferred[string] {
	cmd := proto.NewCmd("FUNCTION").Arg("LOAD")
	if replace {
		cmd.Arg("REPLACE")
	}
	return request(c.s, cmd.Arg(code), asString)
}

// FunctionDelete deletes a library and fires with "OK".
func (c Commands) FunctionDelete(library string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("FUNCTION").Arg("DELETE").Arg(library), asString)
}

// FunctionFlush deletes every library and fires with "OK".
func (c Commands) FunctionFlush(mode FlushMode) *deferred.Deferred[string] {
	cmd, err := flushCmd(proto.NewCmd("FUNCTION").Arg("FLUSH"), mode)
	if err != nil {
		return deferred.Fail[string](err)
	}
	return request(c.s, cmd, asString)
}

// FunctionKill stops the running function (one that has not written) and
// fires with "OK"; with none running it fails matching proto.ErrNotBusy.
func (c Commands) FunctionKill() *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("FUNCTION").Arg("KILL"), asString)
}

// FunctionDump fires with the serialized payload of every library.
func (c Commands) FunctionDump() *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("FUNCTION").Arg("DUMP"), asString)
}

// FunctionRestore restores libraries from a FunctionDump payload, with the
// policy "" (APPEND), "APPEND", "FLUSH" or "REPLACE" (any letter case),
// and fires with "OK".
func (c Commands) FunctionRestore(payload, policy string) *deferred.Deferred[string] {
	cmd := proto.NewCmd("FUNCTION").Arg("RESTORE").Arg(payload)
	if policy != "" {
		p, ok := keyword(policy, "APPEND", "FLUSH", "REPLACE")
		if !ok {
			return failed[string](cmd, plumb.BadArgs("FUNCTION RESTORE", "policy %q is not APPEND, FLUSH or REPLACE", policy))
		}
		cmd.Arg(p)
	}
	return request(c.s, cmd, asString)
}

// FunctionInfo is one function of a library.
type FunctionInfo struct {
	Name        string
	Description string
	Flags       []string
}

// FunctionLibrary is one library of FUNCTION LIST.
type FunctionLibrary struct {
	Name      string
	Engine    string
	Functions []FunctionInfo
	Code      string // with WITHCODE
}

// FunctionList fires with the libraries whose names match pattern ("":
// all), with their code when withCode.
func (c Commands) FunctionList(pattern string, withCode bool) *deferred.Deferred[[]FunctionLibrary] {
	cmd := proto.NewCmd("FUNCTION").Arg("LIST")
	if pattern != "" {
		cmd.Arg("LIBRARYNAME").Arg(pattern)
	}
	if withCode {
		cmd.Arg("WITHCODE")
	}
	return request(c.s, cmd, asFunctionLibraries)
}

func asFunctionLibraries(v proto.Value) ([]FunctionLibrary, error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]FunctionLibrary, len(elems))
	for i, lib := range elems {
		err := fields(lib, func(k string, e proto.Value) error {
			switch k {
			case "library_name":
				out[i].Name = e.Str
			case "engine":
				out[i].Engine = e.Str
			case "library_code":
				out[i].Code = e.Str
			case "functions":
				for _, f := range e.Elems {
					var fi FunctionInfo
					err := fields(f, func(k string, e proto.Value) error {
						switch k {
						case "name":
							fi.Name = e.Str
						case "description":
							fi.Description = e.Str
						case "flags":
							fi.Flags, _ = e.AsStrings()
						}
						return nil
					})
					if err != nil {
						return err
					}
					out[i].Functions = append(out[i].Functions, fi)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FunctionStats fires with the raw reply of FUNCTION STATS (the running
// function and the engines).
func (c Commands) FunctionStats() *deferred.Deferred[proto.Value] {
	return request(c.s, proto.NewCmd("FUNCTION").Arg("STATS"), identity)
}
