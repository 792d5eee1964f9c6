#!/usr/bin/env bash
# The kernel-plan tests (tests/fault/kernel_plan.rs), 50 runs in a row as
# root and 50 as uid 65534. Among them are issue 21's deadlock cases: a
# held write while another thread prints, a write held under stdout's
# lock, a panic while a call is held, the guard dropped while another
# thread is in a held call. A regression there hangs rather than fails,
# and may hang one run in many: so many runs, each under a timeout.
# Exits non-zero on any failed or timed-out run. Needs root (setpriv).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${KERNEL_DEADLOCK_RUNS:-50}
filter=kernel_plan::
# A skip would pass for a run that tested nothing: here it fails.
export FLAKEPROOF_REQUIRE=seccomp

bin=$(cargo test --locked --no-run --test fault --message-format=json 2>/dev/null \
  | grep '"test":true' | grep -o '"executable":"[^"]*"' | cut -d'"' -f4)
[ -x "$bin" ] || { echo "no fault test binary built"; exit 1; }

# The tests the filter picks: a filter matching nothing would pass 50
# times, and the deadlock cases must be among them.
listed=$("$bin" --list "$filter" 2>/dev/null | grep ': test$' | sed 's/: test$//')
expected=$(grep -c . <<<"$listed")
for case in held panic guard_dropped; do
  grep -q "$case" <<<"$listed" || { echo "no $filter test named *$case*"; exit 1; }
done

# nobody runs a copy, from a directory it can reach, with a temp dir it
# can write (the clone may sit under a private home).
nobody=$(mktemp -d)
trap 'rm -rf "$nobody"' EXIT
chmod 1777 "$nobody"
mkdir "$nobody/tmp" "$nobody/logs"
chmod 1777 "$nobody/tmp"
cp "$bin" "$nobody/fault"
chmod a+rx "$nobody/fault"

failed=0
# run USER: $runs runs of the filter as USER (root, or nobody: uid 65534).
run() {
  local user=$1 passed=0 timed_out=0 i log code as=() who=root
  if [ "$user" = nobody ]; then
    as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    who="uid 65534"
  fi
  for ((i = 1; i <= runs; i++)); do
    log="$nobody/logs/$user-$i.log"
    # -k: a process stuck past SIGTERM is killed, so the script never hangs.
    code=0
    (cd "$nobody" && TMPDIR="$nobody/tmp" timeout -k 5 60 "${as[@]}" "$nobody/fault" "$filter" \
      >"$log" 2>&1) || code=$?
    if [ "$code" = 0 ] && grep -q "test result: ok. $expected passed" "$log"; then
      passed=$((passed + 1))
      continue
    fi
    if [ "$code" = 124 ] || [ "$code" = 137 ]; then # timeout's TERM, or its KILL
      timed_out=$((timed_out + 1))
    fi
    if [ "$failed" = 0 ]; then # the first failure's log, in full
      echo "-- run $i as $user failed (exit $code):"
      cat "$log"
    fi
    failed=1
  done
  echo "$passed/$runs runs passed as $who ($expected tests each; $timed_out timed out)"
}
run root
run nobody
exit "$failed"
