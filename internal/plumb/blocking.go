package plumb

import (
	"strconv"
	"strings"
	"time"

	"github.com/txredis/txredis/proto"
)

// MarkBlocking flags cmd as blocking when it is one of the commands that
// wait on the server (BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP, BZPOPMIN,
// BZPOPMAX, BZMPOP, XREAD/XREADGROUP with BLOCK, WAIT, WAITAOF), with
// the timeout found in its arguments. Typed command methods set it
// themselves; Do calls this for raw commands.
func MarkBlocking(cmd *proto.Cmd) {
	n := cmd.Len()
	switch cmd.Name() {
	case "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BZPOPMIN", "BZPOPMAX":
		if n > 1 {
			cmd.SetBlocking(seconds(cmd.ArgBytes(n - 1)))
		}
	case "BLMPOP", "BZMPOP":
		if n > 1 {
			cmd.SetBlocking(seconds(cmd.ArgBytes(1)))
		}
	case "WAIT":
		if n > 2 {
			cmd.SetBlocking(millis(cmd.ArgBytes(2)))
		}
	case "WAITAOF": // Redis 7.2: WAITAOF numlocal numreplicas timeout
		if n > 3 {
			cmd.SetBlocking(millis(cmd.ArgBytes(3)))
		}
	case "XREAD", "XREADGROUP":
		for i := 1; i+1 < n; i++ {
			if strings.EqualFold(string(cmd.ArgBytes(i)), "BLOCK") {
				cmd.SetBlocking(millis(cmd.ArgBytes(i + 1)))
				return
			}
		}
	}
}

func seconds(b []byte) time.Duration {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f <= 0 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

func millis(b []byte) time.Duration {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Millisecond
}
