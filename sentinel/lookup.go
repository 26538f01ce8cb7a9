package sentinel

import (
	"context"
	"time"

	"github.com/txredis/txredis/deferred"
)

// DiscoverMaster asks the sentinels at sentinelAddrs once for the address
// of the master named masterName (txredisapi's Sentinel.discover_master)
// and fires with it: the address the newest information gives, as a
// Client ranks it (config epochs, the sentinels that lead no failover,
// their number; never their order), a master flagged down refused. It
// does not connect to the master. When no sentinel gives a master it
// fails with an error matching ErrNoMaster. Only the sentinel options of
// opts (credentials, TLS, Dialer, ConnectTimeout, MinOtherSentinels)
// matter.
func DiscoverMaster(sentinelAddrs []string, masterName string, opts Options) *deferred.Deferred[string] {
	return lookup(sentinelAddrs, masterName, opts, func(reports []report) (string, error) {
		cs := rank(reports, pickOptions{floor: -1})
		if len(cs) == 0 {
			return "", reportsError(masterName, reports)
		}
		return cs[0].addr, nil
	})
}

// DiscoverReplicas asks the sentinels once for the replicas of the master
// named masterName (txredisapi's Sentinel.discover_slaves) and fires with
// the addresses of those that more of the sentinels listing them call
// healthy than not, sorted. A name no sentinel monitors gives an empty
// list, as in txredisapi; it fails only when no sentinel answered.
func DiscoverReplicas(sentinelAddrs []string, masterName string, opts Options) *deferred.Deferred[[]string] {
	return lookup(sentinelAddrs, masterName, opts, func(reports []report) ([]string, error) {
		if allUnknown(reports) {
			return []string{}, nil
		}
		answered := false
		for _, r := range reports {
			answered = answered || r.err == nil
		}
		if !answered {
			return nil, reportsError(masterName, reports)
		}
		master := ""
		if cs := rank(reports, pickOptions{floor: -1}); len(cs) > 0 {
			master = cs[0].addr
		}
		out := mergeReplicas(reports, master)
		if out == nil {
			out = []string{}
		}
		return out, nil
	})
}

// lookup asks the sentinels once, within ConnectTimeout, closes the
// connections and fires with f's answer.
func lookup[T any](addrs []string, name string, opts Options, f func([]report) (T, error)) *deferred.Deferred[T] {
	opts = opts.withDefaults()
	d := new(deferred.Deferred[T])
	go func() {
		sn := newSentinels(addrs, name, opts)
		ctx, cancel := context.WithTimeout(context.Background(), opts.ConnectTimeout)
		reports := sn.ask(ctx)
		cancel()
		v, err := f(reports)
		all := deferred.All(sn.disconnect()...)
		wait, stop := context.WithTimeout(context.Background(), opts.ConnectTimeout+time.Second)
		_, _ = all.Wait(wait)
		stop()
		_ = d.Resolve(v, err)
	}()
	return d
}
