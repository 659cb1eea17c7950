#!/usr/bin/env bash
# Fails when `make run` and `make test` would build a crate with different features. cargo
# resolves features per build: `cargo test` adds what the tests' dev-dependencies turn on, and a
# crate whose feature list differs is a different artifact, so it and every crate above it are
# compiled twice (serde_json's float_roundtrip alone rebuilt Leptos, axum and sqlx). The server's
# Cargo.toml turns those features on for the normal build too ("One feature set" there); this
# compares what cargo resolves for the two (`cargo tree`, no build) and names what differs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

tree() { cargo tree --locked --prefix none --format '{p}|{f}' "$@"; }
# What `cargo leptos serve/build` builds for the host: the server binary, no default features
# (`bin-default-features = false` in Cargo.toml), and its build scripts.
tree -p server --no-default-features -e normal,build >"${TMPDIR:-/tmp}/features-run.$$"
# What scripts/test.sh builds: the same packages as its `cargo test`, dev-dependencies included.
tree -p app -p server -p trazo-model -p trazo-live -e normal,build,dev >"${TMPDIR:-/tmp}/features-test.$$"
trap 'rm -f "${TMPDIR:-/tmp}"/features-{run,test}.$$' EXIT

python3 - "${TMPDIR:-/tmp}/features-run.$$" "${TMPDIR:-/tmp}/features-test.$$" <<'PY'
import sys

def resolved(path):
    packages = {}
    for line in open(path):
        line = line.strip().replace(" (*)", "").replace(" (proc-macro)", "")
        if "|" in line:
            package, features = line.split("|", 1)
            packages.setdefault(package, set()).add(features)
    return packages

run, test = resolved(sys.argv[1]), resolved(sys.argv[2])
differ = [p for p in sorted(run) if p in test and run[p] != test[p]]
for package in differ:
    print(f"{package}\n  make run:  {' / '.join(sorted(run[package])) or '(none)'}"
          f"\n  make test: {' / '.join(sorted(test[package])) or '(none)'}")
if differ:
    print(f"\n{len(differ)} crates resolve to other features under `cargo test` than under "
          "`cargo leptos build`, so both builds compile them (and what depends on them): turn "
          "the test build's features on in server/Cargo.toml (\"One feature set\").")
    sys.exit(1)
print(f"one feature set: the {len(run)} crates of the server build resolve alike in the test build")
PY
