package testserver

import "testing"

func TestStartKillRestart(t *testing.T) {
	s := Start(t)
	if err := Ping(s.Addr(), ""); err != nil {
		t.Fatalf("ping after start: %v", err)
	}
	s.Kill()
	if err := Ping(s.Addr(), ""); err == nil {
		t.Fatal("ping after kill succeeded")
	}
	s.Restart()
	if err := Ping(s.Addr(), ""); err != nil {
		t.Fatalf("ping after restart: %v", err)
	}
}

func TestStartWithPassword(t *testing.T) {
	s := Start(t, "--requirepass", "s3cret")
	if err := Ping(s.Addr(), "s3cret"); err != nil {
		t.Fatalf("ping with password: %v", err)
	}
	if err := Ping(s.Addr(), ""); err == nil {
		t.Fatal("ping without password succeeded on a protected server")
	}
}

func TestStartTLS(t *testing.T) {
	s := StartTLS(t)
	if s.TLSAddr() == s.Addr() {
		t.Fatal("TLS and plain addresses are the same")
	}
}
