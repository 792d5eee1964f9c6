#!/usr/bin/env bash
# Time the README's two commands on fresh clones, as a newcomer meets them:
# a new clone, a new target dir, the registry cache as it is.
#
#   scripts/fresh-clone-times.sh [REV ...]     # default: HEAD
#
# Each REV is cloned into a temp dir and timed in turn (REVs interleave if
# given twice, e.g. `OLD NEW OLD NEW`), so that the times compare within one
# run on one machine. Prints wall seconds per command and REV.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
revs=("$@")
[ ${#revs[@]} -gt 0 ] || revs=(HEAD)
printf '%-10s %-44s %8s\n' rev command "wall s"
for rev in "${revs[@]}"; do
  dir=$(mktemp -d)
  git clone -q "$repo" "$dir/fp"
  git -C "$dir/fp" checkout -q "$(git rev-parse "$rev")"
  for cmd in "cargo run --release --example race_lab" "cargo test --all-features"; do
    start=$(date +%s)
    if ! (cd "$dir/fp" && $cmd >"$dir/log" 2>&1); then
      tail -n 30 "$dir/log"; echo "failed: $cmd at $rev"; exit 1
    fi
    printf '%-10s %-44s %8d\n' "$(git rev-parse --short "$rev")" "$cmd" \
      $(($(date +%s) - start))
  done
  rm -rf "$dir"
done
