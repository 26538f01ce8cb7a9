package cluster

import (
	"sync"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/proto"
	"github.com/txredis/txredis/pubsub"
)

// subscriberOptions returns opts with the cluster's connection settings
// for the node at addr. A subscriber connection that goes down refreshes
// the slot map, as a node connection does, so that shard channels move
// to a new owner after a failover.
func (c *Cluster) subscriberOptions(opts pubsub.Options, addr string) pubsub.Options {
	co := c.opts.Options
	co.Addr = addr
	co.OnPush, co.PubSub, co.OnState = nil, false, c.nodeState
	opts.Options = co
	return opts
}

// Subscriber returns a subscriber for classic channels and patterns
// (SUBSCRIBE, PSUBSCRIBE) connected to a master chosen at random: in a
// cluster every node receives every PUBLISH. The connection settings are
// the cluster's; opts gives the delivery settings (its conn.Options are
// ignored). The subscriber stays on that node, redialling it when lost.
func (c *Cluster) Subscriber(opts pubsub.Options, h pubsub.Handler) *pubsub.Subscriber {
	addr := c.start[0]
	if n := c.anyNode(); n != nil {
		addr = n.addr
	}
	return pubsub.New(c.subscriberOptions(opts, addr), h)
}

// ShardSubscriber subscribes to shard channels (SSUBSCRIBE, Redis 7) on
// the master serving each channel's slot, with one subscriber connection
// per node. After every refresh of the slot map it moves the channels
// whose slot changed owner (resharding, failover): messages published
// between the move and the resubscription are lost, as with any
// reconnection. It is safe for concurrent use.
type ShardSubscriber struct {
	c    *Cluster
	opts pubsub.Options
	h    pubsub.Handler

	mu       sync.Mutex // protects the fields below
	subs     map[*node]*pubsub.Subscriber
	channels map[string]*node // the node each channel is subscribed on
	closed   bool
	old      []*deferred.Deferred[struct{}]
}

// ShardSubscriber returns a subscriber for shard channels; see
// ShardSubscriber. opts gives the delivery settings (its conn.Options are
// ignored, and so is Channel: messages from every node go to h, one
// delivery goroutine per node).
func (c *Cluster) ShardSubscriber(opts pubsub.Options, h pubsub.Handler) *ShardSubscriber {
	opts.Channel = false
	s := &ShardSubscriber{c: c, opts: opts, h: h, subs: map[*node]*pubsub.Subscriber{}, channels: map[string]*node{}}
	c.mu.Lock()
	c.onMap = append(c.onMap, s.rebalance)
	c.mu.Unlock()
	return s
}

// subscriberLocked returns the subscriber on n, starting it if needed.
func (s *ShardSubscriber) subscriberLocked(n *node) *pubsub.Subscriber {
	sub := s.subs[n]
	if sub == nil {
		sub = pubsub.New(s.c.subscriberOptions(s.opts, n.addr), s.h)
		s.subs[n] = sub
	}
	return sub
}

// SSubscribe subscribes to shard channels, each on the master of its
// slot, and fires with the confirmations once every node confirmed (in
// the order of the nodes, not of the channels). A node that answers MOVED
// has its slot updated and the channel is subscribed on the new owner.
func (s *ShardSubscriber) SSubscribe(channels ...string) *deferred.Deferred[[]pubsub.Confirmation] {
	if len(channels) == 0 {
		return deferred.Fail[[]pubsub.Confirmation](handle.BadArgs("SSUBSCRIBE", "no channels given"))
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return deferred.Fail[[]pubsub.Confirmation](closedError())
	}
	groups := map[*node][]string{}
	var order []*node
	for _, ch := range channels {
		n := s.c.route(Slot(ch), false)
		if n == nil {
			s.mu.Unlock()
			return deferred.Fail[[]pubsub.Confirmation](closedError())
		}
		if _, ok := groups[n]; !ok {
			order = append(order, n)
		}
		groups[n] = append(groups[n], ch)
		s.channels[ch] = n
	}
	ds := make([]*deferred.Deferred[[]pubsub.Confirmation], len(order))
	for i, n := range order {
		ds[i] = s.subscribeOn(n, groups[n], s.c.opts.MaxRedirects)
	}
	s.mu.Unlock()
	return deferred.Then(deferred.All(ds...), func(all [][]pubsub.Confirmation) ([]pubsub.Confirmation, error) {
		var out []pubsub.Confirmation
		for _, cs := range all {
			out = append(out, cs...)
		}
		return out, nil
	})
}

// subscribeOn sends SSUBSCRIBE for chans to n, following a MOVED answer
// up to redirects times. s.mu must be held.
func (s *ShardSubscriber) subscribeOn(n *node, chans []string, redirects int) *deferred.Deferred[[]pubsub.Confirmation] {
	d := s.subscriberLocked(n).SSubscribe(chans...)
	return deferred.ChainBoth(d, func(cs []pubsub.Confirmation, err error) *deferred.Deferred[[]pubsub.Confirmation] {
		slot, addr, _, ok := proto.ParseRedirect(err)
		if !ok || redirects <= 0 {
			return deferred.Maybe(func() ([]pubsub.Confirmation, error) { return cs, err })
		}
		to := s.c.nodeFor(addr)
		if to == nil {
			return deferred.Fail[[]pubsub.Confirmation](closedError())
		}
		if s.c.moved(slot, to) {
			s.c.triggerRefresh()
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			return deferred.Fail[[]pubsub.Confirmation](closedError())
		}
		for _, ch := range chans {
			s.channels[ch] = to
		}
		return s.subscribeOn(to, chans, redirects-1)
	})
}

// SUnsubscribe unsubscribes from shard channels.
func (s *ShardSubscriber) SUnsubscribe(channels ...string) *deferred.Deferred[[]pubsub.Confirmation] {
	s.mu.Lock()
	groups := map[*node][]string{}
	for _, ch := range channels {
		if n, ok := s.channels[ch]; ok {
			groups[n] = append(groups[n], ch)
			delete(s.channels, ch)
		}
	}
	var ds []*deferred.Deferred[[]pubsub.Confirmation]
	for n, chans := range groups {
		if sub := s.subs[n]; sub != nil {
			ds = append(ds, sub.SUnsubscribe(chans...))
		}
	}
	s.mu.Unlock()
	return deferred.Then(deferred.All(ds...), func(all [][]pubsub.Confirmation) ([]pubsub.Confirmation, error) {
		var out []pubsub.Confirmation
		for _, cs := range all {
			out = append(out, cs...)
		}
		return out, nil
	})
}

// Channels returns the shard channels subscribed, with the address of the
// node each one is on.
func (s *ShardSubscriber) Channels() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.channels))
	for ch, n := range s.channels {
		out[ch] = n.addr
	}
	return out
}

// rebalance runs after each refresh of the slot map: channels whose slot
// is now served by another node are unsubscribed from the old one (when
// it still answers) and subscribed on the new one. Subscribers left with
// no channel are closed.
func (s *ShardSubscriber) rebalance() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	moves := map[*node][]string{}
	from := map[*node][]string{}
	for ch, old := range s.channels {
		n := s.c.route(Slot(ch), false)
		if n == nil || n == old {
			continue
		}
		moves[n] = append(moves[n], ch)
		from[old] = append(from[old], ch)
		s.channels[ch] = n
	}
	for old, chans := range from {
		if sub := s.subs[old]; sub != nil {
			sub.SUnsubscribe(chans...)
		}
	}
	for n, chans := range moves {
		s.subscribeOn(n, chans, s.c.opts.MaxRedirects)
	}
	used := map[*node]bool{}
	for _, n := range s.channels {
		used[n] = true
	}
	for n, sub := range s.subs {
		if !used[n] && len(sub.ShardChannels()) == 0 {
			delete(s.subs, n)
			s.old = append(s.old, sub.Disconnect())
		}
	}
}

// Disconnect closes every subscriber connection and fires once all have
// ended.
func (s *ShardSubscriber) Disconnect() *deferred.Deferred[struct{}] {
	s.mu.Lock()
	s.closed = true
	ds := s.old
	s.old = nil
	for n, sub := range s.subs {
		ds = append(ds, sub.Disconnect())
		delete(s.subs, n)
	}
	s.mu.Unlock()
	return deferred.Then(deferred.All(ds...), func([]struct{}) (struct{}, error) { return struct{}{}, nil })
}
