package scatter

import (
	"errors"
	"fmt"
	"sync"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// How the replies of a split command are put back together.
const (
	gatherValues = iota // MGET
	gatherSum           // DEL, EXISTS, UNLINK, TOUCH
	gatherOK            // MSET
)

// Splittable reports whether cmd, whose key arguments are at keys, can be
// split into one command per group of keys with the same meaning: MGET,
// DEL, EXISTS, UNLINK, TOUCH, and MSET with a value after each key.
func Splittable(cmd *proto.Cmd, keys []int) bool {
	switch cmd.Name() {
	case "MGET", "DEL", "EXISTS", "UNLINK", "TOUCH":
		return len(keys) == cmd.Len()-1
	case "MSET":
		if cmd.Len() != 1+2*len(keys) {
			return false
		}
		for i, k := range keys {
			if k != 1+2*i {
				return false
			}
		}
		return true
	}
	return false
}

// Router tells Split where keys go and how to reach them.
type Router struct {
	// Group returns the group (a node index, a slot) a key belongs to.
	Group func(key []byte) int
	// Send sends one group's command; it takes ownership of cmd and
	// resolves r exactly once.
	Send func(group int, cmd *proto.Cmd, r conn.Resolver)
	// Wrap, when not nil, wraps the error of one group's part (to name
	// the node that failed).
	Wrap func(group int, err error) error
}

// Split sends one command per group of cmd's keys (groups in the order
// their first key appears), each holding its keys in the caller's order,
// and resolves res once every part has answered: with the combined reply,
// or with the parts' errors (one, or joined). cmd must be Splittable; Split
// takes ownership of it. A part that failed may still have run on the
// others: a split command is not atomic.
func Split(cmd *proto.Cmd, keys []int, rt Router, res conn.Resolver) {
	name := cmd.Name()
	g := &gather{name: name, res: res}
	switch name {
	case "MGET":
		g.mode = gatherValues
		g.vals = make([]proto.Value, len(keys))
	case "MSET":
		g.mode = gatherOK
	default:
		g.mode = gatherSum
	}
	var parts []*part
	byGroup := map[int]*part{}
	for pos, k := range keys {
		key := cmd.ArgBytes(k)
		grp := rt.Group(key)
		p := byGroup[grp]
		if p == nil {
			p = &part{g: g, group: grp, wrap: rt.Wrap, cmd: proto.NewCmd(name)}
			p.cmd.SetContext(cmd.Context())
			byGroup[grp] = p
			parts = append(parts, p)
		}
		p.cmd.KeyBytes(key)
		if g.mode == gatherOK {
			p.cmd.Bytes(cmd.ArgBytes(k + 1))
		}
		p.positions = append(p.positions, pos)
	}
	cmd.Release()
	g.left = len(parts)
	g.errs = make([]error, len(parts))
	for i, p := range parts {
		p.index = i
	}
	for _, p := range parts {
		sub := p.cmd
		p.cmd = nil
		rt.Send(p.group, sub, p)
	}
}

// gather collects the replies of the parts of one split command.
type gather struct {
	name string
	mode int
	res  conn.Resolver

	mu   sync.Mutex // protects the fields below
	left int
	vals []proto.Value // gatherValues: by position in the caller's keys
	sum  int64         // gatherSum
	errs []error       // by part, nil where the part succeeded
}

// part is the Resolver of one group's command.
type part struct {
	g         *gather
	group     int
	wrap      func(group int, err error) error
	cmd       *proto.Cmd // until sent
	index     int        // in gather.errs
	positions []int      // positions in the caller's keys of this part's keys
}

// Resolve records one part's reply and, after the last one, resolves the
// caller's Resolver.
func (p *part) Resolve(v proto.Value, err error) {
	g := p.g
	if err == nil && v.IsError() {
		err = v.Err()
	}
	if err == nil {
		err = p.check(v)
	}
	if err != nil && p.wrap != nil {
		err = p.wrap(p.group, err)
	}
	g.mu.Lock()
	if err != nil {
		g.errs[p.index] = err
	} else {
		switch g.mode {
		case gatherValues:
			for j, pos := range p.positions {
				g.vals[pos] = v.Elems[j]
			}
		case gatherSum:
			g.sum += v.Int
		}
	}
	g.left--
	done := g.left == 0
	g.mu.Unlock()
	if done {
		g.finish()
	}
}

// check reports a reply that does not have the shape of its command's.
func (p *part) check(v proto.Value) error {
	ok := true
	switch p.g.mode {
	case gatherValues:
		ok = (v.Kind == proto.Array || v.Kind == proto.Set) && len(v.Elems) == len(p.positions)
	case gatherSum:
		ok = v.Kind == proto.Integer
	case gatherOK:
		ok = v.Kind == proto.SimpleString && v.Str == "OK"
	}
	if !ok {
		return fmt.Errorf("%w: unexpected %s reply to a part of %s", proto.ErrProtocol, v.Kind, p.g.name)
	}
	return nil
}

// finish resolves the caller with the combined reply or the errors. It is
// called once, after the last part, when no other goroutine touches g.
func (g *gather) finish() {
	var errs []error
	for _, e := range g.errs {
		if e != nil {
			errs = append(errs, e)
		}
	}
	switch {
	case len(errs) == 1:
		g.res.Resolve(proto.Value{}, errs[0])
	case len(errs) > 1:
		g.res.Resolve(proto.Value{}, errors.Join(errs...))
	case g.mode == gatherValues:
		g.res.Resolve(proto.ArrayValue(g.vals...), nil)
	case g.mode == gatherSum:
		g.res.Resolve(proto.IntValue(g.sum), nil)
	default:
		g.res.Resolve(proto.SimpleValue("OK"), nil)
	}
}
