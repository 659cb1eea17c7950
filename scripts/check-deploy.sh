#!/usr/bin/env bash
# Checks the deployment recipes in deploy/ as far as a machine without a container engine can:
#
#   Containerfile   hadolint; a non-root final stage with only the binary and the site, a
#                   HEALTHCHECK on /readyz, ENV names the server reads, the Rust version of
#                   rust-toolchain.toml
#   compose.yaml    the Compose Specification's JSON schema (dclint); interpolation and references
#                   (docker-compose 1.29's `config`), including that it refuses to run without the
#                   secrets; then the resolved file against the rest: every variable given to
#                   the trazo image is one server/src/config.rs reads, TRUSTED_PROXIES is the
#                   proxy's address, the instances are the Caddyfile's upstreams and Prometheus's
#                   targets, they start after the migration, stop slower than SHUTDOWN_GRACE_SECS
#   Caddyfile       `caddy validate` and `caddy fmt`; health checks on /readyz; a body limit above
#                   the server's upload limit
#   trazo.service   `systemd-analyze verify` (any warning fails) and `systemd-analyze security`
#                   (exposure at most 2.0); its stop timeout above SHUTDOWN_GRACE_SECS
#   trazo.env.example  every setting config.rs reads and no other, no secret filled in
#   prometheus/, grafana/provisioning/  `promtool check config` (with the alert rules), YAML
#
# What it cannot do here: build the image or start the stack (no engine), or start the unit
# under systemd. Exits non-zero on any problem, after reporting them all. The tools come from
# scripts/setup-test.sh. DEPLOY_DIR=another/folder checks a copy (e.g. one broken on purpose).
set -euo pipefail
cd "$(dirname "$0")/.."

deploy=${DEPLOY_DIR:-deploy}
tools="$HOME/.cache/trazo/tools"
python="$tools/deploy-venv/bin/python"
hadolint="$tools/deploy-venv/bin/hadolint"
dclint="$tools/dclint/node_modules/.bin/dclint"

missing=()
for tool in "$python" "$hadolint" "$dclint"; do [ -x "$tool" ] || missing+=("$tool"); done
for tool in caddy docker-compose promtool systemd-analyze; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "check-deploy: missing ${missing[*]}: run scripts/setup-test.sh" >&2
  exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
problems=0
problem() {
  echo "PROBLEM: $*" >&2
  problems=$((problems + 1))
}
# Runs a command quietly; on failure prints what it said and counts a problem.
check() {
  local what=$1
  shift
  if ! "$@" >"$scratch/out" 2>&1; then
    cat "$scratch/out" >&2
    problem "$what"
  fi
}

# --- Containerfile -----------------------------------------------------------------------------
check "hadolint $deploy/Containerfile" "$hadolint" --no-color "$deploy/Containerfile"

# --- compose.yaml ------------------------------------------------------------------------------
# (In the background, the slowest checks at the same time; their results are read further down.)
# dclint validates against the Compose Specification's JSON schema, and lints. Its one error-level
# rule left out: the proxy must listen on every interface, as a public entry point does.
"$dclint" "$deploy/compose.yaml" -q --no-color --disable-rule no-unbound-port-interfaces \
  >"$scratch/dclint.out" 2>&1 &
dclint_pid=$!

# docker-compose 1.29 (Python, needs no engine for `config`) interpolates the file and checks its
# references (services, networks, volumes). It predates the top-level `name:`, so it reads a copy
# without that line. Run in an empty environment with placeholder secrets, then with none.
sed '/^name:/d' "$deploy/compose.yaml" >"$scratch/compose.yaml"
cat >"$scratch/compose.env" <<'EOF'
TRAZO_DOMAIN=trazo.example
SIGNING_KEY=placeholder-placeholder-placeholder-placeholder
PASSWORD_PEPPER=placeholder-placeholder-placeholder-placeholder
SMTP_URL=smtp://mail.example:587
MAIL_FROM=trazo <no-reply@trazo.example>
POSTGRES_PASSWORD=placeholder
REDIS_PASSWORD=placeholder
GRAFANA_ADMIN_PASSWORD=placeholder
EOF
: >"$scratch/empty.env"
compose() {
  env -i PATH=/usr/local/bin:/usr/bin:/bin docker-compose --project-directory "$deploy" \
    -f "$scratch/compose.yaml" --env-file "$1" config
}
compose "$scratch/compose.env" >"$scratch/resolved.yaml" 2>"$scratch/compose.out" &
compose_pid=$!
compose "$scratch/empty.env" >/dev/null 2>&1 &
unset_pid=$!

# --- Caddyfile ---------------------------------------------------------------------------------
# Validation provisions the config without serving (its health checker's first probes fail and
# are cancelled); Caddy's storage goes to the scratch folder.
caddy_env=(env TRAZO_DOMAIN=trazo.example HOME="$scratch" XDG_DATA_HOME="$scratch" XDG_CONFIG_HOME="$scratch")
check "caddy validate $deploy/Caddyfile" \
  "${caddy_env[@]}" caddy validate --adapter caddyfile --config "$deploy/Caddyfile"
if ! caddy fmt "$deploy/Caddyfile" | diff -u "$deploy/Caddyfile" - >"$scratch/out"; then
  cat "$scratch/out" >&2
  problem "$deploy/Caddyfile is not as \`caddy fmt\` writes it"
fi
if ! "${caddy_env[@]}" caddy adapt --adapter caddyfile --config "$deploy/Caddyfile" \
  >"$scratch/caddy.json" 2>"$scratch/out"; then
  : >"$scratch/caddy.json"
fi

# --- trazo.service -----------------------------------------------------------------------------
# `verify` refuses a unit whose ExecStart= binary is missing, and /opt/trazo/server is not
# installed here: it checks a copy with that path pointing at a stand-in executable. It reports
# unknown keys and bad values as warnings with exit status 0, so any output is a failure.
mkdir -p "$scratch/unit"
printf '#!/bin/sh\n' >"$scratch/unit/server"
chmod +x "$scratch/unit/server"
sed "s#/opt/trazo/server#$scratch/unit/server#g" "$deploy/trazo.service" >"$scratch/unit/trazo.service"
if ! systemd-analyze verify "$scratch/unit/trazo.service" >"$scratch/out" 2>&1 || [ -s "$scratch/out" ]; then
  cat "$scratch/out" >&2
  problem "systemd-analyze verify $deploy/trazo.service"
fi
# Exposure on systemd's 0-10 scale, times ten: at most 2.0 ("OK").
check "systemd-analyze security: $deploy/trazo.service exposes more than 2.0" \
  systemd-analyze security --offline=yes --threshold=20 --no-pager "$scratch/unit/trazo.service"

# --- Prometheus --------------------------------------------------------------------------------
check "promtool check config $deploy/prometheus/prometheus.yml" \
  promtool check config "$deploy/prometheus/prometheus.yml"

# --- compose.yaml, the results -----------------------------------------------------------------
if ! wait "$dclint_pid"; then
  cat "$scratch/dclint.out" >&2
  problem "dclint $deploy/compose.yaml"
fi
compose_resolved=$scratch/resolved.yaml
if ! wait "$compose_pid"; then
  cat "$scratch/compose.out" >&2
  problem "docker-compose config: $deploy/compose.yaml does not resolve"
  compose_resolved=""
fi
if wait "$unset_pid"; then
  problem "$deploy/compose.yaml resolves without any secret set (each should be \${VAR:?message})"
fi

# --- Consistency between the files and with the server -----------------------------------------
if ! "$python" - "$deploy" "$compose_resolved" "$scratch/caddy.json" <<'EOF'; then
import json
import re
import sys
from pathlib import Path

import yaml

deploy, resolved_path, caddy_path = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
problems = []
problem = problems.append

# What the server reads: every get("NAME") and positive("NAME", ...) in config.rs, and the
# settings listed in config/settings.rs where there is one (with their aliases, e.g. RUST_LOG,
# which are read when the main name is unset).
config_rs = Path("server/src/config.rs").read_text()
settings = set(re.findall(r'\b(?:get|positive)\("([A-Z][A-Z0-9_]*)"', config_rs))
aliases = {"LEPTOS_SITE_ADDR", "LEPTOS_SITE_ROOT", "RUST_LOG"}
settings_rs = Path("server/src/config/settings.rs")
if settings_rs.is_file():
    listed = settings_rs.read_text()
    settings |= set(re.findall(r'\bsetting\(\s*"([A-Z][A-Z0-9_]*)"', listed))
    for names in re.findall(r"aliases:\s*&\[([^\]]*)\]", listed):
        aliases |= set(re.findall(r'"([A-Z][A-Z0-9_]*)"', names))
settings |= aliases
if "SIGNING_KEY" not in settings or "DATABASE_URL" not in settings:
    sys.exit("check-deploy: cannot read the setting names from server/src/config.rs")
max_bytes = re.search(r'positive\("PREDICT_MAX_BYTES",\s*([0-9 *]+)\)', config_rs)
predict_max_bytes = eval(max_bytes.group(1)) if max_bytes else 1024 * 1024  # digits and * only

def duration_secs(text):
    """'40s', '2m', '1m30s', 40 -> seconds."""
    if isinstance(text, (int, float)):
        return float(text)
    total, found = 0.0, False
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", str(text)):
        total += float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
        found = True
    return total if found else None

# Containerfile: the final stage.
containerfile = (deploy / "Containerfile").read_text()
stages = re.split(r"(?im)^FROM\s", containerfile)
final = stages[-1]
joined = re.sub(r"\\\n", " ", final)
user = re.findall(r"(?im)^USER\s+(\S+)", joined)
if not user or user[-1].split(":")[0] in ("root", "0"):
    problem("Containerfile: the final stage does not switch to a non-root USER")
healthcheck = re.findall(r"(?im)^HEALTHCHECK\s.*", joined)
if not healthcheck or "/readyz" not in healthcheck[-1]:
    problem("Containerfile: no HEALTHCHECK on /readyz in the final stage")
copies = re.findall(r"(?im)^COPY\s+(.*)", joined)
if len(copies) != 2 or not all("--from=" in c for c in copies):
    problem(f"Containerfile: the final stage should copy only the binary and the site from the builder, not {copies}")
env_names = set()
for line in re.findall(r"(?im)^ENV\s+(.*)", joined):
    env_names.update(re.findall(r"([A-Z][A-Z0-9_]*)=", line))
for name in sorted(env_names - settings):
    problem(f"Containerfile: ENV {name} is not a setting server/src/config.rs reads")
for needed in ("BIND_ADDR", "SITE_ROOT", "TRAZO_ENV"):
    if needed not in env_names:
        problem(f"Containerfile: the final stage does not set {needed}")
toolchain = re.search(r'^channel\s*=\s*"([^"]+)"', Path("rust-toolchain.toml").read_text(), re.M)
rust_arg = re.search(r"(?m)^ARG\s+RUST_VERSION=(\S+)", containerfile)
if toolchain and (not rust_arg or rust_arg.group(1) != toolchain.group(1)):
    problem(f"Containerfile: ARG RUST_VERSION is not rust-toolchain.toml's {toolchain.group(1)}")

# trazo.env.example: every setting (set or commented out), nothing else, no secret filled in.
example = (deploy / "trazo.env.example").read_text()
example_values = dict(re.findall(r"(?m)^([A-Z][A-Z0-9_]*)=(.*)$", example))
example_names = set(re.findall(r"(?m)^#?\s*([A-Z][A-Z0-9_]*)=", example))
for name in sorted(example_names - settings):
    problem(f"trazo.env.example: {name} is not a setting server/src/config.rs reads")
for name in sorted(settings - aliases - example_names):
    problem(f"trazo.env.example: the setting {name} is missing")
for secret in ("SIGNING_KEY", "PASSWORD_PEPPER", "SMTP_URL"):
    if example_values.get(secret, "").strip():
        problem(f"trazo.env.example: {secret} must be left empty (no real secret in the repository)")
for name in ("TRAZO_ENV", "PUBLIC_ORIGIN", "SIGNING_KEY", "PASSWORD_PEPPER", "SMTP_URL", "MAIL_FROM", "DATABASE_URL", "SITE_ROOT"):
    if name not in example_values:
        problem(f"trazo.env.example: {name} is not set (uncommented)")
grace = float(example_values.get("SHUTDOWN_GRACE_SECS", 30))

# trazo.service against the env example.
unit = (deploy / "trazo.service").read_text()
directives = re.findall(r"(?m)^([A-Za-z]+)=(.*)$", unit)
values = {}
for key, value in directives:
    values.setdefault(key, []).append(value.strip())
if values.get("EnvironmentFile") != ["/etc/trazo/trazo.env"]:
    problem("trazo.service: EnvironmentFile is not /etc/trazo/trazo.env")
stop = duration_secs(values.get("TimeoutStopSec", ["90s"])[-1])
if stop is None or stop <= grace:
    problem(f"trazo.service: TimeoutStopSec must be above SHUTDOWN_GRACE_SECS ({grace:g} s)")
database = example_values.get("DATABASE_URL", "")
if database.startswith("sqlite://"):
    db_dir = str(Path(database[len("sqlite://"):].split("?")[0]).parent)
    writable = [path.lstrip("-") for value in values.get("ReadWritePaths", []) for path in value.split()]
    if db_dir not in writable:
        problem(f"trazo.service: the SQLite folder {db_dir} is not in ReadWritePaths=")
if values.get("User", ["root"])[-1] in ("root", "0"):
    problem("trazo.service: runs as root")

# Caddy, from its JSON form.
def find(node, key):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from find(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from find(item, key)

caddy = json.loads(caddy_path.read_text() or "{}")
proxies = [h for h in find(caddy, "handle") for h in h if h.get("handler") == "reverse_proxy"]
upstreams = sorted(u["dial"] for p in proxies for u in p.get("upstreams", []))
if not proxies:
    problem("Caddyfile: no reverse_proxy")
for p in proxies:
    active = p.get("health_checks", {}).get("active", {})
    if active.get("uri") != "/readyz":
        problem("Caddyfile: the reverse proxy's active health check is not on /readyz")
    transport = p.get("transport", {})
    for timeout in ("dial_timeout", "response_header_timeout"):
        if timeout not in transport:
            problem(f"Caddyfile: the reverse proxy sets no {timeout}")
body_limits = [h.get("max_size", 0) for h in find(caddy, "handle") for h in h if h.get("handler") == "request_body"]
if caddy and (not body_limits or min(body_limits) <= predict_max_bytes):
    problem(f"Caddyfile: request_body max_size must be above PREDICT_MAX_BYTES ({predict_max_bytes})")

# Prometheus targets.
prometheus = yaml.safe_load((deploy / "prometheus" / "prometheus.yml").read_text())
jobs = {job["job_name"]: job for job in prometheus.get("scrape_configs", [])}
targets = sorted(t for c in jobs.get("trazo", {}).get("static_configs", []) for t in c.get("targets", []))
if "trazo" not in jobs:
    problem('prometheus.yml: no scrape job "trazo" (the alert rules and the dashboard select it)')
for rules in prometheus.get("rule_files", []):
    if not (deploy / "prometheus" / rules).is_file():
        problem(f"prometheus.yml: rule file {rules} is not in {deploy}/prometheus")

# Grafana provisioning: YAML that Grafana's provisioning reads.
for path in sorted((deploy / "grafana" / "provisioning").rglob("*.yml")):
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict) or data.get("apiVersion") != 1:
        problem(f"{path}: not a Grafana provisioning file (apiVersion: 1)")

# The compose file, as docker-compose resolved it.
raw_compose = (deploy / "compose.yaml").read_text()
for secret in ("SIGNING_KEY", "PASSWORD_PEPPER", "SMTP_URL", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "GRAFANA_ADMIN_PASSWORD", "TRAZO_DOMAIN"):
    uses = re.findall(r"\$\{" + secret + r"([^}]*)\}", raw_compose)
    if not uses or any(not use.startswith(":?") for use in uses):
        problem(f"compose.yaml: every use of {secret} must be ${{{secret}:?message}}")
if resolved_path:
    resolved = yaml.safe_load(Path(resolved_path).read_text())
    services = resolved.get("services", {})
    image = re.search(r"\$\{TRAZO_IMAGE:-([^}]+)\}", raw_compose)
    trazo_image = image.group(1) if image else "trazo:latest"
    runs_trazo = {n: s for n, s in services.items() if s.get("image") == trazo_image}
    migrations = [n for n, s in runs_trazo.items() if s.get("command") == ["migrate"]]
    instances = sorted(n for n in runs_trazo if n not in migrations)
    if len(migrations) != 1:
        problem("compose.yaml: there should be one service running `server migrate`")
    if len(instances) < 2:
        problem(f"compose.yaml: fewer than two trazo instances ({instances})")
    proxy_addresses = [
        net.get("ipv4_address")
        for s in services.values()
        if "caddy" in str(s.get("image", ""))
        for net in (s.get("networks") or {}).values()
        if isinstance(net, dict) and net.get("ipv4_address")
    ]
    for name, service in runs_trazo.items():
        env = service.get("environment") or {}
        for key in sorted(set(env) - settings):
            problem(f"compose.yaml: {name} sets {key}, which server/src/config.rs does not read")
        if not str(env.get("DATABASE_URL", "")).startswith("postgres"):
            problem(f"compose.yaml: {name}'s DATABASE_URL is not PostgreSQL")
        if not env.get("REDIS_URL"):
            problem(f"compose.yaml: {name} has no REDIS_URL")
        if sorted(str(env.get("TRUSTED_PROXIES", "")).replace(" ", "").split(",")) != sorted(proxy_addresses):
            problem(f"compose.yaml: {name}'s TRUSTED_PROXIES is not the proxy's address {proxy_addresses}")
    instance_grace = grace
    for name in instances:
        service = services[name]
        depends = service.get("depends_on") or {}
        for migration in migrations:
            if (depends.get(migration) or {}).get("condition") != "service_completed_successfully":
                problem(f"compose.yaml: {name} does not wait for {migration} to complete successfully")
        if service.get("ports"):
            problem(f"compose.yaml: {name} publishes ports; only the proxy should")
        env_grace = float((service.get("environment") or {}).get("SHUTDOWN_GRACE_SECS", grace))
        stop = duration_secs(service.get("stop_grace_period", "10s"))
        if stop is None or stop <= env_grace:
            problem(f"compose.yaml: {name}'s stop_grace_period must be above SHUTDOWN_GRACE_SECS ({env_grace:g} s)")
    port = lambda n: f"{n}:3000"
    if caddy and upstreams != sorted(port(n) for n in instances):
        problem(f"Caddyfile upstreams {upstreams} are not the compose instances {instances}")
    if targets != sorted(port(n) for n in instances):
        problem(f"prometheus.yml targets {targets} are not the compose instances {instances}")
    for name in ("postgres", "redis"):
        if name in services and not services[name].get("healthcheck"):
            problem(f"compose.yaml: {name} has no healthcheck (the instances wait for it)")
    for name, service in services.items():
        for volume in service.get("volumes") or []:
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith("/") and not Path(source).exists():
                problem(f"compose.yaml: {name} mounts {source}, which does not exist")

for line in problems:
    print(f"PROBLEM: {line}", file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
  problem "the recipes disagree with each other or with the server (above)"
fi

if [ "$problems" -gt 0 ]; then
  echo "check-deploy: $problems problem(s) in $deploy" >&2
  exit 1
fi
echo "check-deploy: $deploy is valid (hadolint, dclint, docker-compose config, caddy, systemd-analyze, promtool; consistent with server/src/config.rs)"
