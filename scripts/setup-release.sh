#!/usr/bin/env bash
# Release builds shrink the WASM bundle with binaryen's wasm-opt. cargo-leptos would download
# it; instead it comes from the npm registry (binaryen ships wasm-opt as a Node program) into
# ~/.cache/trazo/tools, which the Makefile puts on PATH.
set -euo pipefail
BINARYEN_VERSION=123.0.0
tools="$HOME/.cache/trazo/tools"
if [ "$("$tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | awk '{print $3}')" != "${BINARYEN_VERSION%%.*}" ]; then
  echo "==> installing binaryen $BINARYEN_VERSION (wasm-opt) from npm"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null
fi
