package sentinel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/proto"
)

// sentinels are the command connections to the sentinels that monitor one
// master name.
type sentinels struct {
	name  string       // immutable
	opts  Options      // immutable
	addrs []string     // immutable
	conns []*conn.Conn // immutable: one per address, dialled lazily
}

func newSentinels(addrs []string, name string, opts Options) *sentinels {
	s := &sentinels{name: name, opts: opts, addrs: append([]string(nil), addrs...)}
	for _, a := range s.addrs {
		s.conns = append(s.conns, conn.New(s.connOptions(a)))
	}
	return s
}

// connOptions are the connection options for the sentinel at addr.
func (s *sentinels) connOptions(addr string) conn.Options {
	o := s.opts
	return conn.Options{
		Addr:           addr,
		Username:       o.SentinelUsername,
		Password:       o.SentinelPassword,
		TLS:            o.TLS,
		ConnectTimeout: o.ConnectTimeout,
		Dialer:         o.Dialer,
		Logger:         o.Logger,
		Backoff:        o.Backoff,
		Hooks:          o.Hooks,
	}
}

// disconnect closes the sentinel connections at once: a question still
// unanswered (a frozen sentinel) is of no use any more.
func (s *sentinels) disconnect() []*deferred.Deferred[struct{}] {
	ds := make([]*deferred.Deferred[struct{}], len(s.conns))
	for i, c := range s.conns {
		ds[i] = c.Disconnect()
		c.Abort(conn.ErrClosed)
	}
	return ds
}

// view is what one sentinel says about the master.
type view struct {
	addr  string
	epoch int64 // config epoch; -1 when unknown (GET-MASTER-ADDR-BY-NAME)
	// transition is set while the sentinel leads a failover of the
	// master: the address it gives is about to change.
	transition bool
	// down is set when the sentinel flags the master s_down or o_down.
	down bool
}

// replicaView is what one sentinel says about one replica: healthy, down
// (flagged s_down, o_down or disconnected), or neither (its link to the
// master is not up, or it does not report itself a replica).
type replicaView struct {
	addr    string
	healthy bool
	down    bool
}

// report is one sentinel's answer.
type report struct {
	from     int
	err      error // nil when master is set
	unknown  bool  // the sentinel does not monitor the name
	master   view
	replicas []replicaView
}

// stragglerWait is how long ask waits for the remaining sentinels once a
// majority has answered: a sentinel that is frozen or cut off does not
// hold up a discovery.
const stragglerWait = 200 * time.Millisecond

// ask queries every sentinel in parallel and returns their reports, in
// the order they came, once all answered, or a majority answered and
// stragglerWait passed, or ctx ended.
func (s *sentinels) ask(ctx context.Context) []report {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(chan report, len(s.conns))
	var wg sync.WaitGroup
	for i := range s.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out <- s.query(ctx, i)
		}()
	}
	var reports []report
	var cutoff <-chan time.Time
	for len(reports) < len(s.conns) {
		select {
		case r := <-out:
			reports = append(reports, r)
			if cutoff == nil && len(reports) > len(s.conns)/2 && len(reports) < len(s.conns) {
				t := time.NewTimer(stragglerWait)
				defer t.Stop()
				cutoff = t.C
			}
			continue
		case <-cutoff:
		case <-ctx.Done():
		}
		break
	}
	cancel()
	wg.Wait()
	return reports
}

// query asks sentinel i about the master and its replicas.
func (s *sentinels) query(ctx context.Context, i int) report {
	sc := s.conns[i]
	rep := report{from: i}
	md := handle.Request(sc, proto.NewCmd("SENTINEL").Arg("MASTER").Arg(s.name), handle.Identity)
	rd := handle.Request(sc, proto.NewCmd("SENTINEL").Arg("REPLICAS").Arg(s.name), handle.Identity)
	v, err := md.Wait(ctx)
	others := int64(-1)
	if err == nil {
		rep.master, others, err = parseMaster(v)
	}
	if err != nil && !isUnknown(err) && ctx.Err() == nil {
		// SENTINEL MASTER may be refused by ACLs: fall back to the
		// address alone.
		if a, aerr := s.addrByName(ctx, sc); aerr == nil {
			rep.master, err = view{addr: a, epoch: -1}, nil
		} else if isUnknown(aerr) {
			err = aerr
		}
	}
	if err != nil {
		rep.unknown = isUnknown(err)
		rep.err = fmt.Errorf("%s: %w", s.addrs[i], err)
		return rep
	}
	if n := s.opts.MinOtherSentinels; n > 0 {
		if others < 0 {
			others = s.otherSentinels(ctx, sc)
		}
		if others < int64(n) {
			rep.err = fmt.Errorf("%s knows %d other sentinels, fewer than %d", s.addrs[i], others, n)
			return rep
		}
	}
	if v, err := rd.Wait(ctx); err == nil {
		rep.replicas = parseReplicas(v)
	}
	return rep
}

// isUnknown reports the sentinel's answer for a name it does not monitor.
func isUnknown(err error) bool {
	var perr *proto.Error
	return errors.As(err, &perr) && strings.Contains(perr.Error(), "No such master")
}

// parseMaster reads SENTINEL MASTER's field list, and the number of
// other sentinels it gives (-1 when absent).
func parseMaster(v proto.Value) (view, int64, error) {
	m, err := v.AsMap()
	if err != nil {
		return view{}, -1, err
	}
	if m["ip"] == "" || m["port"] == "" {
		return view{}, -1, errors.New("txredis/sentinel: SENTINEL MASTER: no address")
	}
	flags := "," + m["flags"] + ","
	epoch, err := strconv.ParseInt(m["config-epoch"], 10, 64)
	if err != nil {
		epoch = -1
	}
	others, err := strconv.ParseInt(m["num-other-sentinels"], 10, 64)
	if err != nil {
		others = -1
	}
	return view{
		addr:       net.JoinHostPort(m["ip"], m["port"]),
		epoch:      epoch,
		transition: strings.Contains(flags, ",failover_in_progress,"),
		down:       strings.Contains(flags, ",s_down,") || strings.Contains(flags, ",o_down,"),
	}, others, nil
}

// parseReplicas reads SENTINEL REPLICAS: a replica is healthy when the
// sentinel flags it neither down nor disconnected, it reports itself a
// replica and its link to the master is up.
func parseReplicas(v proto.Value) []replicaView {
	var out []replicaView
	for _, r := range v.Elems {
		m, err := r.AsMap()
		if err != nil || m["ip"] == "" || m["port"] == "" {
			continue
		}
		flags := "," + m["flags"] + ","
		down := strings.Contains(flags, ",s_down,") || strings.Contains(flags, ",o_down,") ||
			strings.Contains(flags, ",disconnected,")
		healthy := !down && m["master-link-status"] == "ok" &&
			(m["role-reported"] == "" || m["role-reported"] == "slave")
		out = append(out, replicaView{addr: net.JoinHostPort(m["ip"], m["port"]), healthy: healthy, down: down})
	}
	return out
}

// addrByName asks one sentinel SENTINEL GET-MASTER-ADDR-BY-NAME.
func (s *sentinels) addrByName(ctx context.Context, sc *conn.Conn) (string, error) {
	v, err := handle.Request(sc, proto.NewCmd("SENTINEL").Arg("GET-MASTER-ADDR-BY-NAME").Arg(s.name), handle.Identity).Wait(ctx)
	if err != nil {
		return "", err
	}
	if v.IsNull() {
		return "", proto.NewError("ERR No such master with that name")
	}
	a, err := v.AsStrings()
	if err != nil || len(a) != 2 {
		return "", fmt.Errorf("txredis/sentinel: GET-MASTER-ADDR-BY-NAME: %v", v)
	}
	return net.JoinHostPort(a[0], a[1]), nil
}

// otherSentinels counts SENTINEL SENTINELS, or returns -1.
func (s *sentinels) otherSentinels(ctx context.Context, sc *conn.Conn) int64 {
	v, err := handle.Request(sc, proto.NewCmd("SENTINEL").Arg("SENTINELS").Arg(s.name), handle.Identity).Wait(ctx)
	if err != nil {
		return -1
	}
	return int64(len(v.Elems))
}
