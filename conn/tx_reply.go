package conn

import "github.com/txredis/txredis/proto"

// txReply is the Resolver of a command sent through a Tx: a QUEUED reply
// parks the command's resolver until EXEC; any other reply (a command
// run before MULTI, or refused at queue time) resolves it at once.
type txReply struct {
	tx *Tx
	r  Resolver
	// inMulti is set for a command sent inside MULTI, whose reply must be
	// QUEUED or an error; multi is tx.multis when it was sent.
	inMulti bool
	multi   uint32
}

func (q *txReply) Resolve(v proto.Value, err error) {
	tx := q.tx
	if err != nil {
		tx.lost(err)
		q.r.Resolve(v, err)
		return
	}
	if v.Kind == proto.SimpleString && v.Str == "QUEUED" {
		tx.mu.Lock()
		if !tx.closed {
			tx.queued = append(tx.queued, q.r)
			tx.mu.Unlock()
			return
		}
		tx.mu.Unlock()
		q.r.Resolve(proto.Value{}, ErrTxDone)
		return
	}
	if q.inMulti && !v.IsError() && !tx.multiRefused(q.multi) {
		// Inside MULTI the server answers QUEUED or an error: anything
		// else is a corrupted stream, never the command's result.
		err := tx.lease.breakConn(&proto.ProtocolError{Msg: "reply to a command inside MULTI is " + v.String() + ", not QUEUED"})
		tx.lost(err)
		q.r.Resolve(proto.Value{}, err)
		return
	}
	q.r.Resolve(v, nil)
}

// multiRefused reports whether the server refused the MULTI numbered n,
// so that the commands behind it ran at once.
func (tx *Tx) multiRefused(n uint32) bool {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return n != 0 && tx.refusedMulti == n
}

// lost ends the Tx because its connection failed with err: queued
// commands fail with err and the lease is released.
func (tx *Tx) lost(err error) {
	tx.mu.Lock()
	if tx.closed {
		tx.mu.Unlock()
		return
	}
	tx.closed = true
	tx.state = txDone
	if tx.err == nil {
		tx.err = err
	}
	queued := tx.queued
	tx.queued = nil
	tx.mu.Unlock()
	tx.lease.Release()
	for _, r := range queued {
		r.Resolve(proto.Value{}, err)
	}
	tx.finish(err)
	tx.endOp(err)
}

// takeQueued closes the queue and returns what it held.
func (tx *Tx) takeQueued() []Resolver {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	tx.closed = true
	q := tx.queued
	tx.queued = nil
	return q
}
