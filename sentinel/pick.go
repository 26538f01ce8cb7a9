package sentinel

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// candidate is a master address the sentinels give, with the evidence
// for it.
type candidate struct {
	addr  string
	epoch int64 // the highest config epoch any sentinel gives it
	// steady counts the sentinels that give it at that epoch and lead no
	// failover of it; votes counts all that give it at that epoch.
	steady, votes int
}

// pickOptions is what a ranking knows beyond the reports.
type pickOptions struct {
	floor   int64  // ignore views of a lower config epoch (-1: none)
	hint    string // the address of the newest switch announced, first among equals
	current string // the master installed now, first among equals after hint
}

// rank orders the master addresses the reports give, best first, by the
// newest information: the highest config epoch; then the address given
// by sentinels that lead no failover of it (the leader of a failover
// keeps naming the old master, at the new epoch, until the failover
// ends); then the number of sentinels giving it; then the address of the
// newest switch announced, then the current master. The order of the
// sentinels never matters. Views of masters flagged down, and views
// below the floor, are left out; so are views of a sentinel leading a
// failover when other views remain.
func rank(reports []report, o pickOptions) []candidate {
	var steady, transitional []view
	for _, r := range reports {
		v := r.master
		if r.err != nil || v.down || (o.floor >= 0 && v.epoch >= 0 && v.epoch < o.floor) {
			continue
		}
		if v.transition {
			transitional = append(transitional, v)
		} else {
			steady = append(steady, v)
		}
	}
	views := steady
	if len(views) == 0 && o.current == "" {
		// With no master installed, a failover's leader is better
		// than nothing; with one, its old address is no reason to move.
		views = transitional
	}
	byAddr := map[string]*candidate{}
	var out []*candidate
	for _, v := range views {
		c := byAddr[v.addr]
		if c == nil {
			c = &candidate{addr: v.addr, epoch: v.epoch}
			byAddr[v.addr] = c
			out = append(out, c)
		}
		switch {
		case v.epoch > c.epoch:
			c.epoch, c.votes, c.steady = v.epoch, 0, 0
		case v.epoch < c.epoch:
			continue
		}
		c.votes++
		if !v.transition {
			c.steady++
		}
	}
	slices.SortFunc(out, func(a, b *candidate) int {
		switch {
		case a.epoch != b.epoch:
			return cmpDesc(a.epoch, b.epoch)
		case a.steady != b.steady:
			return cmpDesc(int64(a.steady), int64(b.steady))
		case a.votes != b.votes:
			return cmpDesc(int64(a.votes), int64(b.votes))
		case (a.addr == o.hint) != (b.addr == o.hint):
			return boolFirst(a.addr == o.hint)
		case (a.addr == o.current) != (b.addr == o.current):
			return boolFirst(a.addr == o.current)
		}
		return strings.Compare(a.addr, b.addr)
	})
	cs := make([]candidate, len(out))
	for i, c := range out {
		cs[i] = *c
	}
	return cs
}

func cmpDesc(a, b int64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

func boolFirst(a bool) int {
	if a {
		return -1
	}
	return 1
}

// mergeReplicas returns the replicas, master left out, that at least one
// sentinel finds healthy and that no majority of the sentinels listing
// them flags down (s_down, o_down or disconnected), in a stable order. A
// sentinel refreshes what it knows of a replica's link only every ten
// seconds or so, but flags it down within its down-after time: the
// freshest good news is trusted, bad news only when most agree (and a
// replica whose connection fails leaves the rotation by itself).
func mergeReplicas(reports []report, master string) []string {
	type tally struct{ listed, healthy, down int }
	tallies := map[string]*tally{}
	for _, r := range reports {
		if r.err != nil {
			continue
		}
		for _, rv := range r.replicas {
			t := tallies[rv.addr]
			if t == nil {
				t = &tally{}
				tallies[rv.addr] = t
			}
			t.listed++
			switch {
			case rv.healthy:
				t.healthy++
			case rv.down:
				t.down++
			}
		}
	}
	var out []string
	for a, t := range tallies {
		if a != master && t.healthy > 0 && 2*t.down < t.listed {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

// reportsError explains why the reports give no master.
func reportsError(name string, reports []report) error {
	var errs []error
	for _, r := range reports {
		switch {
		case r.err != nil:
			errs = append(errs, r.err)
		case r.master.down:
			errs = append(errs, fmt.Errorf("sentinel %d flags the master %s down", r.from, r.master.addr))
		}
	}
	if len(reports) == 0 {
		errs = append(errs, errors.New("no sentinel answered"))
	}
	return fmt.Errorf("%w for %q: %w", ErrNoMaster, name, errors.Join(errs...))
}

// allUnknown reports whether every sentinel that answered does not
// monitor the name (and at least one answered).
func allUnknown(reports []report) bool {
	n := 0
	for _, r := range reports {
		if !r.unknown {
			return false
		}
		n++
	}
	return n > 0
}
