#!/usr/bin/env bash
# Run the test binaries that touch TMPDIR (installs, replacements, robust ops
# and locks, fake commands, fault plans, process-wide tests) with TMPDIR on each filesystem
# this machine can mount: tmpfs, overlayfs and FUSE (bindfs). Each has its
# own answers to leases, flock and fsync: the drain barrier and the
# Durability report must hold on all of them. Needs root (mount).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v bindfs >/dev/null || {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq bindfs >/dev/null
}
# Test binaries (tests/<area>/main.rs) whose scenarios touch TMPDIR's
# filesystem: installs, replacements, robust ops and locks, fake commands,
# and the fault plans that reach child processes.
tests=(install artifacts fakes fault process_wide)
bins=$(cargo test --locked --all-features --no-run --message-format=json 2>/dev/null \
  | grep '"test":true' | grep -o '"executable":"[^"]*"' | cut -d'"' -f4)
root=$(mktemp -d)
cleanup() {
  for m in "$root"/fuse "$root"/overlay "$root"/tmpfs; do
    mountpoint -q "$m" && umount "$m"
  done
  rm -rf "$root"
}
trap cleanup EXIT
chmod 755 "$root" # the tests re-run themselves as uid 65534
mkdir -p "$root"/{tmpfs,overlay,lower,upper,work,fuse,fuse-src}
mount -t tmpfs tmpfs "$root/tmpfs"
mount -t overlay overlay -o "lowerdir=$root/lower,upperdir=$root/upper,workdir=$root/work" "$root/overlay"
bindfs "$root/fuse-src" "$root/fuse"
chmod 1777 "$root"/tmpfs "$root"/overlay "$root"/fuse
failed=0
for fs in tmpfs overlay fuse; do
  echo "-- TMPDIR on $fs ($(stat -f -c %T "$root/$fs"))"
  for t in "${tests[@]}"; do
    bin=$(printf '%s\n' $bins | grep "/deps/$t-" | head -n 1)
    # Skips are allowed here: a filesystem may lack leases (FUSE does).
    if out=$(TMPDIR="$root/$fs" FLAKEPROOF_REQUIRE= "$bin" -q 2>&1); then
      printf '   %-14s %s\n' "$t" "$(grep 'test result' <<<"$out")"
    else
      echo "$out"; echo "FAILED on $fs: $t"; failed=1
    fi
  done
done
exit "$failed"
