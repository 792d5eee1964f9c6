#!/usr/bin/env bash
# The numbers of the seccomp spike (docs/seccomp-spike.md): the round trip
# of a user notification, and what a filter costs `cp -r` of 1,000 files.
# Run on an idle machine: it compares wall times.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gcc -O2 -Wall -o /tmp/notif "$here/notif.c"
reps=${REPS:-7}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "round trip: ns per rename() of a missing file, median of $reps runs of 20000"
plain=$(for _ in $(seq "$reps"); do /tmp/notif --loop 20000; done | median)
other=$(for _ in $(seq "$reps"); do /tmp/notif mkdir -- /tmp/notif --loop 20000 2>/dev/null; done | median)
notify=$(for _ in $(seq "$reps"); do /tmp/notif rename -- /tmp/notif --loop 20000 2>/dev/null; done | median)
echo "  no filter:                         $plain ns"
echo "  filter, rename not watched:        $other ns"
echo "  filter, rename notified (CONTINUE): $notify ns  -> round trip $((notify - plain)) ns"

# The tree on tmpfs, and the modes interleaved round by round: on ext4 a
# fresh tree's writeback made the first runs 5x slower than the last.
tree=$(mktemp -d -p /dev/shm)
mkdir -p "$tree/src"
for i in $(seq 1000); do echo "file $i" > "$tree/src/f$i"; done
modes=(none flock rename,renameat,renameat2 openat)
declare -A ms
for _ in $(seq "$reps"); do
  for watch in "${modes[@]}"; do
    rm -rf "$tree/dst"
    t0=$(date +%s%N)
    if [ "$watch" = none ]; then cp -r "$tree/src" "$tree/dst"
    else /tmp/notif "$watch" -- cp -r "$tree/src" "$tree/dst" 2>/dev/null; fi
    t1=$(date +%s%N)
    ms[$watch]+="$(( (t1 - t0) / 1000 )) "
  done
done
echo "cp -r of 1,000 files (tmpfs): wall ms, median of $reps, modes interleaved"
base=$(tr ' ' '\n' <<<"${ms[none]}" | grep . | median)
for watch in "${modes[@]}"; do
  m=$(tr ' ' '\n' <<<"${ms[$watch]}" | grep . | median)
  printf '  %-28s %6.1f ms  %.2fx\n' "$watch" "$(echo "$m / 1000" | bc -l)" "$(echo "$m / $base" | bc -l)"
done
rm -rf "$tree"
