#!/usr/bin/env bash
# What a browser downloads on a first visit to trazo, from the release build in target/site/pkg
# (`cargo leptos build --release --split`): the main WASM bundle, its JavaScript glue, the style
# sheet and, when the bundle is split, the split loader and the WASM chunks of the page visited
# (every page's code is a chunk of its own, app/src/pages.rs; the page whose chunks are largest
# is counted, so the total holds for a first visit to any page). Prints each file raw and gzipped
# with `gzip -9` (as a server or CDN would send it) and fails if the gzipped total is over
# BUNDLE_BUDGET_KB (KiB of 1024 bytes). Numbers and how they were reached: BENCHMARKS.md,
# "Bundle size".
set -euo pipefail
cd "$(dirname "$0")/.."

export BUNDLE_BUDGET_KB=${BUNDLE_BUDGET_KB:-300}
export BUNDLE_PKG=${SITE_ROOT:-target/site}/pkg

exec python3 - <<'EOF'
import functools, glob, json, os, subprocess, sys

pkg = os.environ["BUNDLE_PKG"]
budget = int(os.environ["BUNDLE_BUDGET_KB"])


def fail(message):
    print(f"bundle-size: {message}", file=sys.stderr)
    sys.exit(1)


@functools.cache
def sizes(name):
    path = os.path.join(pkg, name)
    if not os.path.isfile(path):
        fail(f"{path} is missing (run `cargo leptos build --release --split` first)")
    gz = subprocess.run(["gzip", "-9", "-n", "-c", path], check=True, capture_output=True).stdout
    return os.path.getsize(path), len(gz)


def row(label, raw, gz):
    print(f"  {label:<44} {raw:>10,} {gz:>10,}")


# What every page's <head> loads (HydrationScripts and the Stylesheet in app/src/lib.rs).
always = ["trazo.wasm", "trazo.js", "trazo.css"]
manifest_path = os.path.join(pkg, "__wasm_split_manifest.json")
split = os.path.isfile(manifest_path)
if split:
    loaders = sorted(os.path.basename(p) for p in glob.glob(os.path.join(pkg, "__wasm_split*.js")))
    if not loaders:
        fail(f"{manifest_path} exists but no __wasm_split*.js loader beside it")
    always += loaders

if sizes("trazo.wasm")[0] > 8 * 1024 * 1024:
    fail(f"{pkg}/trazo.wasm is over 8 MiB: a debug build? Measure a release build.")

print(f"{'':<46} {'bytes':>10} {'gzip -9':>10}")
print("every page:")
total_raw = total_gz = 0
for name in always:
    raw, gz = sizes(name)
    total_raw += raw
    total_gz += gz
    row(name, raw, gz)

heaviest = None
if split:
    # Each lazily loaded function's name -> the chunk files it needs (its own and shared ones).
    manifest = json.load(open(manifest_path))
    print("chunks per lazy page or function (a page fetches its own):")
    for fn_name, files in sorted(manifest.items()):
        raw = sum(sizes(f)[0] for f in files)
        gz = sum(sizes(f)[1] for f in files)
        row(fn_name[:44], raw, gz)
        if heaviest is None or gz > heaviest[2]:
            heaviest = (fn_name, raw, gz)
    if heaviest:
        total_raw += heaviest[1]
        total_gz += heaviest[2]
        print(f"first visit = every page + the largest chunk set ({heaviest[0]})")

kib = (total_gz + 1023) // 1024
row("first visit, total", total_raw, total_gz)
print(f"  = {kib} KiB gzipped; budget {budget} KiB")
if total_gz > budget * 1024:
    fail(
        f"FAILED: a first visit downloads {total_gz:,} bytes gzipped, over the budget of "
        f"{budget} KiB ({budget * 1024:,} bytes). Find what grew with twiggy "
        "(BENCHMARKS.md, \"Bundle size\") before raising BUNDLE_BUDGET_KB."
    )
print(f"bundle-size: ok, within the budget of {budget} KiB")
EOF
