package shard

import (
	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/scatter"
	"github.com/txredis/txredis/proto"
)

// scatter splits cmd, whose keys span nodes (MGET, DEL, EXISTS, UNLINK,
// TOUCH, MSET), into one command per node and resolves res with the
// gathered reply; a failed part is a *ShardError naming its node.
func (r *Ring) scatter(cmd *proto.Cmd, keys []int, res conn.Resolver) {
	name := cmd.Name()
	scatter.Split(cmd, keys, scatter.Router{
		Group: r.hr.index,
		Send:  func(node int, sub *proto.Cmd, pr conn.Resolver) { r.nodes[node].Send(sub, pr) },
		Wrap: func(node int, err error) error {
			return &ShardError{Command: name, Node: r.names[node], Err: err}
		},
	}, res)
}
