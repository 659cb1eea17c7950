#!/usr/bin/env bash
# Checks the monitoring that ships in deploy/: the Prometheus alerting rules (promtool check
# rules, then their unit tests with promtool test rules), and the Grafana dashboard (valid JSON,
# uid "trazo", schemaVersion >= 36, the ${datasource} and instance variables, every panel on
# ${datasource} with a unit, every query valid PromQL). Exits non-zero on any problem. That the
# metrics they use exist is checked against the real /metrics by the server's integration test
# (server/tests/api/observability.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

rules=deploy/prometheus/alerts.yml
rule_tests=deploy/prometheus/alerts.test.yml
dashboard=deploy/grafana/trazo-dashboard.json

if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool is missing: run scripts/setup-test.sh (Debian package prometheus)" >&2
  exit 1
fi

promtool check rules "$rules"
promtool test rules "$rule_tests"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The dashboard's structure; its queries, with Grafana's variables replaced by values, written
# out as recording rules so that promtool parses them.
python3 - "$dashboard" "$scratch/dashboard-queries.yml" <<'EOF'
import json
import sys

path, queries_out = sys.argv[1], sys.argv[2]
problems = []
try:
    with open(path, encoding="utf-8") as f:
        dashboard = json.load(f)
except (OSError, ValueError) as e:
    sys.exit(f"{path}: {e}")

if dashboard.get("uid") != "trazo":
    problems.append(f'uid is {dashboard.get("uid")!r}, not "trazo"')
if not isinstance(dashboard.get("schemaVersion"), int) or dashboard["schemaVersion"] < 36:
    problems.append(f'schemaVersion {dashboard.get("schemaVersion")!r} is not >= 36')
if dashboard.get("id") is not None:
    problems.append("id must be null to import into any Grafana")

variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
datasource = variables.get("datasource")
if not datasource or datasource.get("type") != "datasource" or datasource.get("query") != "prometheus":
    problems.append("no template variable 'datasource' of type datasource for prometheus")
instance = variables.get("instance")
if not instance or instance.get("type") != "query":
    problems.append("no template variable 'instance' of type query")
elif (instance.get("datasource") or {}).get("uid") not in ("${datasource}", "$datasource"):
    problems.append("the instance variable does not query ${datasource}")

def all_panels(panels):
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels", []))

ids = set()
queries = []
for panel in all_panels(dashboard.get("panels", [])):
    title = panel.get("title", "?")
    if panel.get("id") in ids:
        problems.append(f"panel id {panel.get('id')} is used twice")
    ids.add(panel.get("id"))
    if "gridPos" not in panel:
        problems.append(f"panel {title!r} has no gridPos")
    if panel.get("type") == "row":
        continue
    if (panel.get("datasource") or {}).get("uid") not in ("${datasource}", "$datasource"):
        problems.append(f"panel {title!r} does not use ${{datasource}}")
    if "unit" not in panel.get("fieldConfig", {}).get("defaults", {}):
        problems.append(f"panel {title!r} has no unit")
    targets = panel.get("targets") or []
    if not targets:
        problems.append(f"panel {title!r} has no query")
    for target in targets:
        expr = (target.get("expr") or "").strip()
        if not expr:
            problems.append(f"panel {title!r} has a target without expr")
            continue
        for name, value in (("$__rate_interval", "5m"), ("$__interval", "1m"),
                            ("$__range", "1h"), ("${instance}", ".*"), ("$instance", ".*")):
            expr = expr.replace(name, value)
        if "$" in expr:
            problems.append(f"panel {title!r} uses an unknown variable: {expr}")
        queries.append((title, expr))

if len(queries) < 10:
    problems.append(f"only {len(queries)} queries in the dashboard")

with open(queries_out, "w", encoding="utf-8") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, (title, expr) in enumerate(queries):
        f.write(f"      # {title}\n      - record: dashboard:query_{i}\n")
        f.write(f"        expr: {json.dumps(expr)}\n")

for problem in problems:
    print(f"{path}: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"{path}: {len(queries)} queries in {len(ids)} panels")
EOF

echo "Checking the dashboard's queries"
promtool check rules "$scratch/dashboard-queries.yml" >"$scratch/promtool.log" 2>&1 || {
  cat "$scratch/promtool.log" >&2
  echo "$dashboard: a query is not valid PromQL (above; dashboard:query_N is the Nth target)" >&2
  exit 1
}
echo "  SUCCESS"
