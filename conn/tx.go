package conn

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// The errors of transactions and pipelines. The txn package re-exports
// them under the same names; test for them with errors.Is.
var (
	// ErrWatch matches a transaction that the server did not run because a
	// watched key changed (EXEC answered null). Commit and every command
	// queued in the transaction fail with it; the connection is released.
	ErrWatch = errors.New("txredis/txn: transaction aborted: a watched key was modified")

	// ErrTxDone matches a Tx or Pipeline used after it ended: a command,
	// Commit, Discard or Execute after Commit, Discard or Execute.
	ErrTxDone = errors.New("txredis/txn: transaction or pipeline already ended")

	// ErrNotInMulti matches Commit on a Tx that watches keys but never
	// started the transaction with Multi.
	ErrNotInMulti = errors.New("txredis/txn: Commit outside MULTI: call Multi first, or Discard to unwatch")

	// ErrDiscarded matches the commands queued in a transaction that was
	// discarded.
	ErrDiscarded = errors.New("txredis/txn: transaction discarded")

	// ErrNoLease matches Multi or Watch on a handle that cannot lend one
	// connection for a transaction (a Tx, a Pipeline). Transactions need
	// a Conn or a pool, as in txredisapi; sharded handles refuse with
	// their own error.
	ErrNoLease = errors.New("txredis/txn: this handle cannot lend a connection for a transaction; use a Conn or a pool")
)

// txState is where a Tx is in its life.
type txState uint8

const (
	txWatching txState = iota // WATCH sent, no MULTI: commands run at once
	txMulti                   // MULTI sent: commands are queued by the server
	txDone                    // Commit, Discard or a lost connection ended it
)

// Tx is one transaction on one leased connection (txredisapi's
// transaction object returned by multi() and watch()). It embeds the
// command set: commands sent through it after Multi are queued by the
// server and run by Commit (EXEC); each command's own Deferred fires at
// Commit with its own result, converted to its type. Before Multi (a Tx
// from Watch), commands run at once, which is how a value is read under
// WATCH for optimistic locking.
//
// Every Tx must end with Commit or Discard (or Unwatch before Multi):
// ending it hands the connection back clean. A Tx is safe for concurrent
// use; commands sent concurrently with Commit are either part of the
// transaction or fail with ErrTxDone.
type Tx struct {
	Commands

	lease *Lease          // immutable
	ctx   context.Context // immutable: the context of Multi or Watch, for hooks

	mu sync.Mutex // protects the fields below
	// state is where the Tx is; err why it ended early (lost connection).
	state txState
	err   error
	// sending counts sends between the state check and the lease enqueue;
	// ending holds the ending command (EXEC, DISCARD, UNWATCH) to send
	// once sending drops to zero, so nothing lands after it on the wire.
	sending int
	ending  func()
	// queued holds, in wire order, the resolvers of the commands the
	// server answered QUEUED; closed is set once EXEC, DISCARD or a lost
	// connection took them.
	queued []Resolver
	closed bool
	// multis counts the MULTIs sent by Tx.Multi; refusedMulti is the
	// number of the last one the server refused (0: none). The commands
	// sent behind a refused MULTI run at once: their replies are results,
	// not QUEUED.
	multis, refusedMulti uint32

	// done fires once the Tx has ended (see Done).
	done deferred.Deferred[struct{}]

	// obs is what the Tx reports to hooks (see tx_hooks.go).
	obs txObs
}

// Done returns a Deferred that fires once the Tx has ended, however it
// ended and whoever ended it: with no error after a Commit that ran,
// a Discard or an Unwatch; with the error that ended it otherwise
// (ErrWatch, the server's EXECABORT error, a ConnectionError). Helpers
// that hand a Tx to user code (txn.Watch) wait on it to learn the
// outcome of a Commit they did not send themselves.
func (tx *Tx) Done() *deferred.Deferred[struct{}] { return &tx.done }

// finish records how the Tx ended; the first outcome wins.
func (tx *Tx) finish(err error) { _ = tx.done.Resolve(struct{}{}, err) }

// Multi leases one connection from the handle (a Conn lends itself, a
// pool one of its connections), sends WATCH keys when keys are given,
// then MULTI, and fires with the Tx once the server has answered.
// While a single Conn is leased, commands through its own handle fail
// with ErrLeased; on a pool they keep running on the other connections.
// Handles that cannot lend a connection fail with ErrNoLease.
func (c Commands) Multi(keys ...string) *deferred.Deferred[*Tx] {
	return begin(c.Sender(), keys, true)
}

// Watch leases one connection as Multi does and sends WATCH keys only:
// commands on the Tx run at once until Tx.Multi starts the transaction.
// It needs at least one key.
func (c Commands) Watch(keys ...string) *deferred.Deferred[*Tx] {
	if len(keys) == 0 {
		return deferred.Fail[*Tx](plumb.BadArgs("WATCH", "no keys given"))
	}
	return begin(c.Sender(), keys, false)
}

// begin leases a connection from s and opens a Tx on it.
func begin(s Sender, keys []string, multi bool) *deferred.Deferred[*Tx] {
	l, ok := s.(Leaser)
	if !ok {
		return deferred.Fail[*Tx](ErrNoLease)
	}
	d := new(deferred.Deferred[*Tx])
	ctx := contextOf(s)
	ld := l.Lease(ctx)
	d.SetCanceller(func(*deferred.Deferred[*Tx]) { ld.Cancel() })
	ld.Observe(func(lease *Lease, err error) {
		switch {
		case err != nil:
			_ = d.Errback(err)
		case d.Fired(): // cancelled while the lease was on its way
			lease.Release()
		default:
			open(ctx, lease, keys, multi, d)
		}
	})
	return d
}

// open sends WATCH keys and MULTI on lease and fires d with the Tx. On
// any failure it leaves the connection clean and releases it.
func open(ctx context.Context, lease *Lease, keys []string, multi bool, d *deferred.Deferred[*Tx]) {
	tx := &Tx{lease: lease, ctx: ctx, state: txWatching}
	if multi {
		tx.state = txMulti
	}
	tx.Commands = NewCommands((*ownTx)(tx))

	cmds := make([]*proto.Cmd, 0, 2)
	rs := make([]Resolver, 0, 2)
	// The resolvers run in order on one goroutine: the WATCH reply is
	// known when the MULTI reply arrives.
	var watchErr error
	watched := false
	finish := func(inMulti bool, err error) {
		if err == nil {
			if d.Callback(tx) != nil { // cancelled: nobody holds the Tx
				tx.Discard()
			}
			return
		}
		tx.mu.Lock()
		tx.state = txDone
		tx.closed = true
		tx.mu.Unlock()
		tx.endOp(err)
		var cleanup *proto.Cmd
		switch {
		case lease.Broken():
		case inMulti:
			cleanup = proto.NewCmd("DISCARD")
		case watched:
			cleanup = proto.NewCmd("UNWATCH")
		}
		if cleanup != nil {
			lease.send(cleanup, ResolverFunc(func(proto.Value, error) { lease.Release() }))
		} else {
			lease.Release()
		}
		_ = d.Errback(err)
	}
	if len(keys) > 0 {
		cmd := proto.NewCmd("WATCH")
		for _, k := range keys {
			cmd.Key(k)
		}
		cmds = append(cmds, cmd)
		rs = append(rs, tx.observe(cmd, ResolverFunc(func(v proto.Value, err error) {
			switch {
			case err != nil:
				watchErr = err
			case v.IsError():
				watchErr = v.Err()
			default:
				watched = true
			}
			if !multi {
				finish(false, watchErr)
			}
		})))
	}
	if multi {
		tx.startOp()
		cmd := proto.NewCmd("MULTI")
		cmds = append(cmds, cmd)
		rs = append(rs, tx.observe(cmd, ResolverFunc(func(v proto.Value, err error) {
			inMulti := err == nil && !v.IsError()
			if err == nil && v.IsError() {
				err = v.Err()
			}
			if err == nil {
				err = watchErr
			}
			finish(inMulti, err)
		})))
	}
	lease.sendBatch(cmds, rs)
}

// doneErrLocked is the error of a call on an ended Tx.
func (tx *Tx) doneErrLocked() error {
	if tx.err != nil {
		return tx.err
	}
	return ErrTxDone
}

// Send sends cmd on the Tx's connection: queued by the server inside
// MULTI (r is resolved at Commit with the command's element of the EXEC
// reply), run at once before it. Commands handle.RefuseShared refuses — MULTI,
// EXEC, DISCARD, WATCH, UNWATCH among them — fail with ErrBadArgs: use
// Multi, Commit, Discard, Watch and Unwatch. After the Tx ended, r fails
// with ErrTxDone (or with the connection error that ended it).
func (tx *Tx) Send(cmd *proto.Cmd, r Resolver) {
	if err := plumb.RefuseShared(cmd); err != nil {
		cmd.Release()
		r.Resolve(proto.Value{}, err)
		return
	}
	tx.send(cmd, r)
}

// SendBatch sends cmds as Send does, in one write; a batch holding a
// command Send refuses fails whole: part of it must not run alone.
func (tx *Tx) SendBatch(cmds []*proto.Cmd, rs []Resolver) {
	if err := refuseAll(cmds); err != nil {
		failBatch(cmds, rs, err)
		return
	}
	tx.sendBatch(cmds, rs)
}

// sendBatch is SendBatch without the refusal of raw commands.
func (tx *Tx) sendBatch(cmds []*proto.Cmd, rs []Resolver) {
	reply, ok := tx.enter()
	if !ok {
		tx.failAll(cmds, rs)
		return
	}
	wrapped := make([]txReply, len(cmds))
	wrs := make([]Resolver, len(cmds))
	for i, cmd := range cmds {
		wrapped[i] = reply
		wrapped[i].r = tx.observe(cmd, rs[i])
		wrs[i] = &wrapped[i]
	}
	tx.lease.sendBatch(cmds, wrs)
	tx.leave()
}

// send is Send without the refusal of raw commands.
func (tx *Tx) send(cmd *proto.Cmd, r Resolver) {
	reply, ok := tx.enter()
	if !ok {
		tx.failAll([]*proto.Cmd{cmd}, []Resolver{r})
		return
	}
	reply.r = tx.observe(cmd, r)
	tx.sendOne(cmd, &reply)
	tx.leave()
}

// enter starts a send: it reports false when the Tx has ended, and
// otherwise how a reply to a command sent now must look.
func (tx *Tx) enter() (reply txReply, ok bool) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.state == txDone {
		return txReply{}, false
	}
	tx.sending++
	return txReply{tx: tx, inMulti: tx.state == txMulti, multi: tx.multis}, true
}

// leave ends a send, and sends the ending command if it was waiting.
func (tx *Tx) leave() {
	tx.mu.Lock()
	tx.sending--
	var f func()
	if tx.sending == 0 {
		f, tx.ending = tx.ending, nil
	}
	tx.mu.Unlock()
	if f != nil {
		f()
	}
}

func (tx *Tx) failAll(cmds []*proto.Cmd, rs []Resolver) {
	tx.mu.Lock()
	err := tx.doneErrLocked()
	tx.mu.Unlock()
	for i, c := range cmds {
		c.Release()
		rs[i].Resolve(proto.Value{}, err)
	}
}

// endLocked marks the Tx done and runs f once no send is in flight.
// It unlocks tx.mu.
func (tx *Tx) endLocked(f func()) {
	tx.state = txDone
	if tx.sending > 0 {
		tx.ending = f
		tx.mu.Unlock()
		return
	}
	tx.mu.Unlock()
	f()
}

// Multi starts the transaction on a Tx that watches keys (from Watch):
// commands sent from now on are queued. It fires with the Tx. Inside
// MULTI it fails with the server's error (MULTI calls can not be
// nested), leaving the transaction as it was; on an ended Tx with
// ErrTxDone.
func (tx *Tx) Multi() *deferred.Deferred[*Tx] {
	tx.mu.Lock()
	if tx.state == txDone {
		err := tx.doneErrLocked()
		tx.mu.Unlock()
		return deferred.Fail[*Tx](err)
	}
	started := tx.state == txWatching
	inMulti := !started
	if started {
		tx.multis++
	}
	n := tx.multis
	tx.state = txMulti
	tx.sending++
	tx.mu.Unlock()
	if started {
		tx.startOp()
	}
	d := new(deferred.Deferred[*Tx])
	// MULTI's own reply is OK (or, nested, an error), not QUEUED.
	cmd := proto.NewCmd("MULTI")
	tx.sendOne(cmd, &txReply{tx: tx, inMulti: inMulti, multi: n, r: tx.observe(cmd, ResolverFunc(func(v proto.Value, err error) {
		if err == nil && v.IsError() {
			err = v.Err()
			if started { // the server did not enter MULTI
				tx.mu.Lock()
				tx.refusedMulti = n
				if tx.state == txMulti {
					tx.state = txWatching
				}
				tx.mu.Unlock()
				tx.endOp(err)
			}
		}
		_ = d.Resolve(tx, err)
	}))})
	tx.leave()
	return d
}

// Watch watches more keys before Multi and fires with the Tx. Inside
// MULTI it fails with the server's error.
func (tx *Tx) Watch(keys ...string) *deferred.Deferred[*Tx] {
	if len(keys) == 0 {
		return deferred.Fail[*Tx](plumb.BadArgs("WATCH", "no keys given"))
	}
	cmd := proto.NewCmd("WATCH")
	for _, k := range keys {
		cmd.Key(k)
	}
	return request((*ownTx)(tx), cmd, func(proto.Value) (*Tx, error) { return tx, nil })
}

// Unwatch before Multi sends UNWATCH and ends the Tx, releasing its
// connection (txredisapi's unwatch). Inside MULTI it is an ordinary
// queued command.
func (tx *Tx) Unwatch() *deferred.Deferred[string] {
	tx.mu.Lock()
	if tx.state == txWatching {
		return tx.unwatchLocked()
	}
	tx.mu.Unlock()
	return request((*ownTx)(tx), proto.NewCmd("UNWATCH"), proto.Value.AsString)
}

// unwatchLocked ends a Tx that is not in MULTI. It unlocks tx.mu.
func (tx *Tx) unwatchLocked() *deferred.Deferred[string] {
	d := new(deferred.Deferred[string])
	tx.endLocked(func() {
		tx.sendControl(proto.NewCmd("UNWATCH"), ResolverFunc(func(v proto.Value, err error) {
			tx.takeQueued()
			tx.lease.Release()
			if err == nil && v.IsError() {
				err = v.Err()
			}
			tx.finish(err)
			if err == nil {
				_ = d.Resolve(v.AsString())
				return
			}
			_ = d.Errback(err)
		}))
	})
	return d
}

// Commit sends EXEC and fires with every reply of the transaction, in
// order (txredisapi's commit). Each queued command's own Deferred fires
// first, with its element of the reply. A command that failed inside
// EXEC (INCR on a string) fails its own Deferred with a *proto.Error and
// is an error Value in the slice; the commit itself succeeds. Commit
// fails with ErrWatch when a watched key changed, with the server's
// EXECABORT error when a command was refused at queue time, with a
// ConnectionError when the connection was lost, with ErrNotInMulti before
// Multi and ErrTxDone after the Tx ended; the queued commands fail with
// the same error. The connection is released in every case.
func (tx *Tx) Commit() *deferred.Deferred[[]proto.Value] {
	tx.mu.Lock()
	switch tx.state {
	case txDone:
		err := tx.doneErrLocked()
		tx.mu.Unlock()
		return deferred.Fail[[]proto.Value](err)
	case txWatching:
		tx.mu.Unlock()
		return deferred.Fail[[]proto.Value](ErrNotInMulti)
	}
	d := new(deferred.Deferred[[]proto.Value])
	tx.endLocked(func() {
		tx.sendControl(proto.NewCmd("EXEC"), ResolverFunc(func(v proto.Value, err error) {
			tx.exec(d, v, err)
		}))
	})
	return d
}

// exec handles the EXEC reply: every QUEUED reply has arrived before it.
func (tx *Tx) exec(d *deferred.Deferred[[]proto.Value], v proto.Value, err error) {
	if err != nil {
		tx.lost(err) // fails the queued commands, releases
		_ = d.Errback(err)
		return
	}
	queued := tx.takeQueued()
	tx.lease.Release() // after EXEC the connection is clean
	switch {
	case v.IsError():
		err = v.Err()
	case v.IsNull():
		err = ErrWatch
	case v.Kind != proto.Array:
		err = &proto.ProtocolError{Msg: "EXEC reply is a " + v.Kind.String() + ", not an array"}
	case len(v.Elems) != len(queued):
		err = &proto.ProtocolError{Msg: "EXEC returned " + strconv.Itoa(len(v.Elems)) +
			" replies for " + strconv.Itoa(len(queued)) + " queued commands"}
	}
	tx.finish(err)
	if err != nil {
		for _, r := range queued {
			r.Resolve(proto.Value{}, err)
		}
		tx.endOp(err)
		_ = d.Errback(err)
		return
	}
	for i, r := range queued {
		r.Resolve(v.Elems[i], nil)
	}
	tx.endOp(nil)
	_ = d.Callback(v.Elems)
}

// Discard ends the Tx and fires with the server's reply ("OK"): inside
// MULTI it sends DISCARD and the queued commands fail with ErrDiscarded;
// before Multi it sends UNWATCH. The connection is released either way.
// On an ended Tx it fails with ErrTxDone.
func (tx *Tx) Discard() *deferred.Deferred[string] {
	tx.mu.Lock()
	switch tx.state {
	case txDone:
		err := tx.doneErrLocked()
		tx.mu.Unlock()
		return deferred.Fail[string](err)
	case txWatching:
		return tx.unwatchLocked()
	}
	d := new(deferred.Deferred[string])
	tx.endLocked(func() {
		tx.sendControl(proto.NewCmd("DISCARD"), ResolverFunc(func(v proto.Value, err error) {
			if err != nil {
				tx.lost(err)
				_ = d.Errback(err)
				return
			}
			queued := tx.takeQueued()
			tx.lease.Release()
			for _, r := range queued {
				r.Resolve(proto.Value{}, ErrDiscarded)
			}
			if v.IsError() {
				tx.endOp(v.Err())
				tx.finish(v.Err())
			} else {
				tx.endOp(ErrDiscarded)
				tx.finish(nil)
			}
			if v.IsError() {
				_ = d.Errback(v.Err())
				return
			}
			_ = d.Resolve(v.AsString())
		}))
	})
	return d
}

// Lease returns the lease the Tx runs on.
func (tx *Tx) Lease() *Lease { return tx.lease }
