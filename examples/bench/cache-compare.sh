#!/usr/bin/env bash
# Starts a redis-server on a free loopback port and compares client-side
# caching: txredis's cached views (a RESP3 connection in the default
# tracking mode, a pool of 4, a connection in BCAST mode) beside
# rueidis's DoCache (its defaults: OPTIN tracking, 128 MiB per
# connection; and BCAST), on the same keys.
#
# Hits: 1000 hot keys read from memory at c = 1 and 64 (reads/s and
# allocations per read; txredis/rueidis compares with the better of
# rueidis's two modes). Misses: cache-missget alternates uncached GETs
# and cached reads of keys read once (every one a miss, stored) in ten
# rounds within one process, and gives the ratio of their rates (1.00:
# a miss costs what an uncached GET does). Every run starts on a flushed
# server, so the server's tracking table (tracking-table-max-keys) never
# fills up. Runs are interleaved, RUNS rounds (default 5); the median is
# printed.
#
# Environment: NHIT (reads per hit run, default 2000000), NMISS (reads
# per miss run, default 100000), RUNS, CLIENTS, POOL (txredis-pool's
# connections, default 4), ADDR (use an existing
# server: it is flushed).
set -euo pipefail
cd "$(dirname "$0")"
NHIT=${NHIT:-2000000}
NMISS=${NMISS:-100000}
RUNS=${RUNS:-5}
CLIENTS=${CLIENTS:-"txredis txredis-pool txredis-bcast rueidis rueidis-bcast"}

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

OUT=$(mktemp)
for _ in $(seq "$RUNS"); do
  for c in 1 64; do
    for cl in $CLIENTS; do
      redis-cli -h "$HOST" -p "$PORT" flushall >/dev/null
      # "<client> cache-hit c=<C> n=<N>: <ops> ops/s, <allocs> allocs/op"
      ./bench -client "$cl" -pool "${POOL:-4}" -mode cache-hit -c "$c" -n "$NHIT" -addr "$ADDR" | tail -1 |
        awk -v cl="$cl" -v c="$c" '{print cl, "hit", c, $(NF-3), $(NF-1)}' >>"$OUT"
      redis-cli -h "$HOST" -p "$PORT" flushall >/dev/null
      # "<client> cache-missget c=<C> n=<N>: get <g> ops/s, miss <m> ops/s, miss/get <r>"
      ./bench -client "$cl" -pool "${POOL:-4}" -mode cache-missget -c "$c" -n "$NMISS" -addr "$ADDR" | tail -1 |
        awk -v cl="$cl" -v c="$c" '{print cl, "missget", c, $NF, $(NF-3), $(NF-6)}' >>"$OUT"
    done
  done
done

cell() { # client kind c field -> median
  awk -v cl="$1" -v k="$2" -v c="$3" -v f="$4" '$1==cl && $2==k && $3==c {print $f}' "$OUT" | median
}

echo "cache hits, reads/s:"
printf '%-4s' c
for cl in $CLIENTS; do printf ' %14s' "$cl"; done
printf ' %16s %10s\n' "txredis/rueidis" "allocs/op"
for c in 1 64; do
  printf '%-4s' "$c"
  for cl in $CLIENTS; do printf ' %14s' "$(cell "$cl" hit "$c" 4)"; done
  tx=$(cell txredis hit "$c" 4)
  ru=$( (cell rueidis hit "$c" 4; cell rueidis-bcast hit "$c" 4) | sort -n | tail -1)
  awk -v t="$tx" -v r="$ru" 'BEGIN{ if (r>0) printf " %15.2fx", t/r; else printf " %16s", "-" }'
  printf ' %10s\n' "$(cell txredis hit "$c" 5)"
done
echo
echo "cache misses: cached misses / uncached GETs (miss reads/s, get reads/s):"
printf '%-4s' c
for cl in $CLIENTS; do printf ' %26s' "$cl"; done
echo
for c in 1 64; do
  printf '%-4s' "$c"
  for cl in $CLIENTS; do
    printf ' %26s' "$(cell "$cl" missget "$c" 4)x ($(cell "$cl" missget "$c" 5), $(cell "$cl" missget "$c" 6))"
  done
  echo
done
rm -f "$OUT"
