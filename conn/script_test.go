package conn_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
	"github.com/txredis/txredis/proto"
)

func TestEvalAndScriptCache(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		v := testutil.Must(t, c.Eval("return {KEYS[1], ARGV[1], 3}", []string{"k"}, "a"))
		if s, _ := v.AsStrings(); len(s) != 3 || s[0] != "k" || s[1] != "a" || s[2] != "3" {
			t.Errorf("EVAL: %v", v)
		}
		// {err=...} in Lua is a server error.
		_, err := testutil.Wait(t, c.Eval("return {err='MYERR something broke'}", nil))
		var perr *proto.Error
		if !errors.As(err, &perr) || perr.Prefix != "MYERR" {
			t.Errorf("EVAL {err=...}: %v", err)
		}
		// EVALSHA of an unknown script is ErrNoScript.
		if _, err := testutil.Wait(t, c.EvalSHA("ffffffffffffffffffffffffffffffffffffffff", nil)); !errors.Is(err, proto.ErrNoScript) {
			t.Errorf("EVALSHA unknown: %v", err)
		}
		sha := testutil.Must(t, c.ScriptLoad("return 'loaded'"))
		if v := testutil.Must(t, c.EvalSHA(sha, nil)); v.Str != "loaded" {
			t.Errorf("EVALSHA: %v", v)
		}
		if v := testutil.Must(t, c.EvalSHARO(sha, nil)); v.Str != "loaded" {
			t.Errorf("EVALSHA_RO: %v", v)
		}
		if v := testutil.Must(t, c.EvalRO("return redis.call('GET', KEYS[1])", []string{"nope"})); !v.IsNull() {
			t.Errorf("EVAL_RO: %v", v)
		}
		if ex := testutil.Must(t, c.ScriptExists(sha, "ffffffffffffffffffffffffffffffffffffffff")); len(ex) != 2 || !ex[0] || ex[1] {
			t.Errorf("SCRIPT EXISTS: %v", ex)
		}
		// Script: EVAL on first use, EVALSHA after, EVAL again after a flush.
		s := conn.NewScript("return redis.call('INCR', KEYS[1])")
		if s.SHA1() != testutil.Must(t, c.ScriptLoad(s.Source())) {
			t.Fatal("Script.SHA1 differs from SCRIPT LOAD's")
		}
		testutil.Must(t, c.ScriptFlush(conn.Sync))
		for i := int64(1); i <= 2; i++ {
			if v := testutil.Must(t, s.Run(c, []string{"counter"})); v.Int != i {
				t.Errorf("Script.Run #%d: %v", i, v)
			}
		}
		if ok := testutil.Must(t, s.Exists(c)); !ok {
			t.Error("script not cached after Run")
		}
		testutil.Must(t, c.ScriptFlush(conn.Async))
		if v := testutil.Must(t, s.Run(c, []string{"counter"})); v.Int != 3 {
			t.Errorf("Script.Run after SCRIPT FLUSH (stale sha): %v", v)
		}
		if sha := testutil.Must(t, s.Load(c)); sha != s.SHA1() {
			t.Errorf("Script.Load: %q", sha)
		}
	})
}

func TestScriptRunROIsReadOnly(t *testing.T) {
	srv := testserver.Start(t)
	c := connectTo(t, conn.Options{Addr: srv.Addr()})
	s := conn.NewScript("return redis.call('SET', KEYS[1], 'x')")
	_, err := testutil.Wait(t, s.RunRO(c, []string{"k"}))
	var perr *proto.Error
	if !errors.As(err, &perr) {
		t.Errorf("a write in EVAL_RO: %v, want a server error", err)
	}
	if v := testutil.Must(t, conn.NewScript("return 7").RunRO(c, nil)); v.Int != 7 {
		t.Errorf("RunRO: %v", v)
	}
}

// TestScriptKill runs an endless script on one connection, kills it from
// another, and checks both outcomes; then SCRIPT KILL with nothing
// running fails with ErrNotBusy.
func TestScriptKill(t *testing.T) {
	srv := testserver.Start(t, "--busy-reply-threshold", "50")
	busy := connectTo(t, conn.Options{Addr: srv.Addr()})
	admin := connectTo(t, conn.Options{Addr: srv.Addr()})
	if _, err := testutil.Wait(t, admin.ScriptKill()); !errors.Is(err, proto.ErrNotBusy) {
		t.Fatalf("SCRIPT KILL with nothing running: %v, want ErrNotBusy", err)
	}
	loop := busy.Eval("while true do end", nil)
	// Once the script passes the busy threshold, the server answers other
	// clients with BUSY and SCRIPT KILL can stop it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := testutil.Wait(t, admin.ScriptKill())
		if err == nil {
			break
		}
		if !errors.Is(err, proto.ErrNotBusy) || time.Now().After(deadline) {
			t.Fatalf("SCRIPT KILL: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, err := testutil.Wait(t, loop)
	var perr *proto.Error
	if !errors.As(err, &perr) || errors.Is(err, conn.ErrConnection) {
		t.Fatalf("killed script: %v, want a server error", err)
	}
	if v := testutil.Must(t, busy.Ping()); v != "PONG" {
		t.Fatalf("connection after the killed script: %q", v)
	}
	if _, err := testutil.Wait(t, admin.FunctionKill()); !errors.Is(err, proto.ErrNotBusy) {
		t.Errorf("FUNCTION KILL with nothing running: %v", err)
	}
}

func TestFunctions(t *testing.T) {
	eachProtocol(t, func(t *testing.T, c *conn.Conn) {
		testutil.Must(t, c.FunctionFlush(conn.Sync))
		lib := "#!lua name=mylib\nredis.register_function{function_name='myfunc', callback=function(keys, args) return args[1] end, flags={'no-writes'}, description='echo'}"
		if name := testutil.Must(t, c.FunctionLoad(lib, false)); name != "mylib" {
			t.Errorf("FUNCTION LOAD: %q", name)
		}
		if _, err := testutil.Wait(t, c.FunctionLoad(lib, false)); err == nil {
			t.Error("FUNCTION LOAD of an existing library without REPLACE succeeded")
		}
		testutil.Must(t, c.FunctionLoad(lib, true))
		if v := testutil.Must(t, c.FCall("myfunc", nil, "hello")); v.Str != "hello" {
			t.Errorf("FCALL: %v", v)
		}
		if v := testutil.Must(t, c.FCallRO("myfunc", []string{"k"}, "ro")); v.Str != "ro" {
			t.Errorf("FCALL_RO: %v", v)
		}
		libs := testutil.Must(t, c.FunctionList("my*", true))
		if len(libs) != 1 || libs[0].Name != "mylib" || libs[0].Engine != "LUA" || libs[0].Code != lib ||
			len(libs[0].Functions) != 1 || libs[0].Functions[0].Name != "myfunc" || libs[0].Functions[0].Description != "echo" ||
			len(libs[0].Functions[0].Flags) != 1 {
			t.Errorf("FUNCTION LIST: %+v", libs)
		}
		if st := testutil.Must(t, c.FunctionStats()); len(st.Elems) == 0 {
			t.Errorf("FUNCTION STATS: %v", st)
		}
		dump := testutil.Must(t, c.FunctionDump())
		testutil.Must(t, c.FunctionDelete("mylib"))
		if libs := testutil.Must(t, c.FunctionList("", false)); len(libs) != 0 {
			t.Errorf("FUNCTION LIST after DELETE: %+v", libs)
		}
		testutil.Must(t, c.FunctionRestore(dump, "REPLACE"))
		if v := testutil.Must(t, c.FCall("myfunc", nil, "back")); v.Str != "back" {
			t.Errorf("FCALL after FUNCTION RESTORE: %v", v)
		}
	})
}

// scriptServer is a Sender that knows the scripts it was sent with EVAL,
// answers EVALSHA of others with NOSCRIPT, and records command names.
type scriptServer struct {
	known map[string]bool
	names []string
}

func (s *scriptServer) Send(cmd *proto.Cmd, r conn.Resolver) {
	name := cmd.Name()
	s.names = append(s.names, name)
	arg := string(cmd.ArgBytes(1))
	cmd.Release()
	switch name {
	case "EVAL":
		s.known[conn.NewScript(arg).SHA1()] = true
		r.Resolve(proto.IntValue(1), nil)
	case "EVALSHA":
		if !s.known[arg] {
			r.Resolve(proto.ErrorValue("NOSCRIPT No matching script. Please use EVAL."), nil)
			return
		}
		r.Resolve(proto.IntValue(2), nil)
	}
}

func (s *scriptServer) Sender() conn.Sender { return s }

// TestScriptSendsEvalOnceThenEvalSHA pins the commands Script.Run sends:
// EVAL on a handle where it never ran, EVALSHA afterwards, and EVALSHA
// then EVAL once the server has forgotten it.
func TestScriptSendsEvalOnceThenEvalSHA(t *testing.T) {
	srv := &scriptServer{known: map[string]bool{}}
	s := conn.NewScript("return 1")
	for i := 0; i < 3; i++ {
		testutil.Must(t, s.Run(srv, nil))
	}
	clear(srv.known) // SCRIPT FLUSH
	if v := testutil.Must(t, s.Run(srv, nil)); v.Int != 1 {
		t.Errorf("fallback reply %v, want EVAL's", v)
	}
	testutil.Must(t, s.Run(srv, nil))
	want := []string{"EVAL", "EVALSHA", "EVALSHA", "EVALSHA", "EVAL", "EVALSHA"}
	if strings.Join(srv.names, " ") != strings.Join(want, " ") {
		t.Errorf("sent %v, want %v", srv.names, want)
	}
}
