package shard

import (
	"errors"
	"fmt"
	"sync"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// How the replies of a split command are put back together.
const (
	gatherValues = iota // MGET: the values, in the caller's key order
	gatherSum           // DEL, EXISTS, UNLINK, TOUCH: the sum of the counts
	gatherOK            // MSET: "OK" when every shard said OK
)

// splittable reports whether cmd, whose keys span shards, can be split into
// one command per shard with the same meaning.
func splittable(cmd *proto.Cmd, keys []int) bool {
	switch cmd.Name() {
	case "MGET", "DEL", "EXISTS", "UNLINK", "TOUCH":
		return true
	case "MSET":
		// MSET k1 v1 k2 v2 ...: keys at 1, 3, 5, ..., each followed by its value.
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

// scatter splits cmd into one command per shard, holding that shard's keys
// in the caller's order, and resolves res once every part has answered.
func (r *Ring) scatter(cmd *proto.Cmd, keys []int, res conn.Resolver) {
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
	// Group the key positions by node, in node order.
	byNode := make([][]int, len(r.nodes))
	for pos, k := range keys {
		i := r.hr.index(cmd.ArgBytes(k))
		byNode[i] = append(byNode[i], pos)
	}
	parts := make([]part, 0, len(r.nodes))
	subs := make([]*proto.Cmd, 0, len(r.nodes))
	for i, positions := range byNode {
		if len(positions) == 0 {
			continue
		}
		sub := proto.NewCmd(name)
		for _, pos := range positions {
			k := keys[pos]
			sub.KeyBytes(cmd.ArgBytes(k))
			if g.mode == gatherOK {
				sub.Bytes(cmd.ArgBytes(k + 1))
			}
		}
		parts = append(parts, part{g: g, node: i, name: r.names[i], positions: positions})
		subs = append(subs, sub)
	}
	cmd.Release()
	g.left = len(parts)
	g.errs = make([]error, len(parts))
	for j := range parts {
		parts[j].index = j
	}
	for j := range parts {
		r.nodes[parts[j].node].Send(subs[j], &parts[j])
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

// part is the Resolver of one shard's command.
type part struct {
	g         *gather
	node      int    // index of the node in the ring
	name      string // its name
	index     int    // index of the part in gather.errs
	positions []int  // positions in the caller's keys of this part's keys
}

// Resolve records one shard's reply and, after the last one, resolves the
// caller's Resolver.
func (p *part) Resolve(v proto.Value, err error) {
	g := p.g
	if err == nil && v.IsError() {
		err = v.Err()
	}
	if err == nil {
		err = p.check(v)
	}
	g.mu.Lock()
	if err != nil {
		g.errs[p.index] = &ShardError{Command: g.name, Node: p.name, Err: err}
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
		ok = v.Kind == proto.Array && len(v.Elems) == len(p.positions)
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
