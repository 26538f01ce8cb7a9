package dispatch

import (
	"testing"

	"github.com/txredis/txredis/internal/goroutine"
)

func TestEnterLeave(t *testing.T) {
	if !goroutine.Supported() {
		if Enter() != -1 {
			t.Fatal("Enter marked a goroutine that cannot be identified")
		}
		return
	}
	id := goroutine.Current()
	s := Enter()
	if s < 0 || !Any() || !Marked(id) {
		t.Fatalf("after Enter: slot %d, Any %v, Marked %v", s, Any(), Marked(id))
	}
	other := make(chan bool)
	go func() { other <- Marked(goroutine.Current()) }()
	if <-other {
		t.Fatal("another goroutine is marked")
	}
	Leave(s)
	if Any() || Marked(id) {
		t.Fatal("still marked after Leave")
	}
	var taken []int
	for {
		s := Enter()
		if s < 0 {
			break
		}
		taken = append(taken, s)
	}
	if len(taken) != len(slots) {
		t.Fatalf("%d slots taken, want %d", len(taken), len(slots))
	}
	for _, s := range taken {
		Leave(s)
	}
	if Any() {
		t.Fatal("marked after every Leave")
	}
}
