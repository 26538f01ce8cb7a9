package txn_test

import (
	"testing"

	"github.com/txredis/txredis/conn"
	"github.com/txredis/txredis/internal/testserver"
	"github.com/txredis/txredis/internal/testutil"
)

// BenchmarkRealMultiCommit measures one MULTI, four queued INCRs and EXEC
// on a real server through a single connection.
func BenchmarkRealMultiCommit(b *testing.B) {
	srv := testserver.Start(b)
	c := testutil.Must(b, conn.Connect(conn.Options{Addr: srv.Addr()}))
	defer c.Disconnect()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tx := testutil.Must(b, c.Multi())
		for j := 0; j < 4; j++ {
			tx.Incr("n")
		}
		testutil.Must(b, tx.Commit())
	}
}

// BenchmarkRealPipeline16 measures a 16-command explicit pipeline on a
// real server through a single connection.
func BenchmarkRealPipeline16(b *testing.B) {
	srv := testserver.Start(b)
	c := testutil.Must(b, conn.Connect(conn.Options{Addr: srv.Addr()}))
	defer c.Disconnect()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p := c.Pipeline()
		for j := 0; j < 16; j++ {
			p.Incr("n")
		}
		testutil.Must(b, p.Execute())
	}
}
