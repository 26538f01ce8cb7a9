#!/usr/bin/env bash
# Starts a redis-server on a free loopback port and runs the comparison
# matrix: getset at c = 1, 64, 512; pipeline and fire; plus
# redis-benchmark -P 100 for SET as the server's own ceiling. Prints one
# table with each client's ops/s and its ratio to the best peer.
#
# Environment: N (requests per getset run, default 200000), NBATCH
# (requests per pipeline and fire run, default 1000000, large enough that
# start-up costs do not dominate), RUNS (repetitions, the median is
# reported, default 3), CLIENTS, ADDR (use an existing server).
set -euo pipefail
cd "$(dirname "$0")"
N=${N:-200000}
NBATCH=${NBATCH:-1000000}
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-"txredis txredis-pool goredis rueidis redigo"}

go build -o ./bench .

if [ -z "${ADDR:-}" ]; then
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  DIR=$(mktemp -d)
  redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$DIR" \
    --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log"
  trap 'kill "$(cat "$DIR/redis.pid")" 2>/dev/null || true; rm -rf "$DIR"' EXIT
  for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  ADDR=127.0.0.1:$PORT
fi
HOST=${ADDR%:*}; PORT=${ADDR##*:}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run() { # client mode c -> median ops/s
  local n=$N
  [ "$2" = getset ] || n=$NBATCH
  for _ in $(seq "$RUNS"); do
    ./bench -client "$1" -mode "$2" -c "$3" -n "$n" -addr "$ADDR" | tail -1 | awk '{print $(NF-1)}'
  done | median
}

printf '%-10s %-6s' mode c
for cl in $CLIENTS; do printf ' %14s' "$cl"; done
printf ' %14s\n' "txredis/best"

for row in "getset 1" "getset 64" "getset 512" "pipeline 64" "fire 1"; do
  set -- $row
  mode=$1 c=$2
  printf '%-10s %-6s' "$mode" "$c"
  best=0 tx=0
  for cl in $CLIENTS; do
    v=$(run "$cl" "$mode" "$c")
    printf ' %14s' "$v"
    case $cl in
      txredis) tx=$v ;;
      txredis-pool) ;;
      *) best=$(awk -v a="$best" -v b="$v" 'BEGIN{print (b>a)?b:a}') ;;
    esac
  done
  awk -v t="$tx" -v b="$best" 'BEGIN{ if (b>0) printf " %13.2fx\n", t/b; else print "" }'
done

echo
echo "redis-benchmark -P 100 SET (server ceiling):"
redis-benchmark -h "$HOST" -p "$PORT" -t set -n "$NBATCH" -P 100 -q | tr '\r' '\n' | grep 'requests per second' | tail -1
