package shard

import (
	"errors"
	"sync"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/cmdinfo"
	"github.com/txredis/txredis/proto"
)

// learn routes cmd, a command without marked keys that the command table
// lacks, once the servers have said where its keys are (see
// cmdinfo.Learner): it fails with the connection error when no node
// could be asked, and with ErrNotSharded when the command has no key.
func (r *Ring) learn(cmd *proto.Cmd, res conn.Resolver) {
	r.learner.Keys(cmd, r.ask, func(keys []int, err error) {
		switch {
		case err != nil:
			cmd.Release()
			res.Resolve(proto.Value{}, err)
		case len(keys) == 0:
			fail(cmd, res, "no key (as the server describes it)")
		default:
			for _, k := range keys {
				cmd.MarkKey(k)
			}
			r.Send(cmd, res)
		}
	})
}

// unlearned returns the indexes of the commands of a batch that have no
// marked keys and that the command table lacks.
func unlearned(cmds []*proto.Cmd) []int {
	var out []int
	for i, cmd := range cmds {
		if len(routeKeys(cmd)) == 0 && !cmdinfo.Known(cmd) {
			out = append(out, i)
		}
	}
	return out
}

// learnBatch learns the keys of the commands of a batch at unknown, marks
// them, and routes the batch; if asking fails, every command of the batch
// fails with the error and nothing is sent.
func (r *Ring) learnBatch(cmds []*proto.Cmd, rs []conn.Resolver, unknown []int) {
	var mu sync.Mutex
	left := len(unknown)
	var first error
	for _, i := range unknown {
		cmd := cmds[i]
		r.learner.Keys(cmd, r.ask, func(keys []int, err error) {
			mu.Lock()
			for _, k := range keys {
				cmd.MarkKey(k)
			}
			if err != nil && first == nil {
				first = err
			}
			left--
			last, ferr := left == 0, first
			mu.Unlock()
			if !last {
				return
			}
			if ferr != nil {
				for j, c := range cmds {
					c.Release()
					rs[j].Resolve(proto.Value{}, ferr)
				}
				return
			}
			r.sendBatch(cmds, rs)
		})
	}
}

// ask sends a question about commands (COMMAND INFO, COMMAND GETKEYS) to
// the first node that can take it, in node order: a node that is down is
// skipped.
func (r *Ring) ask(q *proto.Cmd, done func(proto.Value, error)) {
	var try func(i int)
	try = func(i int) {
		last := i == len(r.nodes)-1
		c := q
		if !last {
			c = q.Clone()
		}
		r.nodes[i].Send(c, conn.ResolverFunc(func(v proto.Value, err error) {
			if !last {
				if err != nil && errors.Is(err, conn.ErrConnection) {
					try(i + 1)
					return
				}
				q.Release()
			}
			done(v, err)
		}))
	}
	try(0)
}
