package conn

import (
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// ScanArgs are the options of SCAN, SSCAN, HSCAN and ZSCAN: a MATCH
// pattern, a COUNT hint and (SCAN only) a TYPE. Zero values are not sent.
type ScanArgs struct {
	Match string
	Count int64
	Type  string
}

// ScanPage is one page of a SCAN-family reply. Cursor is where the next
// page starts; 0 means the iteration is complete. Items are keys (SCAN),
// members (SSCAN), or alternating field, value (HSCAN) and member, score
// (ZSCAN).
type ScanPage struct {
	Cursor uint64
	Items  []string
}

func asScanPage(v proto.Value) (ScanPage, error) {
	elems, err := v.AsValues()
	if err != nil {
		return ScanPage{}, err
	}
	if len(elems) != 2 {
		return ScanPage{}, proto.ErrConversion
	}
	cur, err := elems[0].AsString()
	if err != nil {
		return ScanPage{}, err
	}
	var n uint64
	for i := 0; i < len(cur); i++ {
		if cur[i] < '0' || cur[i] > '9' {
			return ScanPage{}, proto.ErrConversion
		}
		n = n*10 + uint64(cur[i]-'0')
	}
	items, err := elems[1].AsStrings()
	return ScanPage{Cursor: n, Items: items}, err
}

func scanCmd(name, key string, cursor uint64, a ScanArgs, withType bool) (*proto.Cmd, error) {
	if a.Count < 0 {
		return nil, plumb.BadArgs(name, "negative COUNT %d", a.Count)
	}
	cmd := proto.NewCmd(name)
	if name != "SCAN" {
		cmd.Key(key)
	}
	cmd.Uint(cursor)
	if a.Match != "" {
		cmd.Arg("MATCH").Arg(a.Match)
	}
	if a.Count > 0 {
		cmd.Arg("COUNT").Int(a.Count)
	}
	if a.Type != "" {
		if !withType {
			cmd.Release()
			return nil, plumb.BadArgs(name, "TYPE is for SCAN only")
		}
		cmd.Arg("TYPE").Arg(a.Type)
	}
	return cmd, nil
}

func (c Commands) scan(name, key string, cursor uint64, a ScanArgs) *deferred.Deferred[ScanPage] {
	cmd, err := scanCmd(name, key, cursor, a, name == "SCAN")
	if err != nil {
		return deferred.Fail[ScanPage](err)
	}
	return request(c.s, cmd, asScanPage)
}

// Scan fires with one page of the keys of the database, from cursor (0
// starts an iteration).
func (c Commands) Scan(cursor uint64, args ScanArgs) *deferred.Deferred[ScanPage] {
	return c.scan("SCAN", "", cursor, args)
}

// SScan fires with one page of the members of the set at key.
func (c Commands) SScan(key string, cursor uint64, args ScanArgs) *deferred.Deferred[ScanPage] {
	return c.scan("SSCAN", key, cursor, args)
}

// HScan fires with one page of the fields and values of the hash at key,
// alternating.
func (c Commands) HScan(key string, cursor uint64, args ScanArgs) *deferred.Deferred[ScanPage] {
	return c.scan("HSCAN", key, cursor, args)
}

// ZScan fires with one page of the members and scores of the sorted set at
// key, alternating.
func (c Commands) ZScan(key string, cursor uint64, args ScanArgs) *deferred.Deferred[ScanPage] {
	return c.scan("ZSCAN", key, cursor, args)
}

// scanAll follows the cursor of page from 0 until the server returns 0,
// and fires with the items of every page in order. The first error stops
// it.
func scanAll(page func(cursor uint64) *deferred.Deferred[ScanPage]) *deferred.Deferred[[]string] {
	var all []string
	var step func(ScanPage) *deferred.Deferred[[]string]
	step = func(p ScanPage) *deferred.Deferred[[]string] {
		all = append(all, p.Items...)
		if p.Cursor == 0 {
			return deferred.Succeed(all)
		}
		return deferred.Chain(page(p.Cursor), step)
	}
	return deferred.Chain(page(0), step)
}

// dedup removes repeated strings, keeping the first of each: SCAN may
// return an element more than once.
func dedup(items []string) []string {
	seen := make(map[string]struct{}, len(items))
	out := items[:0]
	for _, s := range items {
		if _, ok := seen[s]; !ok {
			seen[s] = struct{}{}
			out = append(out, s)
		}
	}
	return out
}

// ScanAll iterates SCAN over every page and fires with all the keys
// matching args, each once, in no particular order.
func (c Commands) ScanAll(args ScanArgs) *deferred.Deferred[[]string] {
	d := scanAll(func(cur uint64) *deferred.Deferred[ScanPage] { return c.Scan(cur, args) })
	return d.Then(func(keys []string) ([]string, error) { return dedup(keys), nil })
}

// SScanAll iterates SSCAN over every page and fires with all the members
// of the set at key matching args, each once, in no particular order.
func (c Commands) SScanAll(key string, args ScanArgs) *deferred.Deferred[[]string] {
	d := scanAll(func(cur uint64) *deferred.Deferred[ScanPage] { return c.SScan(key, cur, args) })
	return d.Then(func(m []string) ([]string, error) { return dedup(m), nil })
}

// HScanAll iterates HSCAN over every page and fires with the fields and
// values of the hash at key matching args.
func (c Commands) HScanAll(key string, args ScanArgs) *deferred.Deferred[map[string]string] {
	d := scanAll(func(cur uint64) *deferred.Deferred[ScanPage] { return c.HScan(key, cur, args) })
	return deferred.Then(d, func(kv []string) (map[string]string, error) {
		m := make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m, nil
	})
}

// ZScanAll iterates ZSCAN over every page and fires with the members and
// scores of the sorted set at key matching args, each member once, in no
// particular order.
func (c Commands) ZScanAll(key string, args ScanArgs) *deferred.Deferred[[]ZMember] {
	d := scanAll(func(cur uint64) *deferred.Deferred[ScanPage] { return c.ZScan(key, cur, args) })
	return deferred.Then(d, func(kv []string) ([]ZMember, error) {
		seen := make(map[string]struct{}, len(kv)/2)
		out := make([]ZMember, 0, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			if _, ok := seen[kv[i]]; ok {
				continue
			}
			seen[kv[i]] = struct{}{}
			f, err := proto.BulkValue(kv[i+1]).AsFloat()
			if err != nil {
				return nil, err
			}
			out = append(out, ZMember{Member: kv[i], Score: f})
		}
		return out, nil
	})
}
