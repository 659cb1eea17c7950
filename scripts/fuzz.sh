#!/usr/bin/env bash
# Fuzzes image preprocessing (fuzz/fuzz_targets/preprocess.rs) with cargo-fuzz and libFuzzer for
# a bounded number of executions, installing cargo-fuzz first if it is missing. Safe to run again:
# the corpus grown so far (fuzz/corpus/preprocess, not checked in) is reused, starting from the
# checked-in seeds (fuzz/seeds). A crash, a leak or an input over the memory limits stops the run
# with the input saved under fuzz/artifacts/preprocess/.
#
#   FUZZ_RUNS             executions (default 1000000; -1 runs until stopped)
#   FUZZ_MAX_LEN          longest input in bytes (default 16384)
#   FUZZ_RSS_LIMIT_MB     the whole fuzzer's resident memory, ASan's included (default 1024)
#   FUZZ_MALLOC_LIMIT_MB  the largest single allocation (default 128, preprocessing's own cap)
#   FUZZ_STRICT_MEMORY=1  also fail when preprocessing holds more heap than memory_needed said
#
# Extra arguments are passed to libFuzzer, e.g. `scripts/fuzz.sh -jobs=2`.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
export PATH="$HOME/.cargo/bin:$PATH"
# cargo-fuzz builds with -Z flags (sanitizer, coverage); the pinned stable toolchain accepts them
# with RUSTC_BOOTSTRAP, so no nightly toolchain is needed.
export RUSTC_BOOTSTRAP=1
# Instrumented artefacts live apart from the main build's (CARGO_TARGET_DIR in the Makefile).
FUZZ_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/trazo/fuzz-target}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION (about 2 minutes, once)"
  # --locked can trip over a crate version the registry mirror lacks; then resolve afresh.
  cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION" ||
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

command -v c++ >/dev/null 2>&1 || {
  echo "libFuzzer is compiled from C++ source: install a C++ compiler (apt-get install g++)." >&2
  exit 1
}

runs="${FUZZ_RUNS:-1000000}"
artifacts=fuzz/artifacts/preprocess
mkdir -p fuzz/corpus/preprocess "$artifacts"
export TRAZO_FUZZ_OVERSHOOT_DIR="$PWD/$artifacts/overshoot"
export TRAZO_FUZZ_STRICT_MEMORY="${FUZZ_STRICT_MEMORY:-0}"

say "fuzzing preprocess: $runs executions (the first build takes about 5 minutes)"
cargo fuzz run --fuzz-dir fuzz --target-dir "$FUZZ_TARGET_DIR" preprocess \
  fuzz/corpus/preprocess fuzz/seeds -- \
  -runs="$runs" \
  -max_len="${FUZZ_MAX_LEN:-16384}" \
  -rss_limit_mb="${FUZZ_RSS_LIMIT_MB:-1024}" \
  -malloc_limit_mb="${FUZZ_MALLOC_LIMIT_MB:-128}" \
  -dict=fuzz/preprocess.dict \
  -print_final_stats=1 \
  "$@"

say "corpus: $(find fuzz/corpus/preprocess -type f | wc -l) files," \
  "$(du -sb fuzz/corpus/preprocess | cut -f1) bytes in fuzz/corpus/preprocess"
