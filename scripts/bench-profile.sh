#!/usr/bin/env bash
# Where a prediction's time goes: perf record (call graphs, 8 s) and perf stat beside wrk -t2
# -cC for 10 s against BINARY on a throwaway Redis and SQLite file, cache hits or misses on
# end2end/fixtures/seven.png. Writes perf-MODE.data and stat-MODE.txt into OUT (.), prints
# wrk's result; read with `perf report -i perf-MODE.data --no-children --sort symbol`.
#
#   scripts/bench-profile.sh BINARY hit|miss      # settings: C connections (64), OUT
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$1; MODE=$2; C=${C:-64}; OUT=${OUT:-.}
command -v perf >/dev/null || { echo "needs perf (Debian: linux-perf)" >&2; exit 1; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
work=$(mktemp -d); rp=$(free_port); port=$(free_port)
redis-server --port $rp --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --pidfile $work/redis.pid --dir $work --logfile $work/redis.log
base=http://127.0.0.1:$port
BIND_ADDR=127.0.0.1:$port PUBLIC_ORIGIN=$base SITE_ROOT=target/site DATABASE_URL=sqlite://$work/b.db REDIS_URL=redis://127.0.0.1:$rp \
 SIGNING_KEY=bench-0123456789abcdef0123456789abcdef PREDICT_PER_HOUR=1000000000 PREDICT_PER_DAY=1000000000 LOG_LEVEL=warn $BIN > $work/server.log 2>&1 &
spid=$!
for _ in $(seq 100); do curl -fsS -o /dev/null $base/readyz 2>/dev/null && break; sleep 0.2; done
cred='{"username":"benchuser","password":"correct horse battery staple"}'
curl -fsS -o /dev/null -H 'content-type: application/json' -d "$cred" $base/api/register
export TRAZO_TOKEN=$(curl -fsS -H 'content-type: application/json' -d "$cred" $base/api/login | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
wrk -t2 -c16 -d3s -s scripts/bench/predict.lua $base/api/predict -- end2end/fixtures/seven.png $MODE w0 0 >/dev/null
(sleep 1; perf record -F 1999 -g -o $OUT/perf-$MODE.data -p $spid -- sleep 8 2>/dev/null) & ppid=$!
(sleep 1; perf stat -e task-clock,context-switches,page-faults -p $spid -- sleep 8 2> $OUT/stat-$MODE.txt) & spid2=$!
wrk -t2 -c$C -d10s -s scripts/bench/predict.lua $base/api/predict -- end2end/fixtures/seven.png $MODE r$RANDOM 0 | sed -n 's/^RESULT //p'
wait $ppid $spid2 || true
kill $spid; wait $spid 2>/dev/null || true; kill $(cat $work/redis.pid); rm -rf $work
