#!/usr/bin/env bash
# Installs what building and serving trazo needs, skipping whatever is already there:
# the pinned Rust toolchain with the WASM target, cargo-leptos, and wasm-bindgen-cli at exactly
# the version in Cargo.lock. Safe to run again; quick when everything is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! command -v rustup >/dev/null 2>&1; then
  echo "rustup is needed to install Rust $TOOLCHAIN: see https://rustup.rs, then run this again." >&2
  exit 1
fi

if ! rustup toolchain list | grep -q "^$TOOLCHAIN-"; then
  say "installing Rust $TOOLCHAIN"
  rustup toolchain install "$TOOLCHAIN" --profile minimal \
    --component rustfmt,clippy --target wasm32-unknown-unknown
fi
installed_targets=$(rustup target list --installed --toolchain "$TOOLCHAIN")
grep -q wasm32-unknown-unknown <<<"$installed_targets" ||
  rustup target add wasm32-unknown-unknown --toolchain "$TOOLCHAIN"
installed_components=$(rustup component list --installed --toolchain "$TOOLCHAIN")
for component in rustfmt clippy; do
  grep -q "^$component" <<<"$installed_components" ||
    rustup component add "$component" --toolchain "$TOOLCHAIN"
done

# `cargo install --locked` can trip over a crate version the registry mirror lacks; then the
# install is retried with fresh resolution.
cargo_install() {
  cargo install --locked "$@" || cargo install "$@"
}

if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  # A debug build without debug info: its release profile is fat LTO with one codegen unit, and
  # debug info made the debug build 7 min 3 s against 5 min 12 s (2 cores, BENCHMARKS.md,
  # "First build").
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (a debug build: about 5 minutes, once)"
  CARGO_PROFILE_DEV_DEBUG=0 cargo_install --debug --force cargo-leptos --version "$CARGO_LEPTOS_VERSION"
fi

WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (the version in Cargo.lock)"
  cargo_install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# Old copies of build artifacts pile up in the shared target directory (each one a feature set
# or package selection built once); keep the newest eight of each so the disk never fills
# (scripts/prune-target.sh says why eight).
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target} scripts/prune-target.sh
