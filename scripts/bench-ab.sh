#!/usr/bin/env bash
# A/B of two trazo server binaries on this machine, alternating: each round starts each binary on
# its own throwaway Redis and SQLite file and drives GET /healthz, GET /api/me, cache hits and
# cache misses on end2end/fixtures/seven.png with wrk -t2 (scripts/bench/*.lua). One line per
# run: "A|B <what> <wrk RESULT JSON>". Compare rates within a round, or as fractions of the same
# run's /api/me when the host drifts (BENCHMARKS.md does both).
#
#   scripts/bench-ab.sh BINARY_A BINARY_B      # settings: SECS (10), ROUNDS (3), C connections (64)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${SECS:-10}; ROUNDS=${ROUNDS:-3}; C=${C:-64}
run_one() { # label bin
  local work rp port base spid
  work=$(mktemp -d); rp=$((20000 + RANDOM % 20000)); port=$((rp + 1))
  redis-server --port $rp --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --pidfile $work/redis.pid --dir $work --logfile $work/redis.log
  base=http://127.0.0.1:$port
  BIND_ADDR=127.0.0.1:$port PUBLIC_ORIGIN=$base SITE_ROOT=target/site DATABASE_URL=sqlite://$work/b.db REDIS_URL=redis://127.0.0.1:$rp \
    SIGNING_KEY=bench-0123456789abcdef0123456789abcdef PREDICT_PER_HOUR=1000000000 PREDICT_PER_DAY=1000000000 LOG_LEVEL=warn "$2" > $work/server.log 2>&1 &
  spid=$!
  for _ in $(seq 100); do curl -fsS -o /dev/null $base/readyz 2>/dev/null && break; sleep 0.2; done
  local cred='{"username":"benchuser","password":"correct horse battery staple"}'
  curl -fsS -o /dev/null -H 'content-type: application/json' -d "$cred" $base/api/register
  export TRAZO_TOKEN=$(curl -fsS -H 'content-type: application/json' -d "$cred" $base/api/login | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
  wrk -t2 -c16 -d3s -s scripts/bench/predict.lua $base/api/predict -- end2end/fixtures/seven.png hit w0 0 >/dev/null
  for path in /healthz /api/me; do
    echo "$1 $path $(TRAZO_AUTH=1 wrk -t2 -c$C -d${SECS}s -s scripts/bench/get.lua $base$path | sed -n 's/^RESULT //p')"
  done
  for m in hit miss; do
    echo "$1 $m $(wrk -t2 -c$C -d${SECS}s -s scripts/bench/predict.lua $base/api/predict -- end2end/fixtures/seven.png $m r$RANDOM 0 | sed -n 's/^RESULT //p')"
  done
  kill $spid; wait $spid 2>/dev/null || true; kill $(cat $work/redis.pid); sleep 0.5; rm -rf $work
}
for r in $(seq $ROUNDS); do
  run_one A "$1"
  run_one B "$2"
done
