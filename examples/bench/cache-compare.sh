#!/usr/bin/env bash
# Starts a redis-server on a free loopback port and compares client-side
# caching: txredis's cached views (a RESP3 connection in the default
# tracking mode, a pool of 4, a connection in BCAST mode) beside
# rueidis's DoCache (its defaults: OPTIN tracking, 128 MiB per
# connection; and BCAST), on the same keys. Rows: cache-hit (1000 hot keys read from
# memory) at c = 1 and 64; cache-miss (every read a key read once, so
# every read misses and is stored) and cache-get (the same reads
# uncached) at c = 1 and 64. Every run starts on a flushed server, so the
# server's tracking table (tracking-table-max-keys) never fills up.
# Runs are interleaved, RUNS rounds (default 5); the median is printed.
#
# Environment: NHIT (reads per hit run, default 2000000), NMISS (reads
# per miss and get run, default 100000), RUNS, CLIENTS, ADDR (use an
# existing server: it is flushed).
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
  for row in "cache-hit 1" "cache-hit 64" "cache-miss 1" "cache-miss 64" "cache-get 1" "cache-get 64"; do
    set -- $row
    n=$NMISS
    [ "$1" = cache-hit ] && n=$NHIT
    for cl in $CLIENTS; do
      redis-cli -h "$HOST" -p "$PORT" flushall >/dev/null
      # "<client> <mode> c=<C> n=<N>: <ops> ops/s, <allocs> allocs/op"
      ./bench -client "$cl" -mode "$1" -c "$2" -n "$n" -addr "$ADDR" | tail -1 |
        awk -v cl="$cl" -v m="$1" -v c="$2" '{print cl, m, c, $(NF-3), $(NF-1)}' >>"$OUT"
    done
  done
done

cell() { # client mode c field(4 ops, 5 allocs) -> median
  awk -v cl="$1" -v m="$2" -v c="$3" -v f="$4" '$1==cl && $2==m && $3==c {print $f}' "$OUT" | median
}

printf '%-11s %-4s' mode c
for cl in $CLIENTS; do printf ' %14s' "$cl"; done
printf ' %16s %10s\n' "txredis/rueidis" "allocs/op"   # rueidis: the better of its two modes
for row in "cache-hit 1" "cache-hit 64" "cache-miss 1" "cache-miss 64" "cache-get 1" "cache-get 64"; do
  set -- $row
  printf '%-11s %-4s' "$1" "$2"
  for cl in $CLIENTS; do printf ' %14s' "$(cell "$cl" "$1" "$2" 4)"; done
  tx=$(cell txredis "$1" "$2" 4)
  ru=$( (cell rueidis "$1" "$2" 4; cell rueidis-bcast "$1" "$2" 4) | sort -n | tail -1)
  awk -v t="$tx" -v r="$ru" 'BEGIN{ if (r>0) printf " %15.2fx", t/r; else printf " %16s", "-" }'
  printf ' %10s\n' "$(cell txredis "$1" "$2" 5)"
done
for cl in txredis txredis-bcast; do
  for c in 1 64; do
    awk -v m="$(cell $cl cache-miss $c 4)" -v g="$(cell txredis cache-get $c 4)" -v c="$c" -v cl="$cl" \
      'BEGIN{ if (g>0) printf "%s miss path / uncached GET at c=%s: %.2fx\n", cl, c, m/g }'
  done
done
rm -f "$OUT"
