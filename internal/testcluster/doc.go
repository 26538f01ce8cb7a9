// Package testcluster starts real Redis Cluster and Redis Sentinel
// deployments from redis-server on loopback ports, for tests.
//
// A Cluster is six nodes (three masters, three replicas) created with
// redis-cli --cluster create and a short node timeout, so that a killed
// master is replaced by its replica within a few seconds; Node.Freeze
// stops a node with SIGSTOP (it keeps its sockets but answers nothing)
// and Thaw resumes it. A Sentinel deployment is a master, two replicas
// and three sentinels monitoring "mymaster" with a quorum of two and a
// down-after of one second; Failover asks a chosen sentinel to lead a
// failover, Watch records what the sentinels publish, WaitNewMaster and
// Settle wait for a failover to complete (Settle makes the old master a
// replica at once, as the sentinels would some ten seconds later).
//
// Starting a cluster takes a few seconds, so a package shares one through
// Shared and stops it from TestMain with StopShared. Tests that kill or
// move things leave the cluster healthy again (WaitHealthy) before they
// end. As with testserver, a missing redis-server or redis-cli skips the
// test, or fails it when TXREDIS_REQUIRE_SERVER=1.
package testcluster
