#!/usr/bin/env bash
# Installs what the tests need on top of scripts/setup.sh: Debian's chromium, redis-server and
# postgresql (for pg_virtualenv), Node.js, prometheus (for promtool, which checks the alerting
# rules), and the end-to-end suite's npm packages. Never lets Playwright download a browser: the
# suite drives Debian's /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v pg_virtualenv >/dev/null 2>&1 && [ -d /usr/lib/postgresql ] || missing+=(postgresql)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    say "installing ${missing[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "The tests need these Debian packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# promtool comes in Debian's prometheus package. Only the tool is wanted: not the recommended
# node exporter, and not a Prometheus server left running (its service is stopped and disabled).
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    say "installing prometheus (for promtool) from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    if [ -d /run/systemd/system ]; then systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
  else
    echo "The tests need promtool: sudo apt-get install --no-install-recommends prometheus" >&2
    exit 1
  fi
fi

# npm ci only when the lock file changed since the last install.
stamp=end2end/node_modules/.trazo-lock.sha256
lock_sum=$(sha256sum end2end/package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  say "installing the end-to-end suite's npm packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  echo "$lock_sum" >"$stamp"
fi
