package sentinel

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/txredis/txredis/pubsub"
)

// events are the sentinel channels the client follows. A switch or a
// promotion names the new master; the others change which replicas are
// healthy (or tell of a failover) and ask the sentinels again.
var events = []string{
	"+switch-master", "+new-epoch", "+selected-slave", "+promoted-slave",
	"+slave", "+sdown", "-sdown", "+odown", "-odown",
	"+slave-reconf-done", "+convert-to-slave", "+role-change", "-role-change",
}

// subscribe follows the events of the sentinel at addr, the i-th.
func (c *Client) subscribe(i int, addr string) *pubsub.Subscriber {
	sub := pubsub.New(pubsub.Options{
		Options:        c.sn.connOptions(addr),
		OnResubscribed: func(_, _, _ []string) { c.trigger() }, // events may have been missed
	}, pubsub.HandlerFunc(func(_, channel, msg string) { c.onEvent(i, channel, msg) }))
	sub.Subscribe(events...)
	return sub
}

// onEvent handles a message of sentinel i. Instance events read
// "<type> <name> <ip> <port> @ <master-name> <master-ip> <master-port>",
// or "master <name> <ip> <port>" for the master itself; +switch-master
// reads "<name> <old-ip> <old-port> <new-ip> <new-port>".
func (c *Client) onEvent(i int, channel, msg string) {
	f := strings.Fields(msg)
	switch channel {
	case "+new-epoch":
		if len(f) == 1 {
			if e, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				c.mu.Lock()
				c.newEpochs[i] = max(c.newEpochs[i], e)
				c.mu.Unlock()
			}
		}
		return
	case "+switch-master":
		if len(f) == 5 && f[0] == c.name {
			c.announce(i, net.JoinHostPort(f[3], f[4]))
			c.trigger()
		}
		return
	}
	var typ, name, addr string
	switch {
	case len(f) >= 4 && f[0] == "master":
		typ, name = f[0], f[1]
	case len(f) >= 8 && f[4] == "@":
		typ, name, addr = f[0], f[5], net.JoinHostPort(f[2], f[3])
	default:
		return
	}
	if name != c.name {
		return
	}
	if (channel == "+selected-slave" || channel == "+promoted-slave") && typ == "slave" {
		// The leader of a failover names the replica it promotes: the
		// client moves there as soon as it answers ROLE as a master,
		// before the leader ends the failover.
		c.announce(i, addr)
	}
	c.trigger()
}

// announce records that sentinel i named addr as the new master, and
// watches addr until it answers ROLE as a master, then installs it.
func (c *Client) announce(i int, addr string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.hint = addr
	if cur := c.master.Load(); (cur != nil && cur.addr == addr) || c.watching[addr] {
		return
	}
	c.watching[addr] = true
	c.wg.Add(1)
	go c.watch(i, addr)
}

// watchPoll is how often a replica named as the new master is asked ROLE
// while it is being promoted.
const watchPoll = 20 * time.Millisecond

// watch asks addr for ROLE until it answers as a master, ConnectTimeout
// passes or Disconnect is called. Once it is a master it is installed,
// above the config epoch of the failover that promoted it: the views of
// sentinels that have not caught up yet (or of the leader, which names
// the old master until the failover ends) do not move the client back.
func (c *Client) watch(i int, addr string) {
	defer c.wg.Done()
	defer func() {
		c.mu.Lock()
		delete(c.watching, addr)
		c.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.ConnectTimeout)
	defer cancel()
	s := c.newServer(addr)
	for role(ctx, s) != nil {
		if ctx.Err() != nil || !c.sleep(watchPoll) {
			c.retire(s, nil)
			return
		}
	}
	c.dmu.Lock()
	defer c.dmu.Unlock()
	if cur := c.master.Load(); cur != nil && cur.addr == addr {
		c.retire(s, nil)
		return
	}
	c.mu.Lock()
	epoch := max(c.epoch+1, c.newEpochs[i])
	c.mu.Unlock()
	c.install(s, epoch, nil, false)
	c.trigger()
}
