package conn

import (
	"time"

	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/internal/plumb"
	"github.com/txredis/txredis/proto"
)

// TTL replies for keys without an expiry and missing keys: TTL and PTTL
// fire with these instead of a duration.
const (
	NoExpiry time.Duration = -1 // the key exists and has no expiry
	NoKey    time.Duration = -2 // the key does not exist
)

// Exists fires with how many of keys exist (a key given twice counts
// twice).
func (c Commands) Exists(keys ...string) *deferred.Deferred[int64] {
	if len(keys) == 0 {
		return fail[int64]("EXISTS", "no keys given")
	}
	return request(c.s, withKeys("EXISTS", keys), asInt)
}

// Unlink deletes keys, reclaiming memory in the background, and fires with
// how many existed.
func (c Commands) Unlink(keys ...string) *deferred.Deferred[int64] {
	if len(keys) == 0 {
		return fail[int64]("UNLINK", "no keys given")
	}
	return request(c.s, withKeys("UNLINK", keys), asInt)
}

// Touch updates the last access time of keys and fires with how many
// exist.
func (c Commands) Touch(keys ...string) *deferred.Deferred[int64] {
	if len(keys) == 0 {
		return fail[int64]("TOUCH", "no keys given")
	}
	return request(c.s, withKeys("TOUCH", keys), asInt)
}

// Type fires with the type of the value at key ("string", "list", "set",
// "zset", "hash", "stream"; "none" when missing).
func (c Commands) Type(key string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("TYPE").Key(key), asString)
}

// Keys fires with the keys matching pattern, in no particular order.
func (c Commands) Keys(pattern string) *deferred.Deferred[[]string] {
	return request(c.s, proto.NewCmd("KEYS").Arg(pattern), asStrings)
}

// RandomKey fires with a random key; proto.ErrNil when the database is
// empty.
func (c Commands) RandomKey() *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("RANDOMKEY"), asString)
}

// Rename renames key to newKey and fires with "OK".
func (c Commands) Rename(key, newKey string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("RENAME").Key(key).Key(newKey), asString)
}

// RenameNX renames key to newKey when newKey does not exist and fires with
// true when it did so.
func (c Commands) RenameNX(key, newKey string) *deferred.Deferred[bool] {
	return request(c.s, proto.NewCmd("RENAMENX").Key(key).Key(newKey), asBool)
}

// Copy copies the value of src to dst and fires with true when copied;
// with replace, an existing dst is overwritten.
func (c Commands) Copy(src, dst string, replace bool) *deferred.Deferred[bool] {
	return c.CopyToDB(src, dst, -1, replace)
}

// CopyToDB is Copy into database db (db < 0: the current database).
func (c Commands) CopyToDB(src, dst string, db int64, replace bool) *deferred.Deferred[bool] {
	cmd := proto.NewCmd("COPY").Key(src).Key(dst)
	if db >= 0 {
		cmd.Arg("DB").Int(db)
	}
	if replace {
		cmd.Arg("REPLACE")
	}
	return request(c.s, cmd, asBool)
}

// Move moves key to database db and fires with true when moved.
func (c Commands) Move(key string, db int64) *deferred.Deferred[bool] {
	if db < 0 {
		return fail[bool]("MOVE", "negative database %d", db)
	}
	return request(c.s, proto.NewCmd("MOVE").Key(key).Int(db), asBool)
}

// Dump fires with the serialized value of key (binary, in a string);
// proto.ErrNil when missing.
func (c Commands) Dump(key string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("DUMP").Key(key), asString)
}

// RestoreArgs are the options of RESTORE.
type RestoreArgs struct {
	Replace  bool
	AbsTTL   bool          // ttl is a Unix time in milliseconds
	IdleTime time.Duration // set the object's idle time (whole seconds)
	Freq     int64         // set the object's LFU frequency, when > 0
}

// Restore creates key from a DUMP payload, expiring after ttl in
// milliseconds (0: never), and fires with "OK".
func (c Commands) Restore(key string, ttl time.Duration, serialized string, args RestoreArgs) *deferred.Deferred[string] {
	if ttl < 0 || args.IdleTime < 0 || args.Freq < 0 {
		return fail[string]("RESTORE", "negative ttl, idle time or frequency")
	}
	cmd := proto.NewCmd("RESTORE").Key(key).Int(int64(ttl / time.Millisecond)).Arg(serialized)
	if args.Replace {
		cmd.Arg("REPLACE")
	}
	if args.AbsTTL {
		cmd.Arg("ABSTTL")
	}
	if args.IdleTime > 0 {
		cmd.Arg("IDLETIME").Int(int64(args.IdleTime / time.Second))
	}
	if args.Freq > 0 {
		cmd.Arg("FREQ").Int(args.Freq)
	}
	return request(c.s, cmd, asString)
}

// MigrateArgs are the options of MIGRATE.
type MigrateArgs struct {
	Copy, Replace bool
	Password      string // AUTH password
	Username      string // with Password: AUTH2 username password
}

// Migrate moves keys to the server at host:port, database db, within
// timeout, and fires with "OK" ("NOKEY" when none existed).
func (c Commands) Migrate(host string, port int64, db int64, timeout time.Duration, args MigrateArgs, keys ...string) *deferred.Deferred[string] {
	if len(keys) == 0 {
		return fail[string]("MIGRATE", "no keys given")
	}
	cmd := proto.NewCmd("MIGRATE").Arg(host).Int(port)
	if len(keys) == 1 {
		cmd.Key(keys[0])
	} else {
		cmd.Arg("")
	}
	cmd.Int(db).Int(int64(timeout / time.Millisecond))
	if args.Copy {
		cmd.Arg("COPY")
	}
	if args.Replace {
		cmd.Arg("REPLACE")
	}
	switch {
	case args.Username != "":
		cmd.Arg("AUTH2").Arg(args.Username).Arg(args.Password)
	case args.Password != "":
		cmd.Arg("AUTH").Arg(args.Password)
	}
	if len(keys) > 1 {
		cmd.Arg("KEYS")
		for _, k := range keys {
			cmd.Key(k)
		}
	}
	return request(c.s, cmd, asString)
}

// ExpireArgs are the conditions of EXPIRE and friends (Redis 7): set the
// expiry only if the key has none (NX), has one (XX), or the new one is
// greater (GT) or less (LT). At most one may be set.
type ExpireArgs struct{ NX, XX, GT, LT bool }

func expireCmd(name, key string, n int64, a ExpireArgs) (*proto.Cmd, error) {
	k := 0
	for _, b := range []bool{a.NX, a.XX, a.GT, a.LT} {
		if b {
			k++
		}
	}
	if k > 1 {
		return nil, plumb.BadArgs(name, "at most one of NX, XX, GT and LT")
	}
	cmd := proto.NewCmd(name).Key(key).Int(n)
	switch {
	case a.NX:
		cmd.Arg("NX")
	case a.XX:
		cmd.Arg("XX")
	case a.GT:
		cmd.Arg("GT")
	case a.LT:
		cmd.Arg("LT")
	}
	return cmd, nil
}

func (c Commands) expire(name, key string, n int64, a ExpireArgs) *deferred.Deferred[bool] {
	cmd, err := expireCmd(name, key, n, a)
	if err != nil {
		return deferred.Fail[bool](err)
	}
	return request(c.s, cmd, asBool)
}

// Expire sets a time to live of ttl, in whole seconds, on key and fires
// with true when set (false: no such key).
func (c Commands) Expire(key string, ttl time.Duration) *deferred.Deferred[bool] {
	return c.ExpireWithArgs(key, ttl, ExpireArgs{})
}

// ExpireWithArgs is Expire under the condition of args.
func (c Commands) ExpireWithArgs(key string, ttl time.Duration, args ExpireArgs) *deferred.Deferred[bool] {
	if ttl%time.Second != 0 {
		return fail[bool]("EXPIRE", "ttl %v is not a whole number of seconds (use PExpire)", ttl)
	}
	return c.expire("EXPIRE", key, int64(ttl/time.Second), args)
}

// PExpire sets a time to live of ttl, in milliseconds, on key and fires
// with true when set.
func (c Commands) PExpire(key string, ttl time.Duration) *deferred.Deferred[bool] {
	return c.PExpireWithArgs(key, ttl, ExpireArgs{})
}

// PExpireWithArgs is PExpire under the condition of args.
func (c Commands) PExpireWithArgs(key string, ttl time.Duration, args ExpireArgs) *deferred.Deferred[bool] {
	return c.expire("PEXPIRE", key, int64(ttl/time.Millisecond), args)
}

// ExpireAt makes key expire at t (whole seconds) and fires with true when
// set.
func (c Commands) ExpireAt(key string, t time.Time) *deferred.Deferred[bool] {
	return c.expire("EXPIREAT", key, t.Unix(), ExpireArgs{})
}

// ExpireAtWithArgs is ExpireAt under the condition of args.
func (c Commands) ExpireAtWithArgs(key string, t time.Time, args ExpireArgs) *deferred.Deferred[bool] {
	return c.expire("EXPIREAT", key, t.Unix(), args)
}

// PExpireAt makes key expire at t (milliseconds) and fires with true when
// set.
func (c Commands) PExpireAt(key string, t time.Time) *deferred.Deferred[bool] {
	return c.expire("PEXPIREAT", key, t.UnixMilli(), ExpireArgs{})
}

// PExpireAtWithArgs is PExpireAt under the condition of args.
func (c Commands) PExpireAtWithArgs(key string, t time.Time, args ExpireArgs) *deferred.Deferred[bool] {
	return c.expire("PEXPIREAT", key, t.UnixMilli(), args)
}

// ExpireTime fires with the Unix time in seconds at which key expires, -1
// when it has no expiry and -2 when it does not exist.
func (c Commands) ExpireTime(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("EXPIRETIME").Key(key), asInt)
}

// PExpireTime is ExpireTime in milliseconds.
func (c Commands) PExpireTime(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("PEXPIRETIME").Key(key), asInt)
}

// TTL fires with the time to live of key, in whole seconds; NoExpiry or
// NoKey instead when it has none or does not exist.
func (c Commands) TTL(key string) *deferred.Deferred[time.Duration] {
	return request(c.s, proto.NewCmd("TTL").Key(key), asSecondsTTL)
}

// PTTL is TTL in milliseconds.
func (c Commands) PTTL(key string) *deferred.Deferred[time.Duration] {
	return request(c.s, proto.NewCmd("PTTL").Key(key), asMillisTTL)
}

// Persist removes the expiry of key and fires with true when it had one.
func (c Commands) Persist(key string) *deferred.Deferred[bool] {
	return request(c.s, proto.NewCmd("PERSIST").Key(key), asBool)
}

// ObjectEncoding fires with the internal encoding of the value at key
// ("listpack", "int"...); proto.ErrNil when missing.
func (c Commands) ObjectEncoding(key string) *deferred.Deferred[string] {
	return request(c.s, proto.NewCmd("OBJECT").Arg("ENCODING").Key(key), asString)
}

// ObjectFreq fires with the LFU access frequency of key (LFU policies only).
func (c Commands) ObjectFreq(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("OBJECT").Arg("FREQ").Key(key), asInt)
}

// ObjectIdleTime fires with how long key has not been accessed.
func (c Commands) ObjectIdleTime(key string) *deferred.Deferred[time.Duration] {
	return request(c.s, proto.NewCmd("OBJECT").Arg("IDLETIME").Key(key), asSecondsTTL)
}

// ObjectRefCount fires with the reference count of the value at key.
func (c Commands) ObjectRefCount(key string) *deferred.Deferred[int64] {
	return request(c.s, proto.NewCmd("OBJECT").Arg("REFCOUNT").Key(key), asInt)
}

// Wait blocks until the writes of this connection reach numReplicas
// replicas or timeout passes (0: forever), and fires with how many did.
// The command blocks its connection: pools lease one for it.
func (c Commands) Wait(numReplicas int64, timeout time.Duration) *deferred.Deferred[int64] {
	if numReplicas < 0 || timeout < 0 {
		return fail[int64]("WAIT", "negative replicas or timeout")
	}
	ms := int64(timeout / time.Millisecond)
	if timeout > 0 && ms == 0 {
		ms = 1 // 0 would mean "forever" to the server
	}
	cmd := proto.NewCmd("WAIT").Int(numReplicas).Int(ms)
	cmd.SetBlocking(time.Duration(ms) * time.Millisecond)
	return request(c.s, cmd, asInt)
}

// SortArgs are the options of SORT. Offset and Count are its LIMIT, with
// the rule of Limit: either may be given alone (Count alone: the first
// Count; Offset alone: all from Offset), none sends no LIMIT.
type SortArgs struct {
	By            string   // sort by the values of keys matching this pattern ("nosort" to skip)
	Offset, Count int64    // LIMIT offset count (see Limit)
	Get           []string // patterns of the values to return ("#" is the element)
	Desc          bool
	Alpha         bool // sort as strings
}

func sortCmd(name, key string, a SortArgs) (*proto.Cmd, error) {
	cmd := proto.NewCmd(name).Key(key)
	if a.By != "" {
		cmd.Arg("BY").Arg(a.By)
	}
	if err := appendLimit(name, cmd, a.Offset, a.Count); err != nil {
		cmd.Release()
		return nil, err
	}
	for _, g := range a.Get {
		cmd.Arg("GET").Arg(g)
	}
	if a.Desc {
		cmd.Arg("DESC")
	}
	if a.Alpha {
		cmd.Arg("ALPHA")
	}
	return cmd, nil
}

// Sort fires with the elements of the list, set or sorted set at key,
// sorted as args say (with Get patterns: the values they name, "" for a
// missing one).
func (c Commands) Sort(key string, args SortArgs) *deferred.Deferred[[]string] {
	cmd, err := sortCmd("SORT", key, args)
	if err != nil {
		return deferred.Fail[[]string](err)
	}
	return request(c.s, cmd, asStrings)
}

// SortRO is Sort as the read-only SORT_RO.
func (c Commands) SortRO(key string, args SortArgs) *deferred.Deferred[[]string] {
	cmd, err := sortCmd("SORT_RO", key, args)
	if err != nil {
		return deferred.Fail[[]string](err)
	}
	return request(c.s, cmd, asStrings)
}

// SortStore sorts as Sort does, stores the result in the list dst and
// fires with its length.
func (c Commands) SortStore(key, dst string, args SortArgs) *deferred.Deferred[int64] {
	cmd, err := sortCmd("SORT", key, args)
	if err != nil {
		return deferred.Fail[int64](err)
	}
	return request(c.s, cmd.Arg("STORE").Key(dst), asInt)
}
