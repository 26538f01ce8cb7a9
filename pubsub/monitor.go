package pubsub

import (
	"sync"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/deferred"
	"github.com/txredis/txredis/handle"
	"github.com/txredis/txredis/proto"
)

// Monitor is a connection in MONITOR mode (txredisapi's MonitorProtocol):
// every command the server processes is reported to a function as one
// line, through the same bounded buffer and overflow policy as a
// Subscriber's messages. After a lost connection it is redialled and
// MONITOR is sent again; lines from the gap are lost.
type Monitor struct {
	f    func(line string)
	buf  *buffer[string]
	stop chan struct{}

	// c is set once, on the connection's supervisor goroutine (which also
	// runs OnState) before the Monitor is handed out or run starts.
	c           *conn.Conn
	closeOnce   sync.Once
	disconnectD deferred.Deferred[struct{}]
}

// ConnectMonitor dials, sends MONITOR and fires with the Monitor once the
// server has accepted it; from then on f receives every line (such as
// `1700000000.123456 [0 127.0.0.1:5000] "SET" "k" "v"`) from one delivery
// goroutine, in order. Only the delivery fields of opts (BufferSize,
// Overflow, BlockTimeout) and its conn.Options apply.
func ConnectMonitor(opts Options, f func(line string)) *deferred.Deferred[*Monitor] {
	opts = opts.withDefaults()
	m := &Monitor{f: f, stop: make(chan struct{})}
	m.buf = newBuffer[string](opts, m.stop)
	co := opts.Options
	co.PubSub = true // a dedicated connection: MONITOR goes through
	co.OnPush = m.onPush
	user := co.OnState
	co.OnState = func(e conn.StateEvent) {
		if e.State == conn.StateConnected && m.c != nil { // a reconnect: monitor again
			handle.Request(m.c, proto.NewCmd("MONITOR"), proto.Value.AsString)
		}
		if user != nil {
			user(e)
		}
	}
	return deferred.Chain(conn.Connect(co), func(c *conn.Conn) *deferred.Deferred[*Monitor] {
		m.c = c
		go m.run()
		return deferred.Then(handle.Request(c, proto.NewCmd("MONITOR"), proto.Value.AsString),
			func(string) (*Monitor, error) { return m, nil }).
			Catch(func(err error) (*Monitor, error) {
				m.Disconnect()
				return nil, err
			})
	})
}

func (m *Monitor) onPush(v proto.Value) {
	if v.Kind == proto.SimpleString || v.Kind == proto.BulkString || v.Kind == proto.Verbatim {
		m.buf.put(v.Str)
	}
}

func (m *Monitor) run() {
	m.buf.run(func(line string) bool {
		m.f(line)
		return true
	})
	<-m.c.Disconnect().Done()
	m.disconnectD.Callback(struct{}{})
}

// Dropped returns how many lines were dropped because the buffer was full.
func (m *Monitor) Dropped() uint64 { return m.buf.dropped.Load() }

// Stats returns the delivery counters and the connection's.
func (m *Monitor) Stats() Stats { return m.buf.stats().Add(m.c.Stats()) }

// Stop ends monitoring (txredisapi's MonitorProtocol.stop): it is
// Disconnect.
func (m *Monitor) Stop() *deferred.Deferred[struct{}] { return m.Disconnect() }

// Disconnect stops delivery, closes the connection and fires once every
// goroutine of the monitor has ended. Lines still buffered are discarded.
// It is idempotent.
func (m *Monitor) Disconnect() *deferred.Deferred[struct{}] {
	m.closeOnce.Do(func() {
		close(m.stop)
		m.c.Disconnect()
	})
	return &m.disconnectD
}
