package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/proto"
)

// shard is a master and its replicas, as routed to. A published shard is
// never modified (only rr moves).
type shard struct {
	master   *node
	replicas []*node
	rr       atomic.Uint32
}

// shardInfo is one shard of a CLUSTER SHARDS or CLUSTER SLOTS reply.
type shardInfo struct {
	master   string
	replicas []string
	ranges   [][2]int
}

// pairs walks a RESP3 map or a RESP2 flat array of key/value pairs.
func pairs(v proto.Value, f func(k string, v proto.Value)) {
	for i := 0; i+1 < len(v.Elems); i += 2 {
		f(v.Elems[i].Str, v.Elems[i+1])
	}
}

// parseShards reads a CLUSTER SHARDS reply (Redis 7+). Nodes that are not
// online are left out; fromHost replaces an unknown endpoint.
func parseShards(v proto.Value, useTLS bool, fromHost string) ([]shardInfo, error) {
	if v.Kind != proto.Array && v.Kind != proto.Set {
		return nil, fmt.Errorf("txredis/cluster: CLUSTER SHARDS: unexpected %v", v.Kind)
	}
	var out []shardInfo
	for _, sv := range v.Elems {
		var si shardInfo
		pairs(sv, func(k string, f proto.Value) {
			switch k {
			case "slots":
				for i := 0; i+1 < len(f.Elems); i += 2 {
					lo, _ := f.Elems[i].AsInt()
					hi, _ := f.Elems[i+1].AsInt()
					si.ranges = append(si.ranges, [2]int{int(lo), int(hi)})
				}
			case "nodes":
				for _, nv := range f.Elems {
					var ip, endpoint, role, health string
					var port, tlsPort int64
					pairs(nv, func(k string, x proto.Value) {
						switch k {
						case "ip":
							ip = x.Str
						case "endpoint":
							endpoint = x.Str
						case "role":
							role = x.Str
						case "health":
							health = x.Str
						case "port":
							port, _ = x.AsInt()
						case "tls-port":
							tlsPort, _ = x.AsInt()
						}
					})
					if health != "online" {
						continue
					}
					host := endpoint
					if host == "" || host == "?" {
						host = ip
					}
					if host == "" || host == "?" {
						host = fromHost
					}
					p := port
					if useTLS && tlsPort != 0 {
						p = tlsPort
					}
					if p == 0 {
						continue
					}
					a := net.JoinHostPort(host, strconv.FormatInt(p, 10))
					if role == "master" {
						si.master = a
					} else {
						si.replicas = append(si.replicas, a)
					}
				}
			}
		})
		if si.master != "" && len(si.ranges) > 0 {
			out = append(out, si)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("txredis/cluster: CLUSTER SHARDS: no shard with slots and an online master")
	}
	return out, nil
}

// parseSlots reads a CLUSTER SLOTS reply: [start, end, master, replicas...]
// where each node is [host, port, id, ...].
func parseSlots(v proto.Value, fromHost string) ([]shardInfo, error) {
	if v.Kind != proto.Array {
		return nil, fmt.Errorf("txredis/cluster: CLUSTER SLOTS: unexpected %v", v.Kind)
	}
	byMaster := map[string]int{}
	var out []shardInfo
	for _, r := range v.Elems {
		if len(r.Elems) < 3 {
			continue
		}
		lo, err1 := r.Elems[0].AsInt()
		hi, err2 := r.Elems[1].AsInt()
		if err1 != nil || err2 != nil {
			continue
		}
		var addrs []string
		for _, nv := range r.Elems[2:] {
			if len(nv.Elems) < 2 {
				continue
			}
			host := nv.Elems[0].Str
			if host == "" || host == "?" {
				host = fromHost
			}
			port, err := nv.Elems[1].AsInt()
			if err != nil {
				continue
			}
			addrs = append(addrs, net.JoinHostPort(host, strconv.FormatInt(port, 10)))
		}
		if len(addrs) == 0 {
			continue
		}
		i, ok := byMaster[addrs[0]]
		if !ok {
			i = len(out)
			byMaster[addrs[0]] = i
			out = append(out, shardInfo{master: addrs[0], replicas: addrs[1:]})
		}
		out[i].ranges = append(out[i].ranges, [2]int{int(lo), int(hi)})
	}
	if len(out) == 0 {
		return nil, errors.New("txredis/cluster: CLUSTER SLOTS: no slots")
	}
	return out, nil
}

// fetch asks n for the slot map: CLUSTER SHARDS, falling back to CLUSTER
// SLOTS on servers before 7.0.
func (c *Cluster) fetch(n *node) ([]shardInfo, error) {
	host, _, _ := net.SplitHostPort(n.addr)
	ask := func(sub string) (proto.Value, error) {
		ctx, cancel := context.WithTimeout(context.Background(), c.opts.ConnectTimeout+c.opts.ReplyTimeout)
		defer cancel()
		return handle.Request(n.cl, proto.NewCmd("CLUSTER").Arg(sub), handle.Identity).Wait(ctx)
	}
	v, err := ask("SHARDS")
	if err == nil {
		return parseShards(v, c.opts.TLS != nil, host)
	}
	var perr *proto.Error
	if !errors.As(err, &perr) {
		return nil, err
	}
	if v, err = ask("SLOTS"); err != nil {
		return nil, err
	}
	return parseSlots(v, host)
}

// candidates returns the addresses to ask for the slot map: known nodes
// that are neither down nor stalled first (masters, in random order, then
// the others), then the start addresses, then the nodes that are down or
// stalled.
func (c *Cluster) candidates() []string {
	seen := map[string]bool{}
	var up, down []string
	add := func(n *node) {
		if seen[n.addr] {
			return
		}
		seen[n.addr] = true
		if n.down() || n.prog.stalled.Load() {
			down = append(down, n.addr)
		} else {
			up = append(up, n.addr)
		}
	}
	if ms := c.masters.Load(); ms != nil {
		for _, i := range rand.Perm(len(*ms)) {
			add((*ms)[i].master)
		}
		for _, sh := range *ms {
			for _, r := range sh.replicas {
				add(r)
			}
		}
	}
	out := up
	for _, a := range c.start {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return append(out, down...)
}

// refreshNow fetches the slot map from the first candidate that answers
// and installs it.
func (c *Cluster) refreshNow() error {
	var errs []error
	for _, addr := range c.candidates() {
		n := c.nodeFor(addr)
		if n == nil {
			return closedError()
		}
		shards, err := c.fetch(n)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", addr, err))
			continue
		}
		c.apply(shards)
		c.stats.refreshes.Add(1)
		return nil
	}
	return fmt.Errorf("%w: %w", ErrNoNodes, errors.Join(errs...))
}

// apply installs a slot map: every slot points to its shard, uncovered
// slots to nothing, and nodes no longer in the map are disconnected.
func (c *Cluster) apply(infos []shardInfo) {
	var table [NumSlots]*shard
	shards := make([]*shard, 0, len(infos))
	used := map[*node]bool{}
	for _, si := range infos {
		m := c.nodeFor(si.master)
		if m == nil {
			return // closed
		}
		sh := &shard{master: m}
		used[m] = true
		if c.opts.ReadFromReplicas {
			for _, a := range si.replicas {
				if r := c.nodeFor(a); r != nil {
					sh.replicas = append(sh.replicas, r)
					used[r] = true
				}
			}
		}
		for _, rg := range si.ranges {
			for s := max(rg[0], 0); s <= min(rg[1], NumSlots-1); s++ {
				table[s] = sh
			}
		}
		shards = append(shards, sh)
	}
	wasMaster := map[*node]bool{}
	if ms := c.masters.Load(); ms != nil {
		for _, sh := range *ms {
			wasMaster[sh.master] = true
		}
	}
	for s := range table {
		c.slots[s].Store(table[s])
	}
	c.masters.Store(&shards)

	isMaster := make(map[*node]bool, len(shards))
	for _, sh := range shards {
		isMaster[sh.master] = true
	}
	c.mu.Lock()
	for n := range isMaster {
		delete(c.cutOff, n.addr)
	}
	var retired, cut []*node
	for addr, n := range c.nodes {
		if n.prog.stalled.Load() && !isMaster[n] && (wasMaster[n] || !used[n]) {
			// A silent master that the map no longer names as one was
			// replaced (or a silent node left the map): what waits on
			// it fails now rather than be acknowledged by a demoted
			// master that will discard it. A slow replica stays.
			cut = append(cut, n)
			c.cutOff[addr] = true
		}
		if !used[n] {
			delete(c.nodes, addr)
			retired = append(retired, n)
		}
	}
	hooks := c.onMap
	c.mu.Unlock()
	for _, n := range cut {
		n.abort()
	}
	c.retire(retired)
	for _, h := range hooks {
		h()
	}
}

// moved records a MOVED answer: slot is served by the master at n. It
// returns false when the map already said so.
func (c *Cluster) moved(slot int, n *node) bool {
	if sh := c.slots[slot].Load(); sh != nil && sh.master == n {
		return false
	}
	c.slots[slot].Store(&shard{master: n})
	return true
}

// triggerRefresh asks for a refresh of the whole slot map in the
// background. A burst of triggers makes one refresh, plus at most one more
// started after it, no sooner than minRefreshInterval after the previous.
func (c *Cluster) triggerRefresh() { c.refresher.Trigger() }

// minRefreshInterval spaces refreshes of the slot map.
const minRefreshInterval = 100 * time.Millisecond

// refreshOnce is one background refresh; the first that succeeds fires
// Ready.
func (c *Cluster) refreshOnce() {
	if err := c.refreshNow(); err == nil {
		c.ready(nil)
	}
}

// periodic refreshes the map every interval until Disconnect.
func (c *Cluster) periodic(interval time.Duration) {
	defer c.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			c.triggerRefresh()
		case <-c.done:
			return
		}
	}
}
