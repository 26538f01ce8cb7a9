package conn

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"reflect"
	"sync"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// ScriptRunner is a handle a Script runs on: every handle (Conn, pools,
// shards, transactions) has a Sender method through its embedded
// Commands.
type ScriptRunner interface {
	Sender() Sender
}

// Script is a Lua script with its SHA1 computed once, run as txredisapi's
// eval does: EVALSHA, and EVAL when the server does not know the script.
//
// A Script remembers, per handle, which handles are known to have it
// loaded: on a handle where it has not run yet, Run sends EVAL (which
// loads it, in one round trip); afterwards it sends EVALSHA, and falls
// back to EVAL when the server replies NOSCRIPT (after SCRIPT FLUSH, a
// restart, or on another shard). A Script is safe for concurrent use.
type Script struct {
	src string
	sha string

	mu     sync.Mutex       // protects loaded
	loaded map[any]struct{} // handles (Senders) known to have the script
}

// maxScriptHandles bounds the handles a Script remembers; past it the
// memory is reset, costing one EVAL per handle.
const maxScriptHandles = 256

// NewScript returns the Script of the Lua source src.
func NewScript(src string) *Script {
	sum := sha1.Sum([]byte(src))
	return &Script{src: src, sha: hex.EncodeToString(sum[:]), loaded: map[any]struct{}{}}
}

// Source returns the script's Lua source.
func (s *Script) Source() string { return s.src }

// SHA1 returns the hex SHA1 of the source, as SCRIPT LOAD returns it.
func (s *Script) SHA1() string { return s.sha }

// handleKey returns the key of h in the memory of loaded handles, and
// false when h's Sender cannot be a map key.
func handleKey(h ScriptRunner) (any, bool) {
	snd := h.Sender()
	if snd == nil || !reflect.TypeOf(snd).Comparable() {
		return nil, false
	}
	return snd, true
}

func (s *Script) isLoaded(h ScriptRunner) bool {
	k, ok := handleKey(h)
	if !ok {
		return true // cannot remember: always try EVALSHA first
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok = s.loaded[k]
	return ok
}

func (s *Script) setLoaded(h ScriptRunner, loaded bool) {
	k, ok := handleKey(h)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !loaded {
		delete(s.loaded, k)
		return
	}
	if len(s.loaded) >= maxScriptHandles {
		clear(s.loaded)
	}
	s.loaded[k] = struct{}{}
}

// Run runs the script on h with keys (KEYS) and args (ARGV) and fires with
// its reply. Errors the script raises are *proto.Error values.
func (s *Script) Run(h ScriptRunner, keys []string, args ...string) *deferred.Deferred[proto.Value] {
	return s.run(h, "EVALSHA", "EVAL", keys, args)
}

// RunRO is Run with EVALSHA_RO and EVAL_RO, for read-only scripts (which
// may run on replicas).
func (s *Script) RunRO(h ScriptRunner, keys []string, args ...string) *deferred.Deferred[proto.Value] {
	return s.run(h, "EVALSHA_RO", "EVAL_RO", keys, args)
}

func (s *Script) run(h ScriptRunner, bySHA, bySource string, keys, args []string) *deferred.Deferred[proto.Value] {
	snd := h.Sender()
	if !s.isLoaded(h) {
		d := request(snd, evalCmd(bySource, s.src, keys, args), identity)
		return d.Both(func(v proto.Value, err error) (proto.Value, error) {
			if !errors.Is(err, ErrConnection) {
				s.setLoaded(h, true) // EVAL compiled and cached it, even if it raised
			}
			return v, err
		})
	}
	d := request(snd, evalCmd(bySHA, s.sha, keys, args), identity)
	return deferred.ChainBoth(d, func(v proto.Value, err error) *deferred.Deferred[proto.Value] {
		switch {
		case err == nil:
			return deferred.Succeed(v)
		case !errors.Is(err, proto.ErrNoScript):
			return deferred.Fail[proto.Value](err)
		}
		s.setLoaded(h, false)
		return request(snd, evalCmd(bySource, s.src, keys, args), identity).
			Both(func(v proto.Value, err error) (proto.Value, error) {
				if !errors.Is(err, ErrConnection) {
					s.setLoaded(h, true)
				}
				return v, err
			})
	})
}

// Load loads the script on h with SCRIPT LOAD and fires with its SHA1;
// afterwards Run sends EVALSHA on h at once.
func (s *Script) Load(h ScriptRunner) *deferred.Deferred[string] {
	d := NewCommands(h.Sender()).ScriptLoad(s.src)
	return d.Then(func(sha string) (string, error) {
		s.setLoaded(h, true)
		return sha, nil
	})
}

// Exists fires with whether the server behind h has the script cached.
func (s *Script) Exists(h ScriptRunner) *deferred.Deferred[bool] {
	return deferred.Then(NewCommands(h.Sender()).ScriptExists(s.sha), func(b []bool) (bool, error) {
		if len(b) != 1 {
			return false, proto.ErrConversion
		}
		return b[0], nil
	})
}
