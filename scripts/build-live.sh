#!/usr/bin/env bash
# Builds the live guess's WebAssembly module, the `trazo-live` crate (live/), into public/live/
# (not committed): trazo_live.js and trazo_live_bg.wasm, which the drawing page imports from
# /live/ once it is live (app/src/pages/draw/live.rs). public/ is the site's assets folder, so
# every `cargo leptos build` or `serve` copies it into target/site/live/ (cargo-leptos empties
# the site folder when it builds, so it could not be written there). Always optimised: it runs
# the model while people draw. `make run`, `make release` and `make test` run it before the
# site build; extra arguments go to cargo (`--locked`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$HOME/.cache/trazo/tools/node_modules/.bin:$PATH"

out=public/live
wasm="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/trazo_live.wasm"

cargo build -p trazo-live --lib --target wasm32-unknown-unknown --release "$@"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$work" "$wasm"
# binaryen's wasm-opt (scripts/setup-release.sh) when it is there, as for the page bundle; the
# features are those Rust enables for wasm32 by default.
if command -v wasm-opt >/dev/null; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-multivalue --enable-reference-types \
    -o "$work/opt.wasm" "$work/trazo_live_bg.wasm"
  mv "$work/opt.wasm" "$work/trazo_live_bg.wasm"
fi
mkdir -p "$out"
cp "$work/trazo_live_bg.wasm" "$work/trazo_live.js" "$out/"
printf 'live module: %s (%s bytes)\n' "$out/trazo_live_bg.wasm" "$(stat -c %s "$out/trazo_live_bg.wasm")"
