package conn

import (
	"strings"
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/proto"
)

// SELECT has no method: on a pool, a shard or a cluster it would change
// the database of one connection only, out of step with the others and
// with what the handle reconnects to. Choose the database with
// Options.DB; send SELECT with Do only on a connection you own.

// Echo fires with message.
func (c Commands) Echo(message string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("ECHO").Arg(message), asString)
}

// ClientID fires with the ID of the connection the command went through.
func (c Commands) ClientID() *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("CLIENT").Arg("ID"), asInt)
}

// ClientGetName fires with the name of the connection the command went
// through; proto.ErrNil when it has none.
func (c Commands) ClientGetName() *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("CLIENT").Arg("GETNAME"), asString)
}

// ClientSetName names the connection the command goes through and fires
// with "OK". On a pool it names one connection only, and a reconnect
// forgets it: prefer Options.ClientName.
func (c Commands) ClientSetName(name string) *deferred.Deferred[string] {
	if strings.ContainsAny(name, " \n") {
		return fail[string]("CLIENT SETNAME", "name %q has spaces or newlines", name)
	}
	return request(c.s, proto.NewCmd("CLIENT").Arg("SETNAME").Arg(name), asString)
}

// ClientList fires with the server's clients, each as its fields ("id",
// "addr", "name", "db", "cmd"...).
func (c Commands) ClientList() *deferred.Deferred[[]map[string]string] {
	return request(c.s, proto.NewCmd("CLIENT").Arg("LIST"), asClientList)
}

// ClientInfo fires with the fields of the connection the command went
// through.
func (c Commands) ClientInfo() *deferred.Deferred[map[string]string] {
	return request(c.s, proto.NewCmd("CLIENT").Arg("INFO"), asClientInfo)
}

func parseClientLine(line string) map[string]string {
	m := map[string]string{}
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			m[k] = v
		}
	}
	return m
}

func asClientInfo(v proto.Value) (map[string]string, error) {
	s, err := v.AsString()
	if err != nil {
		return nil, err
	}
	return parseClientLine(s), nil
}

func asClientList(v proto.Value) ([]map[string]string, error) {
	s, err := v.AsString()
	if err != nil {
		return nil, err
	}
	var out []map[string]string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, parseClientLine(line))
		}
	}
	return out, nil
}

// DBSize fires with the number of keys in the database.
func (c Commands) DBSize() *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("DBSIZE"), asInt)
}

// FlushDB deletes every key of the database and fires with "OK".
func (c Commands) FlushDB(mode FlushMode) *deferred.Deferred[string] {
	cmd, err := flushCmd(proto.NewCmd("FLUSHDB"), mode)
	if err != nil {
		return deferred.Fail[string](err)
	}
	return request(c.s, cmd, asString)
}

// FlushAll deletes every key of every database and fires with "OK".
func (c Commands) FlushAll(mode FlushMode) *deferred.Deferred[string] {
	cmd, err := flushCmd(proto.NewCmd("FLUSHALL"), mode)
	if err != nil {
		return deferred.Fail[string](err)
	}
	return request(c.s, cmd, asString)
}

// Info fires with the server information of sections (none: the default
// set), by lower-case section ("server", "memory", "keyspace"...) and key.
func (c Commands) Info(sections ...string) *deferred.Deferred[map[string]map[string]string] {
	cmd := proto.NewCmd("INFO")
	for _, s := range sections {
		cmd.Arg(s)
	}
	return request(c.s, cmd, asInfo)
}

// parseInfo parses the text of an INFO reply into sections of key, value.
func parseInfo(text string) map[string]map[string]string {
	out := map[string]map[string]string{}
	var cur map[string]string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "# "):
			cur = map[string]string{}
			out[strings.ToLower(strings.TrimSpace(line[2:]))] = cur
		default:
			if cur == nil {
				cur = map[string]string{}
				out[""] = cur
			}
			if k, v, ok := strings.Cut(line, ":"); ok {
				cur[k] = v
			}
		}
	}
	return out
}

func asInfo(v proto.Value) (map[string]map[string]string, error) {
	s, err := v.AsString()
	if err != nil {
		return nil, err
	}
	return parseInfo(s), nil
}

// Time fires with the server's clock.
func (c Commands) Time() *deferred.Deferred[time.Time] {
	return request(c.s, proto.NewCmd("TIME"), asServerTime)
}

func asServerTime(v proto.Value) (time.Time, error) {
	elems, err := v.AsValues()
	if err != nil {
		return time.Time{}, err
	}
	if len(elems) != 2 {
		return time.Time{}, proto.ErrConversion
	}
	sec, err := elems[0].AsInt()
	if err != nil {
		return time.Time{}, err
	}
	usec, err := elems[1].AsInt()
	return time.Unix(sec, usec*1000), err
}

// LastSave fires with the time of the last successful save to disk.
func (c Commands) LastSave() *deferred.Deferred[time.Time] {
	return request(c.s, proto.NewCmd("LASTSAVE"), asUnixTime)
}

// ConfigGet fires with the configuration parameters matching patterns.
func (c Commands) ConfigGet(patterns ...string) *deferred.Deferred[map[string]string] {
	if len(patterns) == 0 {
		return fail[map[string]string]("CONFIG GET", "no parameters given")
	}
	cmd := proto.NewCmd("CONFIG").Arg("GET")
	for _, p := range patterns {
		cmd.Arg(p)
	}
	return request(c.s, cmd, asMap)
}

// ConfigSet sets configuration parameters, given as parameter, value
// pairs, and fires with "OK".
func (c Commands) ConfigSet(paramsAndValues ...string) *deferred.Deferred[string] {
	if len(paramsAndValues) == 0 || len(paramsAndValues)%2 != 0 {
		return fail[string]("CONFIG SET", "want parameter, value pairs, got %d arguments", len(paramsAndValues))
	}
	cmd := proto.NewCmd("CONFIG").Arg("SET")
	for _, a := range paramsAndValues {
		cmd.Arg(a)
	}
	return request(c.s, cmd, asString)
}

// RoleReply is the reply of ROLE. Role is "master", "slave" or
// "sentinel". A master has Offset and Replicas; a replica has MasterHost,
// MasterPort, State and Offset; a sentinel has MasterNames.
type RoleReply struct {
	Role        string
	Offset      int64
	Replicas    []RoleReplica
	MasterHost  string
	MasterPort  int64
	State       string
	MasterNames []string
}

// RoleReplica is a replica as its master's ROLE describes it.
type RoleReplica struct {
	Host         string
	Port, Offset int64
}

// Role fires with the replication role of the server.
func (c Commands) Role() *deferred.Deferred[RoleReply] {
	return request(c.s, proto.NewCmd("ROLE"), asRole)
}

func asRole(v proto.Value) (RoleReply, error) {
	var r RoleReply
	e, err := v.AsValues()
	if err != nil {
		return r, err
	}
	if len(e) == 0 {
		return r, proto.ErrConversion
	}
	r.Role = e[0].Str
	switch {
	case r.Role == "master" && len(e) >= 3:
		r.Offset, _ = e[1].AsInt()
		for _, rep := range e[2].Elems {
			if len(rep.Elems) != 3 {
				return r, proto.ErrConversion
			}
			port, _ := rep.Elems[1].AsInt()
			off, _ := rep.Elems[2].AsInt()
			r.Replicas = append(r.Replicas, RoleReplica{Host: rep.Elems[0].Str, Port: port, Offset: off})
		}
	case r.Role == "slave" && len(e) >= 5:
		r.MasterHost = e[1].Str
		r.MasterPort, _ = e[2].AsInt()
		r.State = e[3].Str
		r.Offset, _ = e[4].AsInt()
	case r.Role == "sentinel" && len(e) >= 2:
		r.MasterNames, err = e[1].AsStrings()
	}
	return r, err
}
