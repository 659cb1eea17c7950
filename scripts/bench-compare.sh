#!/usr/bin/env bash
# trazo against a peer: the same digit API written the way a Python developer would, FastAPI +
# ONNX Runtime on trazo's own model (benchmarks/peer/), measured side by side with wrk on this
# machine. `make bench-compare` runs it.
#
# It creates (or reuses) the peer's venv, starts one throwaway Redis (trazo in database 0, the
# peer in database 1 under keys of its own), trazo's release server on a fresh SQLite file and
# the peer (uvicorn, one worker per core, ONNX Runtime with one thread each), signs a user up on
# each, then:
#   1. agreement: AGREE_IMAGES distinct MNIST test digits (half 28x28, half canvas-style) sent to
#      both must get the same digit on at least 99 % (also reported: identical 28x28 inputs);
#   2. throughput: wrk (2 threads) at each of CONNECTIONS, DURATION seconds a run, trazo and peer
#      in turn, for cache misses on 28x28 MNIST PNGs, cache misses on 280x280 canvas PNGs, and
#      cache hits (one canvas PNG); the best rate of each with its p50/p99;
#   3. latency at the same moderate load: 64 connections paced to MODERATE_SHARE % of the lower
#      of the two best rates (wrk's per-request pause, calibrated by a 5 s probe per side);
#   4. trazo's latency at OWN_SHARE % of its own best rate, paced the same way (the target:
#      p99 at most 20 ms at 80 %);
# and prints Markdown tables with the trazo / peer ratios.
#
# Images are cut at run time from the MNIST test set in MNIST_DIR into a temporary folder and
# deleted at the end (benchmarks/peer/bench/images.py says how the distinct variants are made).
#
# Settings (environment): DURATION seconds per run (15), CONNECTIONS ("16 64 256"),
# DIGIT_IMAGES (60000) and CANVAS_IMAGES (30000) distinct images for the miss runs, AGREE_IMAGES
# (500), MODERATE_SHARE (50), OWN_SHARE (80), MNIST_DIR (../shared/mnist, relative to the repository root),
# TRAZO_BIN (a server binary to use as it is; unset: build with cargo like bench-load.sh),
# PEER_VENV (~/.cache/trazo/peer-venv), KEEP_WORK=1 to keep the temporary folder and logs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/trazo/target}"

DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-16 64 256}
DIGIT_IMAGES=${DIGIT_IMAGES:-60000}
CANVAS_IMAGES=${CANVAS_IMAGES:-30000}
AGREE_IMAGES=${AGREE_IMAGES:-500}
MODERATE_SHARE=${MODERATE_SHARE:-50}
OWN_SHARE=${OWN_SHARE:-80}
MNIST_DIR=${MNIST_DIR:-../shared/mnist}
case "$MNIST_DIR" in /*) ;; *) MNIST_DIR="$root/$MNIST_DIR" ;; esac
PEER_VENV=${PEER_VENV:-$HOME/.cache/trazo/peer-venv}
peer_dir="$root/benchmarks/peer"
lua="$peer_dir/bench/predict.lua"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
apt_install() { # command package
  command -v "$1" >/dev/null 2>&1 && return
  if [ "$(id -u)" -eq 0 ]; then
    say "installing $2 from Debian"
    apt-get -o DPkg::Lock::Timeout=600 update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$2" >/dev/null
  else
    echo "The benchmark needs $2: sudo apt-get install $2" >&2
    exit 1
  fi
}
apt_install wrk wrk
apt_install redis-server redis-server

# The peer's venv: reused while requirements.txt is unchanged (a stamp holds its checksum).
stamp="$PEER_VENV/.trazo-requirements.sha256"
want=$(sha256sum "$peer_dir/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$PEER_VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing the peer's Python packages into $PEER_VENV"
  python3 -m venv "$PEER_VENV"
  "$PEER_VENV/bin/pip" install -q --disable-pip-version-check -r "$peer_dir/requirements.txt" >&2
  echo "$want" >"$stamp"
fi
py="$PEER_VENV/bin/python"

if [ -n "${TRAZO_BIN:-}" ]; then
  server_bin=$TRAZO_BIN
else
  say "building the server (profile server-release)"
  cargo build -p server --profile server-release --locked >&2
  server_bin="$CARGO_TARGET_DIR/server-release/server"
fi
[ -x "$server_bin" ] || { echo "no server binary at $server_bin" >&2; exit 1; }

work=$(mktemp -d)
redis_port=$(free_port)
trazo_port=$(free_port)
peer_port=$(free_port)
trazo_pid="" peer_pid=""
cleanup() {
  [ -n "$trazo_pid" ] && kill -TERM "$trazo_pid" 2>/dev/null && wait "$trazo_pid" 2>/dev/null || true
  [ -n "$peer_pid" ] && kill -TERM "$peer_pid" 2>/dev/null && wait "$peer_pid" 2>/dev/null || true
  [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

say "cutting images from the MNIST test set ($DIGIT_IMAGES 28x28, $CANVAS_IMAGES 280x280, $AGREE_IMAGES to agree)"
"$py" "$peer_dir/bench/images.py" "$MNIST_DIR" "$work/images" \
  --digits "$DIGIT_IMAGES" --canvases "$CANVAS_IMAGES" --agree "$AGREE_IMAGES" 2>"$work/images.log"
cat "$work/images.log" >&2

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log" --dir "$work"
trazo="http://127.0.0.1:$trazo_port"
peer="http://127.0.0.1:$peer_port"
# Limits far above what the runs send: this measures the service, not the quota.
BIND_ADDR="127.0.0.1:$trazo_port" PUBLIC_ORIGIN="$trazo" SITE_ROOT=target/site \
  DATABASE_URL="sqlite://$work/trazo.db" REDIS_URL="redis://127.0.0.1:$redis_port" \
  SIGNING_KEY="bench-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" \
  PREDICT_PER_HOUR=1000000000 PREDICT_PER_DAY=1000000000 LOG_LEVEL=warn \
  "$server_bin" >"$work/trazo.log" 2>&1 &
trazo_pid=$!
(cd "$peer_dir" && exec env PEER_SECRET="bench-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" \
  PEER_DATABASE="$work/peer.db" PEER_REDIS_URL="redis://127.0.0.1:$redis_port/1" \
  "$PEER_VENV/bin/uvicorn" app:app --host 127.0.0.1 --port "$peer_port" --workers "$(nproc)" \
  --no-access-log --log-level warning) >"$work/peer.log" 2>&1 &
peer_pid=$!
for _ in $(seq 1 150); do
  curl -fsS -o /dev/null "$trazo/readyz" 2>/dev/null && curl -fsS -o /dev/null "$peer/healthz" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null "$trazo/readyz" || { cat "$work/trazo.log" >&2; exit 1; }
curl -fsS -o /dev/null "$peer/healthz" || { cat "$work/peer.log" >&2; exit 1; }

credentials='{"username":"benchuser","password":"correct horse battery staple"}'
for base in "$trazo" "$peer"; do
  curl -fsS -o /dev/null -H 'content-type: application/json' -d "$credentials" "$base/api/register"
done
# A fresh access token (both services' last 15 minutes; every run logs in again).
token() {
  curl -fsS -H 'content-type: application/json' -d "$credentials" "$1/api/login" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

say "agreement: $AGREE_IMAGES images to both"
agreement=$(TRAZO_TOKEN=$(token "$trazo") PEER_TOKEN=$(token "$peer") \
  "$py" "$peer_dir/bench/agree.py" "$work/images/agree" "$trazo" "$peer" | sed -n 's/^RESULT //p')

declare -A base=([trazo]=$trazo [peer]=$peer)
declare -A file=([digits]="$work/images/digits.blob" [canvases]="$work/images/canvases.blob"
  [hit]="$work/images/hit.png")
declare -A wrkmode=([digits]=cycle [canvases]=cycle [hit]=hit)
declare -A label=([digits]="cache misses, 28x28 MNIST PNGs" [canvases]="cache misses, 280x280 canvas PNGs"
  [hit]="cache hits, one 280x280 canvas PNG")
busy_runs=0 runs=0
# wrk with two threads (one per core); prints the script's RESULT JSON.
predict() { # side mode connections seconds [delay_ms]
  local delay=${5:-0}
  runs=$((runs + 1))
  if pgrep -x rustc >/dev/null || pgrep -x clippy-driver >/dev/null || pgrep -x cargo-leptos >/dev/null; then
    busy_runs=$((busy_runs + 1))
  fi
  TRAZO_TOKEN=$(token "${base[$1]}") TRAZO_DELAY_MS=$delay wrk -t2 -c"$3" -d"$4"s --timeout 10s \
    -s "$lua" "${base[$1]}/api/predict" -- "${wrkmode[$2]}" "${file[$2]}" "run$RANDOM$RANDOM" 2 "$delay" |
    sed -n 's/^RESULT //p'
}
field() { python3 -c "import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M')
say "warming up (model, caches, connections)"
for side in trazo peer; do
  for mode in hit digits canvases; do predict "$side" "$mode" 16 3 >/dev/null; done
done

mkdir -p "$work/results"
modes=(digits canvases hit)
for mode in "${modes[@]}"; do
  for connections in $CONNECTIONS; do
    for side in trazo peer; do
      say "$side: ${label[$mode]}, $connections connections, ${DURATION}s"
      predict "$side" "$mode" "$connections" "$DURATION" >"$work/results/$mode-$side-c$connections.json"
    done
  done
done

# The same offered load for both: MODERATE_SHARE % of the lower best rate, on 64 connections
# that pause between requests. wrk's pause is whole milliseconds and comes on top of the
# response time, so a 5 s probe per side calibrates it (64 connections make each pause tens of
# milliseconds, so the whole-millisecond steps are a few per cent of the rate).
best() { # mode side -> best result's rps
  python3 - "$work/results" "$1" "$2" <<'PY'
import glob, json, sys
runs = [json.load(open(p)) for p in glob.glob(f"{sys.argv[1]}/{sys.argv[2]}-{sys.argv[3]}-c*.json")]
print(max(r["rps"] for r in runs))
PY
}
paced() { # side mode rate output: 64 connections offering about `rate` requests a second
  local delay probe
  delay=$(python3 -c "print(max(1, round(64000 / $3)))")
  probe=$(predict "$1" "$2" 64 5 "$delay")
  # Each connection's cycle is its pause plus the time the rest of a request takes.
  delay=$(python3 -c "print(max(1, round(64000 / $3 - (64000 / $(field "$probe" rps) - $delay))))")
  say "$1: ${label[$2]} at ~${3%.*}/s: 64 connections, ${delay} ms pause"
  predict "$1" "$2" 64 "$DURATION" "$delay" >"$4"
}
declare -A target=()
for mode in "${modes[@]}"; do
  target[$mode]=$(python3 -c "print($MODERATE_SHARE / 100 * min($(best "$mode" trazo), $(best "$mode" peer)))")
  for side in trazo peer; do
    paced "$side" "$mode" "${target[$mode]}" "$work/results/moderate-$mode-$side.json"
  done
done
# trazo's own latency target: p99 at OWN_SHARE % of its own best rate.
for mode in "${modes[@]}"; do
  paced trazo "$mode" "$(python3 -c "print($OWN_SHARE / 100 * $(best "$mode" trazo))")" \
    "$work/results/own-$mode-trazo.json"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
ended=$(date -u '+%H:%M')

cpu=$(lscpu | sed -n 's/^Model name:\s*//p' | head -1)
peer_versions=$("$py" -c 'import fastapi, onnxruntime, uvicorn, numpy, PIL, sys
print(f"Python {sys.version.split()[0]}, FastAPI {fastapi.__version__}, uvicorn {uvicorn.__version__}, ONNX Runtime {onnxruntime.__version__}, numpy {numpy.__version__}, Pillow {PIL.__version__}")')
echo
echo "Date: $started-$ended UTC; machine: $cpu, $(nproc) cores; load average $load_before before, $load_after after;"
echo "a compiler (rustc, clippy-driver or cargo-leptos) was running at the start of $busy_runs of $runs wrk runs."
if [ -n "${TRAZO_BIN:-}" ]; then
  built="the binary TRAZO_BIN=$TRAZO_BIN, written $(date -u -r "$server_bin" '+%Y-%m-%d %H:%M UTC')"
else
  built="built from commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' with uncommitted changes')"
fi
echo "trazo: $("$server_bin" --version 2>/dev/null | head -1), $built."
echo "peer: $peer_versions; $(nproc) uvicorn workers."
echo "$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), 2 threads, ${DURATION} s per run, connections $CONNECTIONS; $(redis-server --version | cut -d' ' -f1-3);"
echo "$DIGIT_IMAGES distinct 28x28 and $CANVAS_IMAGES distinct 280x280 images."
python3 - "$work/results" "$agreement" "$MODERATE_SHARE" "$CONNECTIONS" "$OWN_SHARE" <<'PY'
import glob, json, os, sys

folder, agreement, share, connections = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4].split()
own_share = sys.argv[5]
labels = {
    "digits": "cache misses, 28x28 MNIST PNGs",
    "canvases": "cache misses, 280x280 canvas PNGs",
    "hit": "cache hits, one 280x280 canvas PNG",
}
load = lambda name: json.load(open(os.path.join(folder, name)))
def errors(r):
    if not r["non2xx"] and not r["socket_errors"]:
        return "0"
    kinds = [f"{r[k]} {k}" for k in ("connect", "read", "write", "timeout") if r.get(k)]
    return f"{r['non2xx']} non-2xx" + "".join(", " + k for k in kinds)
print()
print(f"Agreement: {agreement['same_digit']}/{agreement['images']} images got the same digit "
      f"({100 * agreement['agreement']:.1f} %); {agreement['same_28x28']}/{agreement['images']} identical "
      f"28x28 model inputs; largest probability difference {agreement['max_probability_difference']:.1e}; "
      f"MNIST labels matched: trazo {100 * agreement['trazo_accuracy']:.1f} %, peer {100 * agreement['peer_accuracy']:.1f} %.")
print()
print("Best throughput of the connection sweep:")
print()
print("| workload | trazo req/s (conns) | trazo p50 / p99 ms | peer req/s (conns) | peer p50 / p99 ms | trazo / peer req/s |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for mode, label in labels.items():
    best = {}
    for side in ("trazo", "peer"):
        runs = [(int(c), load(f"{mode}-{side}-c{c}.json")) for c in connections]
        best[side] = max(runs, key=lambda cr: cr[1]["rps"])
    (tc, t), (pc, p) = best["trazo"], best["peer"]
    print(f"| {label} | {t['rps']:,.0f} (c{tc}) | {t['p50_ms']:.1f} / {t['p99_ms']:.1f} | "
          f"{p['rps']:,.0f} (c{pc}) | {p['p50_ms']:.1f} / {p['p99_ms']:.1f} | {t['rps'] / p['rps']:.2f}x |")
print()
print(f"At the same moderate load ({share} % of the lower best rate, 64 paced connections):")
print()
print("| workload | offered req/s | trazo req/s, p50 / p99 ms | peer req/s, p50 / p99 ms | trazo / peer p50 | trazo / peer p99 |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for mode, label in labels.items():
    t, p = load(f"moderate-{mode}-trazo.json"), load(f"moderate-{mode}-peer.json")
    offered = int(share) / 100 * min(
        max(load(f"{mode}-{side}-c{c}.json")["rps"] for c in connections) for side in ("trazo", "peer"))
    print(f"| {label} | {offered:,.0f} | {t['rps']:,.0f}, {t['p50_ms']:.2f} / {t['p99_ms']:.2f} | "
          f"{p['rps']:,.0f}, {p['p50_ms']:.2f} / {p['p99_ms']:.2f} | {t['p50_ms'] / p['p50_ms']:.2f}x | "
          f"{t['p99_ms'] / p['p99_ms']:.2f}x |")
print()
print(f"trazo at {own_share} % of its own best rate (64 paced connections; target p99 at most 20 ms):")
print()
print("| workload | offered req/s | trazo req/s | p50 / p90 / p99 ms | p99 at most 20 ms |")
print("| --- | ---: | ---: | ---: | --- |")
for mode, label in labels.items():
    t = load(f"own-{mode}-trazo.json")
    offered = int(own_share) / 100 * max(load(f"{mode}-trazo-c{c}.json")["rps"] for c in connections)
    print(f"| {label} | {offered:,.0f} | {t['rps']:,.0f} | {t['p50_ms']:.2f} / {t['p90_ms']:.2f} / "
          f"{t['p99_ms']:.2f} | {'yes' if t['p99_ms'] <= 20 else 'no'} |")
print()
print("Every run:")
print()
print("| workload | conns | trazo req/s | trazo p50 / p99 ms | errors | peer req/s | peer p50 / p99 ms | errors | trazo / peer |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
passes = 0.0
for mode, label in labels.items():
    for c in connections:
        t, p = load(f"{mode}-trazo-c{c}.json"), load(f"{mode}-peer-c{c}.json")
        if mode != "hit":
            passes = max(passes, t["passes"], p["passes"])
        print(f"| {label} | {c} | {t['rps']:,.0f} | {t['p50_ms']:.1f} / {t['p99_ms']:.1f} | {errors(t)} | "
              f"{p['rps']:,.0f} | {p['p50_ms']:.1f} / {p['p99_ms']:.1f} | {errors(p)} | {t['rps'] / p['rps']:.2f}x |")
print()
print(f"The miss runs went through at most {passes:.2f} of their distinct images "
      "(every upload also carries a unique suffix, so each is a cache miss even past 1).")
total_errors = sum(load(os.path.basename(p))["non2xx"] + load(os.path.basename(p))["socket_errors"]
                   for p in glob.glob(os.path.join(folder, "*.json")))
if total_errors:
    print(f"\n**{total_errors} requests failed (non-2xx or socket errors); see the errors columns.**")
PY
