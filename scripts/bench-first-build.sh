#!/usr/bin/env bash
# How long a fresh machine takes: the Quick start's two commands on a clone of HEAD with an empty
# HOME (so no Rust toolchain, cargo registry, cargo-leptos, wasm-bindgen-cli, target directory,
# npm or pip cache), timing `make run` until the first page answers, then `make test`. Debian
# packages already installed stay installed (apt-get is not undone). Prints one line per phase.
#
#   scripts/bench-first-build.sh [WORK_DIR]    # default /tmp/trazo-first-build; needs ~40 GB free
#
# rustup itself is copied from this machine's ~/.cargo/bin (the README's one prerequisite).
# KEEP_WORK=1 leaves WORK_DIR in place (its target directory is a warm one for this commit).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/trazo-first-build}
rustup_bin=$(command -v rustup || echo "$HOME/.cargo/bin/rustup")

if [ -e "$work" ]; then
  echo "$work exists: remove it or name another folder" >&2
  exit 2
fi
mkdir -p "$work/home"
cleanup() {
  [ -n "${server_pid:-}" ] && kill -- -"$server_pid" 2>/dev/null || true
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

# The clone sits where CI's does relative to the data: ../shared next to the repository.
git clone --quiet "$repo" "$work/trazo"
ln -s "$(cd "$repo/.." && pwd)/shared" "$work/shared"
cp "$rustup_bin" "$work/rustup-init"

# The rest of the environment is kept (a machine's proxy and CA settings are part of it: npm and
# pip fail without them); only what points at this machine's Rust set-up goes.
fresh() {
  env -u CARGO_TARGET_DIR -u CARGO_HOME -u RUSTUP_HOME -u RUSTUP_TOOLCHAIN HOME="$work/home" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
stamp() { date +%s; }
minutes() { awk -v s="$1" 'BEGIN { printf "%d min %02d s", s / 60, s % 60 }'; }

t0=$(stamp)
fresh "$work/rustup-init" -y --quiet --no-modify-path --default-toolchain none --profile minimal
t_rustup=$(stamp)

# Each line of output with the second it appeared, so the phases can be told apart.
stamped() { while IFS= read -r line; do printf '%(%s)T %s\n' -1 "$line"; done; }

# make run in the background, in its own process group; the first page is the clock's end.
cd "$work/trazo"
set -m
fresh make run 2>&1 | stamped >"$work/run.log" &
server_pid=$(ps -o pgid= "$!" | tr -d ' ')
set +m
until curl -fsS -o /dev/null http://127.0.0.1:3000/ 2>/dev/null; do
  if ! kill -0 -- -"$server_pid" 2>/dev/null; then
    tail -30 "$work/run.log"
    echo "make run stopped before serving" >&2
    exit 1
  fi
  sleep 2
done
t_run=$(stamp)
kill -- -"$server_pid" 2>/dev/null || true
wait 2>/dev/null || true
server_pid=""

status=0
fresh make test 2>&1 | stamped >"$work/test.log" || status=$?
status=$(( status || PIPESTATUS[0] ))
t_test=$(stamp)

# The phases: when each "==> ..." line of the scripts appeared, from the command's start.
phases() { # log start
  awk -v t0="$2" '/==> / { line = $0; sub(/^[0-9]+ /, "", line); gsub(/\033\[[0-9;]*m/, "", line)
                           d = $1 - t0; printf "  +%d:%02d %s\n", int(d / 60), d % 60, line }' "$1"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "commit: $(git -C "$work/trazo" rev-parse --short HEAD), $(date -u +%F)"
echo "rustup itself: $(minutes $((t_rustup - t0)))"
echo "make run to the first page: $(minutes $((t_run - t_rustup)))"
phases "$work/run.log" "$t_rustup"
echo "make test after it: $(minutes $((t_test - t_run))) (exit $status)"
phases "$work/test.log" "$t_run"
echo "logs (each line with the second it appeared): $work/run.log, $work/test.log"
[ "$status" = 0 ] || { tail -40 "$work/test.log"; KEEP_WORK=1; }
exit "$status"
