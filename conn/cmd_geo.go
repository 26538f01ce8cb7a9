package conn

import (
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// GeoPos is a position: longitude and latitude in degrees.
type GeoPos struct {
	Longitude, Latitude float64
}

// GeoLocation is a member of a geo set: what GEOADD takes, and what the
// searches fire with (Dist, Hash and the position only when asked for
// with WithDist, WithHash, WithCoord).
type GeoLocation struct {
	Name string
	GeoPos
	Dist float64
	Hash int64
}

// GeoAddArgs are the options of GEOADD: NX or XX, and CH.
type GeoAddArgs struct {
	NX, XX, CH bool
}

// GeoAdd adds locations to the geo set at key and fires with how many were
// added (with CH: added or changed).
func (c Commands) GeoAdd(key string, args GeoAddArgs, locations ...GeoLocation) *deferred.Deferred[int64] {
	if len(locations) == 0 {
		return fail[int64]("GEOADD", "no locations given")
	}
	if args.NX && args.XX {
		return fail[int64]("GEOADD", "NX and XX are exclusive")
	}
	cmd := proto.NewCmd("GEOADD").Key(key)
	switch {
	case args.NX:
		cmd.Arg("NX")
	case args.XX:
		cmd.Arg("XX")
	}
	if args.CH {
		cmd.Arg("CH")
	}
	for _, l := range locations {
		cmd.Float(l.Longitude).Float(l.Latitude).Arg(l.Name)
	}
	return request(c.s, cmd, asInt)
}

// geoUnit returns a distance unit in the form sent: any letter case is
// accepted, as the server does.
func geoUnit(u string) (string, bool) { return keyword(u, "m", "km", "mi", "ft") }

// sortOrder returns "", or ASC or DESC in any letter case, in the form
// sent.
func sortOrder(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	return keyword(s, "ASC", "DESC")
}

// GeoDist fires with the distance between two members in unit ("m",
// "km", "mi", "ft", in any letter case); proto.ErrNil when one is
// missing.
func (c Commands) GeoDist(key, member1, member2, unit string) *deferred.Deferred[float64] {
	u, ok := geoUnit(unit)
	if !ok {
		return fail[float64]("GEODIST", "unit %q is not m, km, mi or ft", unit)
	}
	return request(c.s, proto.NewCmd("GEODIST").Key(key).Arg(member1).Arg(member2).Arg(u), asFloat)
}

// GeoHash fires with the geohash of each member, not Valid for missing
// ones.
func (c Commands) GeoHash(key string, members ...string) *deferred.Deferred[[]Nullable[string]] {
	if len(members) == 0 {
		return fail[[]Nullable[string]]("GEOHASH", "no members given")
	}
	return request(c.s, withKeyArgs("GEOHASH", key, members), asNullStrings)
}

// GeoPos fires with the position of each member, not Valid for missing
// ones.
func (c Commands) GeoPos(key string, members ...string) *deferred.Deferred[[]Nullable[GeoPos]] {
	if len(members) == 0 {
		return fail[[]Nullable[GeoPos]]("GEOPOS", "no members given")
	}
	return request(c.s, withKeyArgs("GEOPOS", key, members), asGeoPositions)
}

func asGeoPos(v proto.Value) (GeoPos, error) {
	if len(v.Elems) != 2 {
		return GeoPos{}, proto.ErrConversion
	}
	lon, err := v.Elems[0].AsFloat()
	if err != nil {
		return GeoPos{}, err
	}
	lat, err := v.Elems[1].AsFloat()
	return GeoPos{Longitude: lon, Latitude: lat}, err
}

func asGeoPositions(v proto.Value) ([]Nullable[GeoPos], error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]Nullable[GeoPos], len(elems))
	for i, e := range elems {
		if e.IsNull() {
			continue
		}
		if out[i].V, err = asGeoPos(e); err != nil {
			return nil, err
		}
		out[i].Valid = true
	}
	return out, nil
}

// asGeoLocations converts a search reply: names, or arrays of a name
// followed by the distance (a string or double), hash (an integer) and
// position (an array) that were asked for.
func asGeoLocations(v proto.Value) ([]GeoLocation, error) {
	elems, err := v.AsValues()
	if err != nil {
		return nil, err
	}
	out := make([]GeoLocation, len(elems))
	for i, e := range elems {
		if e.Kind != proto.Array {
			if out[i].Name, err = e.AsString(); err != nil {
				return nil, err
			}
			continue
		}
		if len(e.Elems) == 0 {
			return nil, proto.ErrConversion
		}
		if out[i].Name, err = e.Elems[0].AsString(); err != nil {
			return nil, err
		}
		for _, f := range e.Elems[1:] {
			switch f.Kind {
			case proto.Integer:
				out[i].Hash = f.Int
			case proto.Array:
				out[i].GeoPos, err = asGeoPos(f)
			default:
				out[i].Dist, err = f.AsFloat()
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// GeoSearchArgs are the arguments of GEOSEARCH: the center (FromMember, or
// FromLonLat when FromMember is ""), the shape (Radius, or Width and
// Height for a box) in Unit ("m", "km", "mi", "ft"), and the options.
// Unit and Sort may be in any letter case.
type GeoSearchArgs struct {
	FromMember    string
	FromLonLat    GeoPos
	Radius        float64
	Width, Height float64
	Unit          string
	Sort          string // "ASC", "DESC" or "" (any letter case)
	Count         int64  // 0: no limit
	Any           bool   // with Count: stop at the first Count found
	WithCoord     bool
	WithDist      bool
	WithHash      bool
}

func geoSearchCmd(name, dst, key string, a GeoSearchArgs, storeDist bool) (*proto.Cmd, error) {
	unit, unitOK := geoUnit(a.Unit)
	order, orderOK := sortOrder(a.Sort)
	switch {
	case !unitOK:
		return nil, plumb.BadArgs(name, "unit %q is not m, km, mi or ft", a.Unit)
	case (a.Radius > 0) == (a.Width > 0 || a.Height > 0):
		return nil, plumb.BadArgs(name, "give either Radius or Width and Height")
	case a.Radius < 0 || a.Width < 0 || a.Height < 0:
		return nil, plumb.BadArgs(name, "negative shape")
	case !orderOK:
		return nil, plumb.BadArgs(name, "sort %q is not ASC or DESC", a.Sort)
	case a.Count < 0, a.Any && a.Count == 0:
		return nil, plumb.BadArgs(name, "bad COUNT %d (ANY needs a COUNT)", a.Count)
	case dst != "" && (a.WithCoord || a.WithDist || a.WithHash):
		return nil, plumb.BadArgs(name, "WITHCOORD, WITHDIST and WITHHASH are not for GEOSEARCHSTORE")
	}
	cmd := proto.NewCmd(name)
	if dst != "" {
		cmd.Key(dst)
	}
	cmd.Key(key)
	if a.FromMember != "" {
		cmd.Arg("FROMMEMBER").Arg(a.FromMember)
	} else {
		cmd.Arg("FROMLONLAT").Float(a.FromLonLat.Longitude).Float(a.FromLonLat.Latitude)
	}
	if a.Radius > 0 {
		cmd.Arg("BYRADIUS").Float(a.Radius).Arg(unit)
	} else {
		cmd.Arg("BYBOX").Float(a.Width).Float(a.Height).Arg(unit)
	}
	if order != "" {
		cmd.Arg(order)
	}
	if a.Count > 0 {
		cmd.Arg("COUNT").Int(a.Count)
		if a.Any {
			cmd.Arg("ANY")
		}
	}
	if a.WithCoord {
		cmd.Arg("WITHCOORD")
	}
	if a.WithDist {
		cmd.Arg("WITHDIST")
	}
	if a.WithHash {
		cmd.Arg("WITHHASH")
	}
	if storeDist {
		cmd.Arg("STOREDIST")
	}
	return cmd, nil
}

// GeoSearch fires with the members of the geo set at key within the shape
// args describes.
func (c Commands) GeoSearch(key string, args GeoSearchArgs) *deferred.Deferred[[]GeoLocation] {
	cmd, err := geoSearchCmd("GEOSEARCH", "", key, args, false)
	if err != nil {
		return deferred.Fail[[]GeoLocation](err)
	}
	return request(c.s, cmd, asGeoLocations)
}

// GeoSearchStore stores the members GeoSearch would find in dst (with
// storeDist: their distances as scores) and fires with how many.
func (c Commands) GeoSearchStore(dst, src string, args GeoSearchArgs, storeDist bool) *deferred.Deferred[int64] {
	cmd, err := geoSearchCmd("GEOSEARCHSTORE", dst, src, args, storeDist)
	if err != nil {
		return deferred.Fail[int64](err)
	}
	return request(c.s, cmd, asInt)
}

// GeoRadiusArgs are the options of the GEORADIUS family (deprecated by
// Redis in favour of GEOSEARCH): as GeoSearchArgs, and Store or StoreDist
// to store the result in a key instead.
type GeoRadiusArgs struct {
	WithCoord, WithDist, WithHash bool
	Count                         int64
	Any                           bool
	Sort                          string // "ASC", "DESC" (any letter case) or ""
	Store, StoreDist              string
}

func geoRadiusCmd(name, key string, center func(*proto.Cmd), radius float64, unit string, a GeoRadiusArgs) (*proto.Cmd, error) {
	u, unitOK := geoUnit(unit)
	order, orderOK := sortOrder(a.Sort)
	switch {
	case !unitOK:
		return nil, plumb.BadArgs(name, "unit %q is not m, km, mi or ft", unit)
	case radius < 0:
		return nil, plumb.BadArgs(name, "negative radius")
	case !orderOK:
		return nil, plumb.BadArgs(name, "sort %q is not ASC or DESC", a.Sort)
	case a.Count < 0, a.Any && a.Count == 0:
		return nil, plumb.BadArgs(name, "bad COUNT %d (ANY needs a COUNT)", a.Count)
	case (a.Store != "" || a.StoreDist != "") && (a.WithCoord || a.WithDist || a.WithHash):
		return nil, plumb.BadArgs(name, "STORE excludes WITHCOORD, WITHDIST and WITHHASH")
	case (a.Store != "" || a.StoreDist != "") && len(name) > 3 && name[len(name)-3:] == "_RO":
		return nil, plumb.BadArgs(name, "STORE is not allowed in the read-only form")
	}
	cmd := proto.NewCmd(name).Key(key)
	center(cmd)
	cmd.Float(radius).Arg(u)
	if a.WithCoord {
		cmd.Arg("WITHCOORD")
	}
	if a.WithDist {
		cmd.Arg("WITHDIST")
	}
	if a.WithHash {
		cmd.Arg("WITHHASH")
	}
	if a.Count > 0 {
		cmd.Arg("COUNT").Int(a.Count)
		if a.Any {
			cmd.Arg("ANY")
		}
	}
	if order != "" {
		cmd.Arg(order)
	}
	if a.Store != "" {
		cmd.Arg("STORE").Key(a.Store)
	}
	if a.StoreDist != "" {
		cmd.Arg("STOREDIST").Key(a.StoreDist)
	}
	return cmd, nil
}

// geoRadius sends a GEORADIUS-family search; storing is GeoRadiusStore's.
func (c Commands) geoRadius(name, key string, center func(*proto.Cmd), radius float64, unit string, a GeoRadiusArgs) *deferred.Deferred[[]GeoLocation] {
	if a.Store != "" || a.StoreDist != "" {
		return fail[[]GeoLocation](name, "use GeoRadiusStore to store the result")
	}
	cmd, err := geoRadiusCmd(name, key, center, radius, unit, a)
	if err != nil {
		return deferred.Fail[[]GeoLocation](err)
	}
	return request(c.s, cmd, asGeoLocations)
}

func lonLat(lon, lat float64) func(*proto.Cmd) {
	return func(cmd *proto.Cmd) { cmd.Float(lon).Float(lat) }
}

func byMember(member string) func(*proto.Cmd) {
	return func(cmd *proto.Cmd) { cmd.Arg(member) }
}

// GeoRadius fires with the members within radius of a position.
func (c Commands) GeoRadius(key string, lon, lat, radius float64, unit string, args GeoRadiusArgs) *deferred.Deferred[[]GeoLocation] {
	return c.geoRadius("GEORADIUS", key, lonLat(lon, lat), radius, unit, args)
}

// GeoRadiusRO is GeoRadius as the read-only GEORADIUS_RO.
func (c Commands) GeoRadiusRO(key string, lon, lat, radius float64, unit string, args GeoRadiusArgs) *deferred.Deferred[[]GeoLocation] {
	return c.geoRadius("GEORADIUS_RO", key, lonLat(lon, lat), radius, unit, args)
}

// GeoRadiusByMember fires with the members within radius of member.
func (c Commands) GeoRadiusByMember(key, member string, radius float64, unit string, args GeoRadiusArgs) *deferred.Deferred[[]GeoLocation] {
	return c.geoRadius("GEORADIUSBYMEMBER", key, byMember(member), radius, unit, args)
}

// GeoRadiusByMemberRO is GeoRadiusByMember as GEORADIUSBYMEMBER_RO.
func (c Commands) GeoRadiusByMemberRO(key, member string, radius float64, unit string, args GeoRadiusArgs) *deferred.Deferred[[]GeoLocation] {
	return c.geoRadius("GEORADIUSBYMEMBER_RO", key, byMember(member), radius, unit, args)
}

// GeoRadiusStore is GEORADIUS with args.Store or args.StoreDist set: it
// stores the members found and fires with how many.
func (c Commands) GeoRadiusStore(key string, lon, lat, radius float64, unit string, args GeoRadiusArgs) *deferred.Deferred[int64] {
	if args.Store == "" && args.StoreDist == "" {
		return fail[int64]("GEORADIUS", "no Store or StoreDist key given")
	}
	cmd, err := geoRadiusCmd("GEORADIUS", key, lonLat(lon, lat), radius, unit, args)
	if err != nil {
		return deferred.Fail[int64](err)
	}
	return request(c.s, cmd, asInt)
}
