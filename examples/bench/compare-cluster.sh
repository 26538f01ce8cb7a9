#!/usr/bin/env bash
# Starts a 3-master Redis Cluster on free loopback ports and compares
# txredis's cluster.Cluster with go-redis's ClusterClient and rueidis:
# getset from 64 goroutines (and C, if set), median of RUNS runs.
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-2s}
RUNS=${RUNS:-3}
C=${C:-64}
CLIENTS="txredis goredis rueidis"

go build -o ./bench .
DIR=$(mktemp -d)
ADDRS=()
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$DIR"; }
trap cleanup EXIT
for i in 1 2 3; do
  # The cluster bus listens on port+10000: pick a free port below 55535.
  PORT=$(python3 -c '
import random, socket
while True:
    p = random.randint(20000, 50000)
    try:
        for q in (p, p + 10000):
            s = socket.socket(); s.bind(("127.0.0.1", q)); s.close()
        print(p); break
    except OSError:
        pass')
  mkdir -p "$DIR/$i"
  redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$DIR/$i" \
    --cluster-enabled yes --cluster-config-file nodes.conf --daemonize no \
    --logfile "$DIR/$i/redis.log" &
  PIDS+=($!)
  ADDRS+=("127.0.0.1:$PORT")
done
for a in "${ADDRS[@]}"; do
  for _ in $(seq 50); do redis-cli -p "${a##*:}" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
redis-cli --cluster create "${ADDRS[@]}" --cluster-replicas 0 --cluster-yes >/dev/null
for _ in $(seq 100); do
  redis-cli -p "${ADDRS[0]##*:}" cluster info | grep -q 'cluster_state:ok' && break
  sleep 0.1
done
LIST=$(IFS=,; echo "${ADDRS[*]}")

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-10s %-6s' mode c
for cl in $CLIENTS; do printf ' %12s' "$cl"; done
printf ' %14s\n' "txredis/best"
printf '%-10s %-6s' getset "$C"
best=0 tx=0
for cl in $CLIENTS; do
  v=$(for _ in $(seq "$RUNS"); do
        ./bench -cluster -client "$cl" -mode getset -c "$C" -duration "$DURATION" -addr "$LIST" | tail -1 | sed 's/.*"ops_per_sec":\([0-9.]*\).*/\1/' 
      done | median)
  printf ' %12s' "$v"
  if [ "$cl" = txredis ]; then tx=$v; else best=$(awk -v a="$best" -v b="$v" 'BEGIN{print (b>a)?b:a}'); fi
done
awk -v t="$tx" -v b="$best" 'BEGIN{ if (b>0) printf " %13.2fx\n", t/b; else print "" }'
