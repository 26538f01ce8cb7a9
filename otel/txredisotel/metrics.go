package txredisotel

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/txredis/txredis/conn"
)

// durationBuckets are the bucket boundaries, in seconds, the conventions
// advise for db.client.operation.duration; the connection times use them
// too.
var durationBuckets = []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}

// instruments are a Hook's metric instruments.
type instruments struct {
	duration   metric.Float64Histogram
	createTime metric.Float64Histogram
	waitTime   metric.Float64Histogram
	timeouts   metric.Int64Counter
	reconnects metric.Int64Counter

	// For ObserveStats.
	count   metric.Int64ObservableUpDownCounter
	waiting metric.Int64ObservableUpDownCounter
	max     metric.Int64ObservableUpDownCounter
	replies metric.Int64ObservableUpDownCounter
	dropped metric.Int64ObservableCounter
}

func (in *instruments) init(m metric.Meter) error {
	var err error
	seconds := func(name, desc string) metric.Float64Histogram {
		if err != nil {
			return nil
		}
		var h metric.Float64Histogram
		h, err = m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(durationBuckets...))
		return h
	}
	in.duration = seconds("db.client.operation.duration", "Duration of database client operations.")
	in.createTime = seconds("db.client.connection.create_time", "The time it took to create a new connection.")
	in.waitTime = seconds("db.client.connection.wait_time", "The time it took to obtain an open connection from the pool.")
	if err != nil {
		return err
	}
	if in.timeouts, err = m.Int64Counter("db.client.connection.timeouts", metric.WithUnit("{timeout}"),
		metric.WithDescription("The number of connection timeouts that have occurred trying to obtain a connection from the pool.")); err != nil {
		return err
	}
	if in.reconnects, err = m.Int64Counter("txredis.client.connection.reconnects", metric.WithUnit("{connection}"),
		metric.WithDescription("Connections back up after being lost.")); err != nil {
		return err
	}
	updown := func(name, unit, desc string) metric.Int64ObservableUpDownCounter {
		if err != nil {
			return nil
		}
		var c metric.Int64ObservableUpDownCounter
		c, err = m.Int64ObservableUpDownCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		return c
	}
	in.count = updown("db.client.connection.count", "{connection}", "The number of connections that are currently in state described by the state attribute.")
	in.waiting = updown("db.client.connection.pending_requests", "{request}", "The number of current pending requests for an open connection.")
	in.max = updown("db.client.connection.max", "{connection}", "The maximum number of open connections allowed.")
	in.replies = updown("txredis.client.replies.pending", "{reply}", "Replies awaited over the handle's connections.")
	if err != nil {
		return err
	}
	in.dropped, err = m.Int64ObservableCounter("txredis.client.pubsub.dropped", metric.WithUnit("{message}"),
		metric.WithDescription("Pub/sub messages dropped because the delivery buffer was full."))
	return err
}

// ObserveStats reports the counters of a handle (a pool, a ring, a
// cluster, a subscriber...: any conn.StatsSource) under the pool name
// name (db.client.connection.pool.name) each time the metrics are
// collected: db.client.connection.count by state (used: leased; idle:
// the other open connections), db.client.connection.pending_requests
// (lease requests waiting), db.client.connection.max (a pool's size),
// txredis.client.replies.pending and txredis.client.pubsub.dropped.
// Unregister the returned Registration when the handle is closed.
func (h *Hook) ObserveStats(name string, src conn.StatsSource) (metric.Registration, error) {
	poolName := semconv.DBClientConnectionPoolName(name)
	all := metric.WithAttributeSet(attribute.NewSet(poolName))
	idle := metric.WithAttributeSet(attribute.NewSet(poolName, semconv.DBClientConnectionStateIdle))
	used := metric.WithAttributeSet(attribute.NewSet(poolName, semconv.DBClientConnectionStateUsed))
	in := &h.inst
	return h.meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := src.Stats()
		busy := int64(s.Leased)
		o.ObserveInt64(in.count, max(int64(s.Open)-busy, 0), idle)
		o.ObserveInt64(in.count, busy, used)
		o.ObserveInt64(in.waiting, int64(s.Waiting), all)
		if s.PoolSize > 0 {
			o.ObserveInt64(in.max, int64(s.PoolSize), all)
		}
		o.ObserveInt64(in.replies, int64(s.Pending), all)
		o.ObserveInt64(in.dropped, int64(s.Dropped), all)
		return nil
	}, in.count, in.waiting, in.max, in.replies, in.dropped)
}
