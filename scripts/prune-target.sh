#!/usr/bin/env bash
# Keeps the shared cargo target directory from filling the disk. Every build with a different
# set of features or packages leaves another copy of each affected artifact (a test binary of
# the server is over 1 GB); nothing ever removes the old ones. This keeps the newest KEEP
# (default 4) copies of each artifact per profile and the newest KEEP incremental caches per
# crate, and drops half-written temporaries. A pruned copy that is still needed is rebuilt.
#
# Four rather than two: with two, every `make test` deleted clippy's copies (cargo does not
# touch a fresh artifact, so the oldest by date are the ones in use longest) and spent 15
# minutes re-checking them. Four is still not enough: a group is a crate's file name without
# its version (libsyn-<hash>.rlib holds syn 2 and syn 3, each in several feature sets), so copies
# in use are still dropped. Grouping by version too, or pruning by access time, is the fix.
# Run by `make run` and `make test` before they build; safe to run at any time no build runs.
set -euo pipefail

target=${CARGO_TARGET_DIR:-target}
keep=${KEEP:-4}
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
  # name-<16 hex>[.ext]: the group is the name and the extension.
  find "$dir" -maxdepth 1 -type f -printf '%T@\t%f\n' |
    sort -rn | cut -f2 |
    sed -nE 's/^(.+)-[0-9a-f]{16}(\.[a-z]+)?$/\1\2\t&/p' |
    beyond_newest | (cd "$dir" && xargs -r rm -f)
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
