package cluster

import (
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// learnKeys routes cmd, a command without marked keys that the command table
// lacks, once the cluster has said where its keys are (see
// cmdinfo.Learner): by the slot of its keys, or to a master at random
// when it has none; it fails with the error of the question when no
// node could answer it.
func (c *Cluster) learnKeys(cmd *proto.Cmd, r conn.Resolver) {
	c.learner.Keys(cmd, c.ask, func(keys []int, err error) {
		switch {
		case err != nil:
			cmd.Release()
			r.Resolve(proto.Value{}, err)
		case len(keys) == 0:
			c.send(cmd, r, -1)
		default:
			for _, k := range keys {
				cmd.MarkKey(k)
			}
			c.Send(cmd, r)
		}
	})
}

// ask sends a question about commands (COMMAND INFO, COMMAND GETKEYS) to
// a master at random.
func (c *Cluster) ask(q *proto.Cmd, done func(proto.Value, error)) {
	n := c.anyNode()
	if n == nil {
		q.Release()
		done(proto.Value{}, c.closedErr())
		return
	}
	n.cl.Send(q, conn.ResolverFunc(done))
}
