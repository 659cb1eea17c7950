# trazo: `make run` serves the app, `make test` runs every check. Both install what is missing.

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
# One target directory outside the clone, shared by every checkout and CI on this machine, so a
# fresh clone rebuilds only what changed.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/trazo/target

.PHONY: run test setup setup-test build release model bench-load bench-compare fuzz fmt lint clean-data

## Serve the app at http://127.0.0.1:3000 (SQLite under ./data, no other services needed).
run: setup
	scripts/build-live.sh
	cargo leptos serve

## Every check: formatting, lints, unit, integration and end-to-end tests.
test: setup setup-test
	scripts/test.sh

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup-test.sh

## Debug build of the server and the WASM front end.
build: setup
	scripts/build-live.sh
	cargo leptos build

## Optimised build for deployment: the binary and target/site, each page's WASM in a chunk of its
## own (`make test` builds the same site, without the binary, for its end-to-end suite).
release: setup
	scripts/build-release.sh

## Write model/src/generated/ (the network's Burn code and weights) from model/trazo-mnist.onnx
## with burn-onnx; run after replacing the ONNX file (builds refuse a stale one).
model: setup
	cargo run -p trazo-model-codegen --locked

## Load benchmark of /api/predict (wrk, release build; results in BENCHMARKS.md).
bench-load: setup
	scripts/bench-load.sh

## trazo against a FastAPI + ONNX Runtime peer on the same model (wrk; results in BENCHMARKS.md).
bench-compare: setup
	scripts/bench-compare.sh

## Fuzz image preprocessing: FUZZ_RUNS executions, 1,000,000 by default (results in BENCHMARKS.md).
fuzz:
	@scripts/fuzz.sh

fmt:
	cargo fmt --all

## Clippy as `make test` runs it (same packages and flags, so the two share build artifacts).
lint:
	cargo clippy -p app -p server -p trazo-model -p trazo-live --all-targets --locked -- -D warnings
	cargo clippy -p frontend -p trazo-live --target wasm32-unknown-unknown --locked -- -D warnings

## Remove the development database.
clean-data:
	rm -rf data
