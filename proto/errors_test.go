package proto

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorSentinels(t *testing.T) {
	for _, tc := range []struct {
		msg      string
		sentinel error
	}{
		{"NOSCRIPT No matching script. Please use EVAL.", ErrNoScript},
		{"NOTBUSY No scripts in execution right now.", ErrNotBusy},
		{"WRONGTYPE Operation against a key holding the wrong kind of value", ErrWrongType},
		{"MOVED 3999 127.0.0.1:6381", ErrMoved},
		{"ASK 3999 127.0.0.1:6381", ErrAsk},
		{"TRYAGAIN Multiple keys request during rehashing of slot", ErrTryAgain},
		{"CLUSTERDOWN The cluster is down", ErrClusterDown},
		{"LOADING Redis is loading the dataset in memory", ErrLoading},
		{"READONLY You can't write against a read only replica.", ErrReadOnly},
		{"EXECABORT Transaction discarded because of previous errors.", ErrExecAbort},
		{"BUSY Redis is busy running a script.", ErrBusy},
	} {
		err := fmt.Errorf("wrapped: %w", ErrorValue(tc.msg).Err())
		if !errors.Is(err, tc.sentinel) {
			t.Errorf("errors.Is(%q, %v) = false", tc.msg, tc.sentinel)
		}
		if errors.Is(err, ErrWrongType) != (tc.sentinel == ErrWrongType) {
			t.Errorf("%q matches ErrWrongType", tc.msg)
		}
		var perr *Error
		if !errors.As(err, &perr) || perr.Error() != tc.msg {
			t.Errorf("errors.As(%q): %v", tc.msg, perr)
		}
	}
	e := NewError("ERR unknown command")
	if e.Prefix != "ERR" || e.Error() != "ERR unknown command" {
		t.Errorf("NewError = %+v", e)
	}
	if errors.Is(e, NewError("ERR other")) {
		t.Error("two distinct ERR errors match each other")
	}
	if NewError("BUSYKEY Target key name already exists.").Is(ErrBusy) {
		t.Error("BUSYKEY matches ErrBusy")
	}
	if IntValue(1).Err() != nil {
		t.Error("Err of an integer is not nil")
	}
}

func TestParseRedirect(t *testing.T) {
	slot, addr, ask, ok := ParseRedirect(NewError("MOVED 3999 127.0.0.1:6381"))
	if !ok || slot != 3999 || addr != "127.0.0.1:6381" || ask {
		t.Errorf("MOVED: %d %q %v %v", slot, addr, ask, ok)
	}
	slot, addr, ask, ok = ParseRedirect(fmt.Errorf("x: %w", NewError("ASK 1 [::1]:7000")))
	if !ok || slot != 1 || addr != "[::1]:7000" || !ask {
		t.Errorf("ASK: %d %q %v %v", slot, addr, ask, ok)
	}
	for _, err := range []error{nil, errors.New("MOVED 1 a:1"), NewError("ERR x"), NewError("MOVED x a:1"),
		NewError("MOVED 99999 a:1"), NewError("MOVED 1")} {
		if _, _, _, ok := ParseRedirect(err); ok {
			t.Errorf("ParseRedirect(%v) ok", err)
		}
	}
}

func TestProtocolErrorText(t *testing.T) {
	err := error(&ProtocolError{Offset: 12, Msg: "bad"})
	if err.Error() != "txredis/proto: protocol error at offset 12: bad" || !errors.Is(err, ErrProtocol) {
		t.Errorf("ProtocolError: %v", err)
	}
}
