#!/usr/bin/env bash
# Runs every check trazo has: rustfmt, clippy (server and WASM), unit and integration tests
# against throwaway Redis and PostgreSQL instances, and the Playwright suite against the built
# app in Debian's headless Chromium. Stops what it started; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# The SMTP server the tests that send mail talk to: aiosmtpd, from scripts/setup-test.sh. The
# Rust integration tests start their own with this Python; the Playwright suite gets one below.
export TEST_SMTPD_PYTHON="$HOME/.cache/trazo/tools/mail-venv/bin/python"
if ! "$TEST_SMTPD_PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
  echo "aiosmtpd is missing ($TEST_SMTPD_PYTHON): run scripts/setup-test.sh" >&2
  exit 1
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for_port() {
  local port=$1
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing accepts connections on port $port" >&2
  return 1
}

wait_for_http() {
  local url=$1
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "$url did not answer" >&2
  return 1
}

# The second half runs inside pg_virtualenv, which creates a throwaway PostgreSQL cluster,
# exports PGHOST/PGPORT/PGUSER/PGPASSWORD for it, and drops it when the command exits.
if [ "${1:-}" = "--with-postgres" ]; then
  export TEST_POSTGRES_URL="postgres://${PGUSER}:${PGPASSWORD}@127.0.0.1:${PGPORT}/${PGDATABASE}"

  say "unit and integration tests"
  # In parallel: the stall that once made these run one at a time was Leptos's process-wide
  # "suppress resource loading" flag, raised whenever a router was built (one per test) while
  # other tests rendered pages (leptos-rs/leptos#4773); routes are now generated once per
  # process (server/src/routes.rs).
  # Tests whose pass lines are times, memory or exact counts under concurrency run afterwards,
  # alone and one at a time: on 2 cores, fifty other tests running beside them would be what
  # they measure (a Redis call past its 250 ms timeout falls back to per-instance counting).
  serial=(abuse:: two_hundred_simultaneous take_the_same_time spare_the_database)
  skips=()
  for name in "${serial[@]}"; do skips+=(--skip "$name"); done
  cargo test -p app -p server -p trazo-model -p trazo-live --locked -- "${skips[@]}"

  say "abuse suite and timing tests (one at a time; the abuse suite attacks the real binary)"
  # The same packages as above, so dependencies keep the features they were built with there
  # (`-p server` alone unifies features differently and rebuilt Burn and more a second time).
  cargo test -p app -p server -p trazo-model -p trazo-live --test api --locked -- \
    --test-threads=1 "${serial[@]}"

  say "end-to-end tests (Playwright, Debian Chromium, against the release site)"
  port=$(free_port)
  e2e_dir=$(mktemp -d)
  server_pid=""
  smtpd_pid=""
  stop_e2e() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" || true; fi
    if [ -n "$smtpd_pid" ]; then kill -TERM "$smtpd_pid" 2>/dev/null && wait "$smtpd_pid" || true; fi
    rm -rf "$e2e_dir"
  }
  trap stop_e2e EXIT
  # The mail server trazo sends to: every message it takes becomes a file in a maildir
  # ($E2E_MAILDIR/new/), where the suite reads the links in them (end2end/tests/mail.spec.ts).
  smtp_port=$(free_port)
  while [ "$smtp_port" = "$port" ]; do smtp_port=$(free_port); done
  export E2E_MAILDIR="$e2e_dir/maildir"
  "$TEST_SMTPD_PYTHON" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" \
    -c aiosmtpd.handlers.Mailbox "$E2E_MAILDIR" >"$e2e_dir/smtpd.log" 2>&1 &
  smtpd_pid=$!
  wait_for_port "$smtp_port" || { cat "$e2e_dir/smtpd.log"; exit 1; }
  # The server binary the integration tests above ran (the debug build, with the same features
  # as `make run`'s: scripts/check-features.sh) serving the release site built above.
  server_bin="${CARGO_TARGET_DIR:-target}/debug/server"
  export E2E_ADMIN_USER=e2eadmin
  E2E_ADMIN_PASSWORD="admin-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  export E2E_ADMIN_PASSWORD
  # The admin is created the way an operator would: the password on standard input.
  printf '%s\n' "$E2E_ADMIN_PASSWORD" |
    DATABASE_URL="sqlite://$e2e_dir/e2e.db" "$server_bin" create-admin "$E2E_ADMIN_USER"
  # Every browser comes from 127.0.0.1, so the per-address limits on sign-ups, log-ins and
  # password checks in flight are raised here (the abuse suite tests them).
  BIND_ADDR="127.0.0.1:$port" \
    PUBLIC_ORIGIN="http://127.0.0.1:$port" \
    SITE_ROOT=target/site \
    DATABASE_URL="sqlite://$e2e_dir/e2e.db" \
    REDIS_URL="$TEST_REDIS_URL" \
    SIGNUPS_PER_HOUR=1000 \
    AUTH_IN_FLIGHT_PER_ADDRESS=1000 \
    LOGIN_FAILURES_PER_ADDRESS=100000 \
    AUTH_QUEUE=1000 \
    PREDICT_PER_HOUR=5 \
    SMTP_URL="smtp://127.0.0.1:$smtp_port" \
    MAIL_FROM="trazo <trazo@example.test>" \
    LOG_LEVEL=warn \
    "$server_bin" >"$e2e_dir/server.log" 2>&1 &
  server_pid=$!
  wait_for_http "http://127.0.0.1:$port/readyz" || { cat "$e2e_dir/server.log"; exit 1; }
  status=0
  (cd end2end && PLAYWRIGHT_BASE_URL="http://127.0.0.1:$port" npx playwright test) || status=$?
  if [ "$status" -ne 0 ]; then
    echo "--- server log ---"
    tail -50 "$e2e_dir/server.log"
    echo "--- SMTP server log ---"
    tail -20 "$e2e_dir/smtpd.log"
  fi
  exit "$status"
fi

say "rustfmt"
cargo fmt --all --check

say "clippy (server, with tests)"
cargo clippy -p app -p server -p trazo-model -p trazo-live --all-targets --locked -- -D warnings

say "clippy (WASM front end)"
cargo clippy -p frontend -p trazo-live --target wasm32-unknown-unknown --locked -- -D warnings

say "one feature set (make run and make test build each dependency once)"
scripts/check-features.sh

say "deployment recipes"
scripts/check-deploy.sh

say "monitoring rules and dashboard"
scripts/check-monitoring.sh

say "building the release site (the split WASM bundle a host serves)"
# What browsers get is what is deployed: the Playwright suite below runs against this site, with
# the bundle-size budgets checked on it. `--split` puts each page's code in a WASM chunk of its
# own (app/src/pages.rs); wasm-opt comes from scripts/setup-release.sh. The live guess's model, a
# WebAssembly module of its own (live/), comes first: the site build copies it from public/live/
# into target/site/live/.
# The server binary that serves it is the debug one the integration tests build: the same
# source and features as the release binary (server-release differs in optimisation only, and
# unsafe code is forbidden), so a second, optimised build of ~500 crates here would test
# nothing more; it took 5 min 22 s of a warm run after a server change (BENCHMARKS.md, "Build
# time of the release step"). `make release` and the container build it.
scripts/build-release.sh --locked --site-only

say "bundle size (what a first visit downloads, gzipped, against its budget)"
scripts/bundle-size.sh

say "starting a throwaway Redis"
redis_dir=$(mktemp -d)
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize yes --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log" --dir "$redis_dir"
stop_redis() {
  [ -f "$redis_dir/redis.pid" ] && kill "$(cat "$redis_dir/redis.pid")" 2>/dev/null || true
  rm -rf "$redis_dir"
}
trap stop_redis EXIT
export TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

say "starting a throwaway PostgreSQL"
# As root, pg_virtualenv keeps its cluster in the system's place (/etc/postgresql/<v>/regress)
# and refuses to start when one is there. A run that was killed (a timeout, a session cut off)
# never dropped its own, and every run after it failed here ("Cluster 15/regress exists,
# refusing to overwrite"). pg_virtualenv marks the clusters it makes with .by_pg_virtualenv;
# those are throwaways by definition, so a stale one is dropped first. An unmarked "regress"
# cluster is someone's own and is left alone (pg_virtualenv then says so and stops).
if [ "$(id -u)" = 0 ]; then
  for conf in /etc/postgresql/*/regress; do
    [ -f "$conf/.by_pg_virtualenv" ] || continue
    version=$(basename "$(dirname "$conf")")
    echo "dropping the throwaway cluster $version/regress an earlier run left behind"
    pg_ctlcluster --mode immediate "$version" regress stop 2>/dev/null || true
    pg_dropcluster "$version" regress 2>/dev/null || true
    rm -f "$conf/.by_pg_virtualenv"
    rmdir "$conf" 2>/dev/null || true
  done
fi
pg_virtualenv "$0" --with-postgres
