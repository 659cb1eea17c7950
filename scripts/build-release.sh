#!/usr/bin/env bash
# The optimised build a host deploys (`make release`, deploy/Containerfile): the live guess's
# model module first (scripts/build-live.sh, into public/live/), then
# `cargo leptos build --release --split --lib-features=split`, which builds the server binary
# (profile server-release) and target/site (each page's WASM in a chunk of its own, shrunk by
# binaryen's wasm-opt from scripts/setup-release.sh; public/ copied in, live/ with it).
# `--locked` builds from Cargo.lock exactly. `--site-only` builds target/site and not the
# server binary (`make test`, whose end-to-end suite runs the debug binary its integration tests
# built: scripts/test.sh says why).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-release.sh
export PATH="$HOME/.cargo/bin:$HOME/.cache/trazo/tools/node_modules/.bin:$PATH"

live=() leptos=()
for arg in "$@"; do
  case $arg in
    --locked) live+=(--locked) leptos+=(--cargo-locked) ;;
    --site-only) leptos+=(--frontend-only) ;;
    *) echo "build-release: unknown argument $arg" >&2; exit 2 ;;
  esac
done
scripts/build-live.sh "${live[@]}"
cargo leptos build --release --split --lib-features=split "${leptos[@]}"
