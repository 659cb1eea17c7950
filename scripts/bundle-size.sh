#!/usr/bin/env bash
# What a browser downloads to show a trazo page, from the release build in target/site/pkg
# (`cargo leptos build --release --split --lib-features=split`): the main WASM bundle, its
# JavaScript glue, the style sheet, the split loader, and the WASM chunks of the page shown
# (each page's code is a chunk of its own: app/src/pages.rs).
# Sizes are `gzip -9` (as a server or CDN would send them), in KiB of 1024 bytes. Two budgets:
#   BUNDLE_BUDGET_KB       a first visit: no session yet, so the home page, log-in, sign-up or a
#                          page a mailed link opens, whichever downloads most (the other pages
#                          redirect to log-in before sending anything);
#   BUNDLE_PAGE_BUDGET_KB  any page, logged in: the largest of every page's own set.
# What a page fetches only once it is live (the home page's live-guess model, and a visitor's
# drawing tools) is reported apart, against a third budget:
#   BUNDLE_LATER_BUDGET_KB what the home page fetches after it is live, for a visitor.
# Fails if either is exceeded. Numbers and how they were reached: BENCHMARKS.md, "Bundle size".
set -euo pipefail
cd "$(dirname "$0")/.."

export BUNDLE_BUDGET_KB=${BUNDLE_BUDGET_KB:-400}
export BUNDLE_PAGE_BUDGET_KB=${BUNDLE_PAGE_BUDGET_KB:-550}
export BUNDLE_LATER_BUDGET_KB=${BUNDLE_LATER_BUDGET_KB:-512}
export BUNDLE_PKG=${SITE_ROOT:-target/site}/pkg

exec python3 - <<'PY'
import functools, glob, json, os, re, subprocess, sys

pkg = os.environ["BUNDLE_PKG"]
budget = int(os.environ["BUNDLE_BUDGET_KB"])
page_budget = int(os.environ["BUNDLE_PAGE_BUDGET_KB"])
later_budget = int(os.environ["BUNDLE_LATER_BUDGET_KB"])

# The lazily loaded functions of app/src/pages.rs (and the home page's drawing tools,
# app/src/pages/home.rs), by page. A new lazy function must be added here, to the page that
# loads it.
PAGES = {
    "home": ["home_page", "drawing_tools"],
    "login": ["login_route_view"],
    "register": ["register_route_view"],
    "account": ["account_route_view"],
    "admin": ["admin_route_view"],
    "admin/stats": ["admin_stats_route_view"],
    "history": ["history_route_view"],
    "forgot-password": ["forgot_password_route_view"],
    "reset-password": ["reset_password_route_view"],
    "confirm-email": ["confirm_email_route_view"],
}
# What someone without a session can see (the others redirect to /login first): the home page
# without its drawing tools, which a visitor's page fetches once it is live, and the pages a
# mailed link opens or that get a forgotten password back.
FIRST_VISIT = {
    "home": ["home_page"],
    "login": ["login_route_view"],
    "register": ["register_route_view"],
    "forgot-password": ["forgot_password_route_view"],
    "reset-password": ["reset_password_route_view"],
    "confirm-email": ["confirm_email_route_view"],
}
# Fetched by a page once it is live, never listed in it for preloading (app/src/pages/home.rs,
# app/src/pages/draw/live.rs): for a visitor the drawing tools, and for everyone the live
# guess's model, a WebAssembly module of its own outside pkg/ (scripts/build-live.sh).
LIVE = ["../live/trazo_live.js", "../live/trazo_live_bg.wasm"]
LATER = {
    "home (visitor)": (["home_page"], ["drawing_tools"]),
    "home (logged in)": (["home_page", "drawing_tools"], []),
}


def fail(message):
    print(f"bundle-size: {message}", file=sys.stderr)
    sys.exit(1)


@functools.cache
def sizes(name):
    path = os.path.join(pkg, name)
    if not os.path.isfile(path):
        fail(f"{path} is missing (build with `make release`: `cargo leptos build --release --split "
             f"--lib-features=split`, then scripts/build-live.sh)")
    gz = subprocess.run(["gzip", "-9", "-n", "-c", path], check=True, capture_output=True).stdout
    return os.path.getsize(path), len(gz)


def total(files):
    return sum(sizes(f)[0] for f in files), sum(sizes(f)[1] for f in files)


def row(label, raw, gz):
    print(f"  {label:<40} {raw:>10,} {gz:>10,}")


manifest_path = os.path.join(pkg, "__wasm_split_manifest.json")
if not os.path.isfile(manifest_path):
    fail(f"{manifest_path} is missing: the bundle was not split (build with --split --lib-features=split)")
loaders = sorted(os.path.basename(p) for p in glob.glob(os.path.join(pkg, "__wasm_split*.js")))
if not loaders:
    fail(f"{manifest_path} exists but no __wasm_split*.js loader beside it")
# What every page's <head> loads (HydrationScripts and the Stylesheet in app/src/lib.rs).
# wasm-bindgen's snippets (JavaScript a crate declares inline, such as the live guess's import of
# its module) are imported by trazo.js, so every page loads them too.
snippets = sorted(os.path.relpath(p, pkg) for p in glob.glob(os.path.join(pkg, "snippets", "**", "*.js"), recursive=True))
always = ["trazo.wasm", "trazo.js", "trazo.css"] + loaders + snippets
if sizes("trazo.wasm")[0] > 8 * 1024 * 1024:
    fail(f"{pkg}/trazo.wasm is over 8 MiB: a debug build? Measure a release build.")

print(f"{'':<42} {'bytes':>10} {'gzip -9':>10}")
print("every page:")
for name in always:
    row(name, *sizes(name))
row("(together)", *total(always))

# Each lazy function (`<name>_<hash>`) -> the chunk files it needs, its own and shared ones
# (named without their extension).
manifest = {
    re.sub(r"^_+|_[0-9]+$", "", fn_name): [f if f.endswith(".wasm") else f + ".wasm" for f in files]
    for fn_name, files in json.load(open(manifest_path)).items()
}
unknown = sorted(set(manifest) - {fn for fns in PAGES.values() for fn in fns}
                 - {fn for _, later in LATER.values() for fn in later})
if unknown:
    fail(f"lazy functions {unknown} are not in this script's PAGES: add each to its page")
print("chunks of each lazy function (its own and those it shares):")
for fn_name, files in sorted(manifest.items()):
    row(fn_name, *total(files))


def page_files(fns):
    return sorted(set(always) | {f for fn in fns for f in manifest.get(fn, [])})


def path(name):
    return "/" if name == "home" else f"/{name}"


print("each page, everything it downloads:")
for name, fns in PAGES.items():
    row(path(name), *total(page_files(fns)))

print("fetched once the page is live (not in the budgets above):")
row("the live guess's model (live/)", *total(LIVE))
later_most = 0
for name, (first, later) in LATER.items():
    before = set(page_files(first))
    extra = sorted(set(page_files(first + later)) - before) + LIVE
    raw, gz = total(extra)
    later_most = max(later_most, gz)
    row(name, raw, gz)

failed = []
if later_most > later_budget * 1024:
    failed.append(f"fetched once live: {later_most:,} bytes gzipped is over "
                  f"BUNDLE_LATER_BUDGET_KB={later_budget} KiB")
for label, pages, limit, var in [
    ("first visit (no session)", FIRST_VISIT, budget, "BUNDLE_BUDGET_KB"),
    ("any page (logged in)", PAGES, page_budget, "BUNDLE_PAGE_BUDGET_KB"),
]:
    name, raw, gz = max(((n, *total(page_files(fns))) for n, fns in pages.items()), key=lambda p: p[2])
    print(f"{label}: {path(name)} downloads the most, {gz:,} bytes gzipped "
          f"({(gz + 1023) // 1024} KiB; {var}={limit})")
    if gz > limit * 1024:
        failed.append(f"{label}: {gz:,} bytes gzipped is over {var}={limit} KiB ({limit * 1024:,} bytes)")
if failed:
    fail("FAILED: " + "; ".join(failed) + ". Find what grew with twiggy (BENCHMARKS.md, "
         "\"Bundle size\") before raising a budget.")
print("bundle-size: ok, within both budgets")
PY
