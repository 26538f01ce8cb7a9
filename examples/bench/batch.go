package main

import (
	"sync/atomic"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/proto"
)

// batchDriver is txredis-batch: a Conn driven through the handle writers'
// API (conn.Conn.SendBatch with proto.Cmd), the way rueidis's DoMulti and
// redigo's pipelines are used here: one resolver per batch, no Deferred
// per command. It is not how an application uses txredis; it measures the
// connection's core (encoding, batching, the wire, reading) without the
// per-command Deferred, so that the pipeline and fire rows show what that
// Deferred costs. Single commands (getset, latency) go through the
// ordinary Deferred API, as for txredis.
type batchDriver struct {
	txredisDriver
	c *conn.Conn
}

// batchWait is the one resolver of a batch: it keeps the first error and
// tells the waiting goroutine when the last reply has arrived.
type batchWait struct {
	left  atomic.Int64
	first atomic.Pointer[error]
	done  chan struct{}
}

func (b *batchWait) Resolve(v proto.Value, err error) {
	if err == nil && v.IsError() {
		err = v.Err()
	}
	if err != nil {
		e := err // only a failure allocates
		b.first.CompareAndSwap(nil, &e)
	}
	if b.left.Add(-1) == 0 {
		close(b.done)
	}
}

func (d *batchDriver) pipeline(keys []string, value string) error {
	b := &batchWait{done: make(chan struct{})}
	b.left.Store(int64(len(keys)))
	cmds := make([]*proto.Cmd, len(keys))
	rs := make([]conn.Resolver, len(keys))
	for i, k := range keys {
		cmds[i] = proto.NewCmd("SET").Key(k).Arg(value)
		rs[i] = b
	}
	d.c.SendBatch(cmds, rs)
	<-b.done
	if p := b.first.Load(); p != nil {
		return *p
	}
	return nil
}

func (d *batchDriver) stream(key func(int) string, value string, n, window int) error {
	return streamBatches(d.pipeline, key, value, n, window)
}
