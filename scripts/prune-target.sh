#!/usr/bin/env bash
# Keeps the shared cargo target directory from filling the disk. Every build with a different
# set of features or packages leaves another copy of each affected artifact (a test binary of
# the server is over 1 GB); nothing ever removes the old ones. This keeps the newest KEEP
# (default 8) copies of each artifact per profile and the newest KEEP incremental caches per
# crate, and drops half-written temporaries. A pruned copy that is still needed is rebuilt.
#
# A group is an artifact's crate, version and kind: libsyn-<hash>.rlib of syn 2.0.100 and of
# syn 1.0.109 are different groups, each keeping its newest eight copies. The version comes
# from the artifact's dep-info file (<name>-<hash>.d lists the sources it was built from, under
# .../<crate>-<version>/). Grouping by file name alone (an earlier version of this script) put
# every syn in one group and deleted copies that were in use: cargo does not touch a fresh
# artifact, so the oldest by date are often the ones in use longest, and every `make test`
# re-checked what clippy had just checked.
# Eight, not four: one profile directory holds both what `cargo check`/clippy wrote (rmeta) and
# what a build wrote (rlib and rmeta), for each feature set a crate is built with (the server, the
# tests, the WASM's build scripts): 14 copies of syn's rmeta were seen in target/debug/deps, and
# after a prune to four a clippy run that had taken seconds took 10 minutes (2026-12-02, with a
# benchmark beside it). The target was 27 GB with eight.
# Run by `make run` and `make test` before they build; safe to run at any time no build runs.
set -euo pipefail

target=${CARGO_TARGET_DIR:-target}
keep=${KEEP:-8}
[ -d "$target" ] || exit 0

before=$(du -sk "$target" 2>/dev/null | cut -f1)

# Prints every path but the newest $keep in each group; input lines are "group<TAB>path",
# sorted newest first.
beyond_newest() {
  awk -F'\t' -v keep="$keep" '{ if (++seen[$1] > keep) print $2 }'
}

for dir in "$target"/*/deps "$target"/*/*/deps; do
  [ -d "$dir" ] || continue
  # Leftovers of an interrupted link (name.tmpXXXX) are never used again.
  find "$dir" -maxdepth 1 -name '*.tmp*' -mmin +60 -exec rm -rf {} +
  # name-<16 hex>[.ext]: the group is the name, the extension and the crate's source
  # directory (crate-version), read from the dep-info file of the same hash.
  (cd "$dir" && find . -maxdepth 1 -name '*.d' -type f -print0 |
    xargs -0 -r awk 'FNR == 1 {
      hash = FILENAME; sub(/^.*-/, "", hash); sub(/\.d$/, "", hash)
      n = split($2, part, "/"); crate = "?"
      for (i = n - 1; i > 0; i--) if (part[i] ~ /-[0-9]+\.[0-9]+\.[0-9]+/) { crate = part[i]; break }
      if (crate == "?") for (i = n - 1; i > 1; i--) if (part[i] == "src") { crate = part[i - 1]; break }
      print hash "\t" crate; nextfile }'; echo "end-of-versions") > "$dir/.versions.tmp"
  find "$dir" -maxdepth 1 -type f ! -name '.versions.tmp' -printf '%T@\t%f\n' |
    sort -rn | cut -f2 |
    sed -nE 's/^(.+)-([0-9a-f]{16})(\.[a-z]+)?$/\2\t\1\3\t&/p' |
    awk -F'\t' 'NR == FNR { if ($0 != "end-of-versions") version[$1] = $2; next }
      { print $2 "@" ($1 in version ? version[$1] : "?") "\t" $3 }' "$dir/.versions.tmp" - |
    beyond_newest | (cd "$dir" && xargs -r rm -f)
  rm -f "$dir/.versions.tmp"
done

for dir in "$target"/*/incremental "$target"/*/*/incremental; do
  [ -d "$dir" ] || continue
  find "$dir" -mindepth 1 -maxdepth 1 -type d -printf '%T@\t%f\n' |
    sort -rn | cut -f2 |
    sed -nE 's/^(.+)-[0-9a-z]+$/\1\t&/p' |
    beyond_newest | (cd "$dir" && xargs -r rm -rf)
done

after=$(du -sk "$target" 2>/dev/null | cut -f1)
printf 'target %s: %d MB, %d MB freed\n' "$target" $((after / 1024)) $(((before - after) / 1024))
