package cluster_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/txredis/txredis/cluster"
	"github.com/txredis/txredis/internal/testutil"
)

func TestSlotMatchesRedis(t *testing.T) {
	for _, tc := range []struct {
		key  string
		slot int
	}{
		{"somekey", 11058},      // CLUSTER KEYSLOT documentation
		{"foo{hash_tag}", 2515}, // same
		{"hash_tag", 2515},
		{"123456789", 0x31C3 & 16383}, // the CRC16/XMODEM check value
		{"{user1000}.following", cluster.Slot("user1000")},
		{"foo{}{bar}", cluster.Slot("foo{}{bar}")}, // "{}" hashes the whole key
		{"foo{{bar}}zap", cluster.Slot("{bar")},    // the first "{" opens the tag
		{"foo{bar}{zap}", cluster.Slot("bar")},     // the first tag only
		{"", 0},
	} {
		if have := cluster.Slot(tc.key); have != tc.slot {
			t.Errorf("Slot(%q) = %d, want %d", tc.key, have, tc.slot)
		}
	}
	if cluster.Slot("foo{}{bar}") == cluster.Slot("bar") {
		t.Error(`"foo{}{bar}" must not hash as "bar"`)
	}
}

func TestSlotAgreesWithTheServer(t *testing.T) {
	c, _ := connectReal(t, cluster.Options{})
	for i := 0; i < 200; i++ {
		k := "k" + strconv.Itoa(rand.IntN(1e9))
		if i%4 == 0 {
			k = "x{" + k + "}y"
		}
		v := testutil.Must(t, c.Do("CLUSTER", "KEYSLOT", k))
		if int(v.Int) != cluster.Slot(k) {
			t.Fatalf("Slot(%q) = %d, server says %d", k, cluster.Slot(k), v.Int)
		}
	}
}
