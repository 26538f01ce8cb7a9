package txredisotel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/pool"
	"github.com/txredis/txredis/proto"
)

// appendServer appends server.address and server.port (or, for a unix
// socket, the path and network.transport "unix") and db.namespace.
func appendServer(attrs []attribute.KeyValue, addr string, db int) []attribute.KeyValue {
	if addr == "" {
		return attrs
	}
	network, target := handle.Network(addr)
	switch host, port, err := net.SplitHostPort(target); {
	case network == "unix":
		attrs = append(attrs, semconv.ServerAddress(target), semconv.NetworkTransportUnix)
	case err == nil:
		attrs = append(attrs, semconv.ServerAddress(host))
		if p, err := strconv.Atoi(port); err == nil {
			attrs = append(attrs, semconv.ServerPort(p))
		}
	default:
		attrs = append(attrs, semconv.ServerAddress(target))
	}
	return append(attrs, semconv.DBNamespace(strconv.Itoa(db)))
}

// known are the client's errors that error.type names.
var known = []struct {
	err  error
	name string
}{
	{conn.ErrWatch, "conn.ErrWatch"},
	{conn.ErrDiscarded, "conn.ErrDiscarded"},
	{conn.ErrTxDone, "conn.ErrTxDone"},
	{conn.ErrLeased, "conn.ErrLeased"},
	{conn.ErrClosed, "conn.ErrClosed"},
	{conn.ErrNotConnected, "conn.ErrNotConnected"},
	{conn.ErrBadArgs, "conn.ErrBadArgs"},
	{pool.ErrExhausted, "pool.ErrExhausted"},
	{proto.ErrProtocol, "proto.ErrProtocol"},
	{context.Canceled, "context.Canceled"},
}

// classify returns error.type for err and, for an error reply, its
// prefix (db.response.status_code); both empty for nil.
func classify(err error) (errType, status string) {
	if err == nil {
		return "", ""
	}
	var perr *proto.Error
	if errors.As(err, &perr) && perr.Prefix != "" {
		return perr.Prefix, perr.Prefix
	}
	if errors.Is(err, conn.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
		return "timeout", ""
	}
	for _, k := range known {
		if errors.Is(err, k.err) {
			return k.name, ""
		}
	}
	return typeName(err), ""
}

// typeName is the Go type of err as package.Type ("conn.ConnectionError"),
// or "_OTHER" for the anonymous types of errors.New, fmt.Errorf and
// errors.Join.
func typeName(err error) string {
	name := strings.TrimPrefix(fmt.Sprintf("%T", err), "*")
	switch name {
	case "errors.errorString", "fmt.wrapError", "fmt.wrapErrors", "errors.joinError":
		return semconv.ErrorTypeOther.Value.AsString()
	}
	return name
}

// storedProcedure returns the script digest or function name of EVALSHA
// and FCALL (db.stored_procedure.name).
func storedProcedure(cmd *proto.Cmd) (string, bool) {
	switch cmd.Name() {
	case "EVALSHA", "EVALSHA_RO", "FCALL", "FCALL_RO":
		if cmd.Len() > 1 {
			return string(cmd.ArgBytes(1)), true
		}
	}
	return "", false
}

// Limits of the query texts.
const (
	maxQueryArgs     = 16 // arguments of a command shown
	maxQueryKey      = 64 // bytes of a key shown
	maxPipelineQuery = 16 // commands of a pipeline shown
)

// SanitizedQuery writes cmd in the Redis CLI syntax with its key
// arguments and "?" for every other argument: `SET user:1 ?`, `HSET h ?
// ?`. No argument that is not a key is shown, so passwords (AUTH, HELLO,
// MIGRATE, CONFIG SET) never are. Keys are shortened to 64 bytes and
// quoted when they hold spaces, quotes or unprintable bytes; past 16
// arguments the rest is left out ("...").
func SanitizedQuery(cmd *proto.Cmd) string {
	var b strings.Builder
	b.WriteString(cmd.Name())
	keys := cmd.Keys()
	k := 0
	for i := 1; i < cmd.Len(); i++ {
		if i > maxQueryArgs {
			b.WriteString(" ...")
			break
		}
		b.WriteByte(' ')
		for k < len(keys) && keys[k] < i {
			k++
		}
		if k < len(keys) && keys[k] == i {
			writeKey(&b, cmd.ArgBytes(i))
			continue
		}
		b.WriteByte('?')
	}
	return b.String()
}

func writeKey(b *strings.Builder, key []byte) {
	cut := len(key) > maxQueryKey
	if cut {
		key = key[:maxQueryKey]
	}
	plain := len(key) > 0
	for _, c := range key {
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		b.Write(key)
	} else {
		b.WriteString(strconv.Quote(string(key)))
	}
	if cut {
		b.WriteString("...")
	}
}

// pipelineText joins the query texts of cmds with "; ".
func pipelineText(f func(*proto.Cmd) string, cmds []*proto.Cmd) string {
	var b strings.Builder
	for i, c := range cmds {
		if i > 0 {
			b.WriteString("; ")
		}
		if i == maxPipelineQuery {
			b.WriteString("...")
			break
		}
		b.WriteString(f(c))
	}
	return b.String()
}

// attrCache keeps the attribute sets of metrics, so that recording a
// measurement does not build one each time. It holds at most maxCached
// sets; past that, sets are built per measurement.
type attrCache struct {
	mu      sync.RWMutex
	ops     map[opKey]attribute.Set
	pools   map[poolKey]attribute.Set
	servers map[poolKey][]attribute.KeyValue
}

const maxCached = 4096

type opKey struct {
	addr                  string
	db                    int
	name, errType, status string
}

type poolKey struct {
	addr string
	db   int
}

// operation returns the attributes of db.client.operation.duration.
func (c *attrCache) operation(addr string, db int, name, errType, status string) attribute.Set {
	k := opKey{addr, db, name, errType, status}
	c.mu.RLock()
	s, ok := c.ops[k]
	c.mu.RUnlock()
	if ok {
		return s
	}
	attrs := appendServer([]attribute.KeyValue{semconv.DBSystemNameRedis, semconv.DBOperationName(name)}, addr, db)
	attrs = slicesDeleteTransport(attrs)
	if errType != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
	}
	if status != "" {
		attrs = append(attrs, semconv.DBResponseStatusCode(status))
	}
	s = attribute.NewSet(attrs...)
	c.mu.Lock()
	if c.ops == nil {
		c.ops = map[opKey]attribute.Set{}
	}
	if len(c.ops) < maxCached {
		c.ops[k] = s
	}
	c.mu.Unlock()
	return s
}

// server returns the span attributes of the server at addr and db (see
// appendServer); the slice must not be modified.
func (c *attrCache) server(addr string, db int) []attribute.KeyValue {
	k := poolKey{addr, db}
	c.mu.RLock()
	s, ok := c.servers[k]
	c.mu.RUnlock()
	if ok {
		return s
	}
	s = slices.Clip(appendServer(nil, addr, db))
	c.mu.Lock()
	if c.servers == nil {
		c.servers = map[poolKey][]attribute.KeyValue{}
	}
	if len(c.servers) < maxCached {
		c.servers[k] = s
	}
	c.mu.Unlock()
	return s
}

// pool returns the attributes of the connection metrics of addr and db:
// db.client.connection.pool.name as "address/db".
func (c *attrCache) pool(addr string, db int) attribute.Set {
	k := poolKey{addr, db}
	c.mu.RLock()
	s, ok := c.pools[k]
	c.mu.RUnlock()
	if ok {
		return s
	}
	s = attribute.NewSet(semconv.DBClientConnectionPoolName(addr + "/" + strconv.Itoa(db)))
	c.mu.Lock()
	if c.pools == nil {
		c.pools = map[poolKey]attribute.Set{}
	}
	if len(c.pools) < maxCached {
		c.pools[k] = s
	}
	c.mu.Unlock()
	return s
}

// slicesDeleteTransport drops network.transport, which is not an
// attribute of the operation metric.
func slicesDeleteTransport(attrs []attribute.KeyValue) []attribute.KeyValue {
	out := attrs[:0]
	for _, a := range attrs {
		if a.Key != semconv.NetworkTransportKey {
			out = append(out, a)
		}
	}
	return out
}
