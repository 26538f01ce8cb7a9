// Package deferred provides Deferred, Twisted's Deferred in generic Go: a
// one-shot result with a chain of steps that run when it fires. Every
// txredis command returns one.
//
// A producer creates a Deferred (New, or an embedded zero value) and
// fires it once, with Callback(v) or Errback(err); a second fire returns
// ErrAlreadyCalled. Consumers add steps, or block with Wait.
//
// # Steps
//
// Then, Catch, Both and Finally add a step and return a new Deferred that
// fires with the step's result; the type-changing forms are the free
// functions Then, Chain and ChainBoth. Observe adds a step that returns
// nothing and makes no Deferred.
//
// Steps added to one Deferred are branches: each gets the same result, in
// the order they were added. A chain is built by adding each step to the
// Deferred the previous one returned:
//
//	d.Then(parse).Then(check).Catch(fallback)
//
// A Deferred runs its steps one at a time, in the order they were added,
// as Twisted does: a step added by one of its steps (or by another
// goroutine while they run) runs after the others, never inside the step
// that added it. A step added to a Deferred that has fired, while its
// steps are not running, runs at once, on the caller's goroutine, before
// the call returns. Otherwise steps run on the goroutine that fires the
// Deferred. Pause holds a Deferred's steps until Unpause.
//
// For a command's reply that goroutine is the connection's reader, as a
// Twisted callback runs on the reactor thread: a step must not block (no
// Wait, no channel sends that may block, no sleeping), or every reply
// behind it waits. A step that needs to wait for something returns a
// Deferred instead, through Chain or ChainBoth: the chain pauses until
// that Deferred fires, then goes on with its result.
//
// Firing is iterative: a linear chain of any length, including chains of
// Deferreds spliced by Chain, fires without growing the stack. Only a
// Deferred with more than one step recurses, once per such branch point.
//
// # Never Wait in a callback
//
// Wait blocks its goroutine until the Deferred fires. In a step running on
// a connection's reader goroutine that would stop the delivery of every
// later reply, the awaited one included, so the connection would hang for
// good. A goroutine that delivers results this way is a dispatcher
// (MarkDispatcher; every connection's reader is one): there Wait on a
// Deferred that has not fired does not block, it returns
// ErrWaitOnDispatcher at once and reports it to the error handler (on
// amd64 and arm64; elsewhere goroutines are not told apart and such a
// Wait blocks as it always did). Chain is the way to wait in a callback;
// Go, or a goroutine of your own, is the way to run blocking code.
//
// # Errors
//
// Like Twisted's callback and errback chains, a chain carries either a
// value or an error. A Then step is skipped when the chain carries an
// error, which passes through to the next step; a Then step that returns
// an error switches the chain to it. A Catch step runs only on an error;
// returning a nil error recovers, and the steps after it see its value.
// Both, Finally, Observe and ChainBoth see every result.
//
// A step, a canceller, or the function given to Maybe that panics does not
// unwind the goroutine that fired the Deferred: the panic is recovered and
// the chain continues with a *PanicError holding the panic value and stack.
// A panic in an Observe function, which has no chain to go to, is given to
// the error handler (SetErrorHandler), which logs it by default.
//
// All fails with a *FirstError naming the index of the failed Deferred;
// errors.Is looks through it, errors.As finds it. Errback(nil) fails the
// Deferred with a non-nil error rather than succeeding.
//
// SetDebugging turns on Twisted's "Unhandled error in Deferred": a
// Deferred that fails with an error nobody receives is reported to the
// error handler when it is garbage-collected.
//
// # Cancellation
//
// Cancel abandons a pending Deferred: it runs the canceller given to New
// or SetCanceller, which may fire the Deferred itself (with a value or an
// error); if it is still pending, it fails with ErrCancelled. A Deferred
// derived from another (by Then, Catch, Chain, Timeout, ...) has no
// canceller of its own; cancelling it while it still waits cancels what it
// waits on: its parent, or the Deferred a Chain step returned. So
//
//	c.Get("k").Then(f).Cancel()
//
// cancels the GET. A cancelled command's reply is still read; when the
// producer then fires the Deferred it gets ErrAlreadyCalled and the reply
// is dropped. Cancelling a Deferred that has fired does nothing. Note
// that cancelling a parent fails all of its branches. Concurrent Cancels
// of one Deferred all return with it fired and what it waited on
// cancelled.
//
// Wait(ctx) never cancels: when ctx ends, Wait returns ctx.Err() and the
// Deferred goes on as before. Timeout gives up on the result itself: it
// cancels the Deferred after a delay and keeps what the cancellation
// made of it, as Twisted's addTimeout does; TimeoutWith takes a Clock,
// and ManualClock makes time pass in tests.
//
// # Combining and throttling
//
// All (gatherResults), List (DeferredList), First and Race (race) combine
// Deferreds. Lock, Semaphore and Queue are Twisted's DeferredLock,
// DeferredSemaphore and DeferredQueue: their waits are Deferreds, and Run
// holds a Lock or a Semaphore for the life of a Deferred, the way callback
// code bounds the commands it has in flight. Go runs blocking code in a
// goroutine and returns its Deferred (the inlineCallbacks bridge).
//
// # Concurrency
//
// A Deferred is safe for concurrent use: one goroutine may fire it while
// others add steps, Wait, Cancel, or read Result, Fired and Done. A
// Deferred must not be copied after first use (go vet reports copies).
// Steps run outside the Deferred's lock, so a step may add steps to any
// Deferred, fire other Deferreds, or send new commands.
//
// # Differences from Twisted
//
// Steps branch rather than extend one chain (so a Catch never changes
// what another step of the same Deferred sees, and DeferredList's
// consumeErrors only affects reporting); results are typed; Wait is the
// only blocking call, and refuses to block a dispatcher; Cancel returns
// with the Deferred fired; Go's Cancel fails its Deferred at once. The
// README's porting guide lists every difference with its reason.
package deferred
