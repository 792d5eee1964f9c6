#!/usr/bin/env bash
# The proof of issue 20: small real test suites (tests/suites/, one per
# language, each in its language's usual style and with nothing of
# flakeproof in it) flake with "Text file busy" when run plain, and never
# fail under `flakeproof shield`.
#
# For each suite: build it once, run it R times plain with
#   flakeproof stress -n R -j J --json -- <suite command>
# and R times shielded with
#   flakeproof stress -n R -j J --json -- flakeproof shield -- <suite command>
# then print a markdown table. Exits non-zero unless, for every suite, the
# plain runs saw at least MIN_ETXTBSY (20) "Text file busy" failures (fewer
# means the control is too weak: a failure, never a pass) and the shielded
# runs saw no failure of any kind.
#
#   scripts/shield-proof.sh [SUITE...]        # go python rust-std node (all by default)
#
# FLAKEPROOF: the flakeproof binary (default target/debug/flakeproof; build it
# with `cargo build -p flakeproof-cli`). PROOF_RUNS overrides every suite's R
# (for a quick look; the pass bar stays 20). Needs python3 (to read the JSON),
# and each suite's own tool: go (Debian's golang-go), cargo, node.
#
# Each run goes through this script's `--run SUITE`, which runs the suite's
# command in its folder. `stress` finds the failures' signature in stdout too
# (go test, cargo test and node --test report there), in any spelling (Go's
# "text file busy", Node's "ETXTBSY").
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
suites_dir="$root/tests/suites"
MIN_ETXTBSY=20

# Per-user caches, so the script works as any user and leaves the tree clean.
cache="${TMPDIR:-/tmp}/shield-proof-$(id -u)"
export GOCACHE="$cache/go-cache" GOPATH="$cache/go-path" GOFLAGS=-count=1 GOPROXY=off
export CARGO_TARGET_DIR="$cache/rust-std-target"
export PYTHONDONTWRITEBYTECODE=1 NO_COLOR=1 CARGO_TERM_COLOR=never

# suite -> runs, jobs, the tool it needs, its command (run in its folder).
# R and J were measured on the 2-core machine (with another build running):
# plain rates of 58-100 % a run, so each R expects 30 or more ETXTBSY failures
# at the lowest rate seen, and the whole script takes 4-5 minutes.
declare -A RUNS=([go]=50 [python]=40 [rust-std]=40 [node]=60)
declare -A JOBS=([go]=2 [python]=2 [rust-std]=2 [node]=2)
declare -A TOOL=([go]=go [python]=python3 [rust-std]=cargo [node]=node)
suite_cmd() {
  case "$1" in
    go) go test ./... ;;
    python) python3 -m unittest ;;
    rust-std) cargo test --manifest-path Cargo.toml ;;
    node) node --test ;;
    *) echo "shield-proof: no suite '$1'" >&2; return 2 ;;
  esac
}
suite_build() {
  case "$1" in
    go) go test -run '^$' ./... >/dev/null ;;            # compiles and caches the test binary
    rust-std) cargo test -q --no-run --manifest-path Cargo.toml ;;
    *) true ;;
  esac
}

if [ "${1:-}" = --run ]; then
  # One run of one suite (what stress runs, plain or under the shield).
  cd "$suites_dir/$2" || exit 2
  suite_cmd "$2"
  exit
fi

flakeproof="${FLAKEPROOF:-target/debug/flakeproof}"
case "$flakeproof" in /*) ;; */*) flakeproof="$root/$flakeproof" ;; esac
if [ ! -x "$flakeproof" ] && ! flakeproof="$(command -v "$flakeproof")"; then
  echo "shield-proof: no flakeproof binary at ${FLAKEPROOF:-target/debug/flakeproof}: build it with" >&2
  echo "  cargo build -p flakeproof-cli   (or set FLAKEPROOF to its path)" >&2
  exit 2
fi

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(go python rust-std node)
missing=()
for s in "${suites[@]}"; do
  [ -n "${TOOL[$s]:-}" ] || { echo "shield-proof: no suite '$s' (go python rust-std node)" >&2; exit 2; }
  command -v "${TOOL[$s]}" >/dev/null || missing+=("${TOOL[$s]} (suite $s)")
done
command -v python3 >/dev/null || missing+=("python3 (reads stress's JSON)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "shield-proof: missing: ${missing[*]}" >&2
  echo "  go: apt-get install golang-go; node: apt-get install nodejs; python3: apt-get install python3" >&2
  exit 2
fi

start=$SECONDS
rows=()
bad=()
for s in "${suites[@]}"; do
  r="${PROOF_RUNS:-${RUNS[$s]}}" j="${JOBS[$s]}"
  echo "shield-proof: $s: build" >&2
  if ! (cd "$suites_dir/$s" && suite_build "$s"); then
    bad+=("$s: the build failed")
    continue
  fi
  for mode in plain shielded; do
    t0=$SECONDS
    if [ "$mode" = plain ]; then
      json="$("$flakeproof" stress -n "$r" -j "$j" --json -- bash "$here/shield-proof.sh" --run "$s")"
    else
      json="$("$flakeproof" stress -n "$r" -j "$j" --json -- "$flakeproof" shield -- bash "$here/shield-proof.sh" --run "$s")"
    fi
    echo "shield-proof: $s: $mode: $json ($((SECONDS - t0)) s)" >&2
    printf -v "json_$mode" '%s' "$json"
  done
  row="$(python3 - "$s" "$r" "$MIN_ETXTBSY" "$json_plain" "$json_shielded" <<'EOF'
import json, sys
suite, runs, need = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    p, s = json.loads(sys.argv[4]), json.loads(sys.argv[5])
except ValueError:
    print(f"BAD\t{suite}: stress gave no report")
    sys.exit()
busy = p["signatures"].get("Text file busy", 0)
problems = []
if p["runs"] != runs or s["runs"] != runs:
    problems.append(f"{p['runs']} plain and {s['runs']} shielded runs of {runs}")
if busy < need:
    problems.append(f"plain saw {busy} ETXTBSY failures, fewer than {need}: the control is too weak")
if s["failed"] != 0:
    problems.append(f"shielded saw {s['failed']} failure(s): {s['signatures']}")
pct = lambda d: f"{100 * d['failure_rate']:.1f} %"
other = p["failed"] - busy
print(f"| {suite} | {runs} | {p['failed']} ({busy})" + (f" +{other} other" if other else "")
      + f" | {pct(p)} | {s['failed']} | {pct(s)} | {p['p50_ms']:.0f} ms | {s['p50_ms']:.0f} ms |")
for q in problems:
    print(f"BAD\t{suite}: {q}")
EOF
)"
  while IFS= read -r line; do
    case "$line" in
      BAD*) bad+=("${line#BAD	}") ;;
      *) rows+=("$line") ;;
    esac
  done <<<"$row"
done

echo
echo "| suite | runs | plain failures (ETXTBSY) | plain rate | shielded failures | shielded rate | plain p50 | shielded p50 |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
echo
echo "shield-proof: $((SECONDS - start)) s"
if [ ${#bad[@]} -gt 0 ]; then
  printf 'shield-proof: FAILED: %s\n' "${bad[@]}"
  exit 1
fi
echo "shield-proof: ok: every suite flaked with ETXTBSY at least $MIN_ETXTBSY times plain and never under the shield"
