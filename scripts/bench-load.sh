#!/usr/bin/env bash
# Load benchmark of POST /api/predict with wrk against a release build: cache hits and misses
# at concurrency 16 and 64, the same while log-ins (argon2) run beside them, and both at about
# 80 % of their peak rate. Starts its own Redis and a server on a fresh SQLite file, stops them
# after, and prints a Markdown table for BENCHMARKS.md. `make bench-load` runs it.
#
# Settings (environment): DURATION seconds per run (20), PNG the upload (the 200x200 fixture),
# LOGIN_CONNECTIONS for the log-in load (4), BENCH_DATABASE_URL to measure against another
# database (e.g. a PostgreSQL started by pg_virtualenv) instead of a fresh SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/trazo/target}"

DURATION=${DURATION:-20}
PNG=${PNG:-end2end/fixtures/seven.png}
LOGIN_CONNECTIONS=${LOGIN_CONNECTIONS:-4}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    say "installing wrk from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "The benchmark needs wrk: sudo apt-get install wrk" >&2
    exit 1
  fi
fi

say "building the server (profile server-release)"
cargo build -p server --profile server-release --locked >&2
server_bin="$CARGO_TARGET_DIR/server-release/server"

work=$(mktemp -d)
redis_port=$(free_port)
port=$(free_port)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
base="http://127.0.0.1:$port"
# Limits far above what the runs send: this measures the service, not the quota.
BIND_ADDR="127.0.0.1:$port" PUBLIC_ORIGIN="$base" SITE_ROOT=target/site \
  DATABASE_URL="${BENCH_DATABASE_URL:-sqlite://$work/bench.db}" REDIS_URL="redis://127.0.0.1:$redis_port" \
  SIGNING_KEY="bench-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" \
  PREDICT_PER_HOUR=1000000000 PREDICT_PER_DAY=1000000000 LOG_LEVEL=warn \
  "$server_bin" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "$base/readyz" 2>/dev/null && break; sleep 0.2; done
curl -fsS "$base/readyz" >/dev/null || { cat "$work/server.log" >&2; exit 1; }

export TRAZO_USER=benchuser TRAZO_PASSWORD="correct horse battery staple"
credentials="{\"username\":\"$TRAZO_USER\",\"password\":\"$TRAZO_PASSWORD\"}"
curl -fsS -o /dev/null -H 'content-type: application/json' -d "$credentials" "$base/api/register"
TRAZO_TOKEN=$(curl -fsS -H 'content-type: application/json' -d "$credentials" "$base/api/login" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
export TRAZO_TOKEN

# wrk with two threads (one per core); prints the script's RESULT JSON.
predict() { # connections mode seconds [delay_ms]
  local delay=${4:-0}
  TRAZO_DELAY_MS=$delay wrk -t2 -c"$1" -d"$3"s --timeout 10s -s scripts/bench/predict.lua \
    "$base/api/predict" -- "$PNG" "$2" "run$RANDOM$RANDOM" "$delay" | sed -n 's/^RESULT //p'
}
logins() { # seconds
  wrk -t1 -c"$LOGIN_CONNECTIONS" -d"$1"s --timeout 10s -s scripts/bench/login.lua \
    "$base/api/login" | sed -n 's/^RESULT //p'
}
reference() { # path auth(0|1) seconds
  TRAZO_AUTH=$2 wrk -t2 -c16 -d"$3"s --timeout 10s -s scripts/bench/get.lua "$base$1" |
    sed -n 's/^RESULT //p'
}
field() { python3 -c "import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
row() { # label json [login json]
  python3 - "$@" <<'PY'
import json, sys
r = json.loads(sys.argv[2])
logins = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
extra = (f"{logins['rps']:.1f}/s, p50 {logins['p50_ms']:.0f} ms, p99 {logins['p99_ms']:.0f} ms"
         if logins else "-")
print(f"| {sys.argv[1]} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | "
      f"{r['p99_ms']:.2f} | {r['max_ms']:.1f} | {r['non2xx'] + r['socket_errors']} | {extra} |")
PY
}

say "warming up (model, caches, connections)"
predict 16 hit 3 >/dev/null
predict 16 miss 3 >/dev/null

rows=()
declare -A label=([hit]=hits [miss]=misses)

# References measured in the same sitting: the HTTP stack and middleware alone, and that plus
# authentication (token check and the one session query), so the table shows what each step adds.
say "reference: GET /healthz and GET /api/me, 16 connections"
rows+=("$(row "reference: GET /healthz, c16" "$(reference /healthz 0 "$DURATION")")")
rows+=("$(row "reference: GET /api/me (bearer), c16" "$(reference /api/me 1 "$DURATION")")")
declare -A peak=()
for mode in hit miss; do
  for connections in 16 64; do
    say "$mode, $connections connections, ${DURATION}s"
    result=$(predict "$connections" "$mode" "$DURATION")
    rows+=("$(row "cache ${label[$mode]}, c$connections" "$result")")
    rps=$(field "$result" rps)
    peak[$mode]=$(python3 -c "print(max(float('${peak[$mode]:-0}'), $rps))")
  done
done

for mode in hit miss; do
  say "$mode, 16 connections, with $LOGIN_CONNECTIONS connections logging in"
  logins "$DURATION" >"$work/logins.json" &
  login_pid=$!
  result=$(predict 16 "$mode" "$DURATION")
  wait "$login_pid"
  rows+=("$(row "cache ${label[$mode]}, c16, during log-ins" "$result" "$(cat "$work/logins.json")")")
done

# About 80 % of the peak: each of 16 connections pauses between requests. wrk's pause is
# whole milliseconds and comes on top of the response time, so one short run calibrates it.
for mode in hit miss; do
  target=$(python3 -c "print(0.8 * ${peak[$mode]})")
  delay=$(python3 -c "print(max(1, round(16000 / $target)))")
  probe=$(predict 16 "$mode" 5 "$delay")
  delay=$(python3 -c "
import json; r = json.loads('$probe')
print(max(1, round(16000 / $target - r['mean_ms'])))")
  say "$mode at ~80 % of ${peak[$mode]}/s: 16 connections, ${delay} ms pause"
  result=$(predict 16 "$mode" "$DURATION" "$delay")
  share=$(python3 -c "print(round(100 * $(field "$result" rps) / ${peak[$mode]}))")
  rows+=("$(row "cache ${label[$mode]} at ${share} % of peak (c16, ${delay} ms pause)" "$result")")
done

cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
echo
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $cpu, $(nproc) cores; commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes');"
database="a fresh SQLite file"
[ -n "${BENCH_DATABASE_URL:-}" ] && database="BENCH_DATABASE_URL (${BENCH_DATABASE_URL%%:*})"
echo "wrk 2 threads, ${DURATION} s per run, upload $PNG ($(stat -c %s "$PNG") bytes), database: $database."
echo
echo "| run | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors | log-ins beside it |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${rows[@]}"
