package cluster

import (
	"strconv"
	"sync"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// CrossSlotError is the error of a multi-key command whose keys hash to
// different slots; it matches ErrCrossSlot.
type CrossSlotError struct {
	Command string // the command name
	Slots   [2]int // two of the slots its keys hash to
}

func (e *CrossSlotError) Error() string {
	return ErrCrossSlot.Error() + ": " + e.Command + " has keys in slots " +
		strconv.Itoa(e.Slots[0]) + " and " + strconv.Itoa(e.Slots[1])
}

// Unwrap returns ErrCrossSlot.
func (e *CrossSlotError) Unwrap() error { return ErrCrossSlot }

func crossSlot(name string, a, b int) error {
	return &CrossSlotError{Command: name, Slots: [2]int{a, b}}
}

// splittable reports the commands whose keys may span slots: every
// argument is a key and the reply per key combines by order (MGET) or by
// sum (DEL, EXISTS, UNLINK, TOUCH).
func splittable(name string) bool {
	switch name {
	case "MGET", "DEL", "EXISTS", "UNLINK", "TOUCH":
		return true
	}
	return false
}

// split sends one command per slot with that slot's keys, in the order
// the slots first appear, and resolves r with the gathered reply: MGET's
// values in key order, or the sum of the counts. The first error (a
// server error value or a connection error) is the reply when any part
// fails.
func (c *Cluster) split(cmd *proto.Cmd, r conn.Resolver) {
	name := cmd.Name()
	g := &gather{r: r, mget: name == "MGET"}
	bySlot := map[int]*part{}
	var parts []*part
	for i := 1; i < cmd.Len(); i++ {
		k := cmd.ArgBytes(i)
		s := slotBytes(k)
		p := bySlot[s]
		if p == nil {
			p = &part{g: g, cmd: proto.NewCmd(name)}
			bySlot[s] = p
			parts = append(parts, p)
		}
		p.cmd.KeyBytes(k)
		p.pos = append(p.pos, i-1)
	}
	if g.mget {
		g.vals = make([]proto.Value, cmd.Len()-1)
	}
	cmd.Release()
	g.left = len(parts)
	for _, p := range parts {
		sub := p.cmd
		p.cmd = nil
		c.Send(sub, p)
	}
}

// gather collects the replies of a split command.
type gather struct {
	r    conn.Resolver
	mget bool

	mu   sync.Mutex // protects the fields below
	left int
	vals []proto.Value // MGET: the value of each key, in key order
	sum  int64
	fail proto.Value // the first error reply
	err  error       // the first connection error
}

// part is one slot's share of a split command.
type part struct {
	g   *gather
	cmd *proto.Cmd
	pos []int // positions of its keys in the original command
}

func (p *part) Resolve(v proto.Value, err error) {
	g := p.g
	g.mu.Lock()
	switch {
	case err != nil:
		if g.err == nil && g.fail.Kind == 0 {
			g.err = err
		}
	case v.IsError():
		if g.err == nil && g.fail.Kind == 0 {
			g.fail = v
		}
	case g.mget:
		for i, pos := range p.pos {
			if i < len(v.Elems) {
				g.vals[pos] = v.Elems[i]
			}
		}
	default:
		g.sum += v.Int
	}
	g.left--
	done := g.left == 0
	g.mu.Unlock()
	if !done {
		return
	}
	switch {
	case g.err != nil:
		g.r.Resolve(proto.Value{}, g.err)
	case g.fail.Kind != 0:
		g.r.Resolve(g.fail, nil)
	case g.mget:
		g.r.Resolve(proto.ArrayValue(g.vals...), nil)
	default:
		g.r.Resolve(proto.IntValue(g.sum), nil)
	}
}
