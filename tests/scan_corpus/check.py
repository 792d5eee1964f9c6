#!/usr/bin/env python3
"""Consistency check of the scan corpus (issue 23).

Verifies: every manifest file exists; every expected line is inside its file
and uses a known rule id; every .rs file under tune/ and heldout/ is in the
manifest; no case both expects a rule and lists it as a negative; each rule has
at least 6 positive cases in each half and at least as many negative cases as
positive ones overall. With --parse, also parses every file with rustc
(RUSTC_BOOTSTRAP=1 rustc -Zparse-crate-root-only), which needs no build.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = ["write-then-exec", "shell-script-stub", "hand-rolled-etxtbsy-retry",
         "in-place-replace", "unretried-windows-fs"]
HALVES = ["tune", "heldout"]
MIN_POSITIVE_PER_HALF = 6


def main():
    errors = []
    with open(os.path.join(HERE, "manifest.json")) as f:
        manifest = json.load(f)
    if manifest.get("version") != 1:
        errors.append("manifest version is not 1")
    listed = set()
    for case in manifest["cases"]:
        rel = case["file"]
        if rel in listed:
            errors.append(f"{rel}: listed twice")
        listed.add(rel)
        if rel.split("/")[0] not in HALVES:
            errors.append(f"{rel}: not under tune/ or heldout/")
        path = os.path.join(HERE, rel)
        if not os.path.isfile(path):
            errors.append(f"{rel}: missing")
            continue
        with open(path) as f:
            nlines = len(f.read().splitlines())
        for e in case["expect"]:
            if e["rule"] not in RULES:
                errors.append(f"{rel}: unknown rule {e['rule']}")
            if not 1 <= e["line"] <= nlines:
                errors.append(f"{rel}: line {e['line']} outside 1..{nlines}")
        clash = {e["rule"] for e in case["expect"]} & set(case.get("negative_for", []))
        if clash:
            errors.append(f"{rel}: both expects and is a negative for {sorted(clash)}")
        for key in ("source", "licence", "synthetic", "note"):
            if key not in case:
                errors.append(f"{rel}: no {key}")
    for half in HALVES:
        for name in sorted(os.listdir(os.path.join(HERE, half))):
            if f"{half}/{name}" not in listed:
                errors.append(f"{half}/{name}: not in the manifest")

    print(f"{'rule':27} {'half':8} {'pos':>4} {'find':>5} {'neg':>4}")
    for rule in RULES:
        total_pos = total_neg = 0
        for half in HALVES:
            cases = [c for c in manifest["cases"] if c["file"].startswith(half + "/")]
            pos = sum(1 for c in cases if any(e["rule"] == rule for e in c["expect"]))
            find = sum(1 for c in cases for e in c["expect"] if e["rule"] == rule)
            neg = sum(1 for c in cases if rule in c.get("negative_for", []))
            total_pos += pos
            total_neg += neg
            print(f"{rule:27} {half:8} {pos:4} {find:5} {neg:4}")
            if pos < MIN_POSITIVE_PER_HALF:
                errors.append(f"{rule}: {pos} positive cases in {half} (< {MIN_POSITIVE_PER_HALF})")
        if total_neg < total_pos:
            errors.append(f"{rule}: {total_neg} negative cases < {total_pos} positive")

    if "--parse" in sys.argv:
        env = dict(os.environ, RUSTC_BOOTSTRAP="1")
        for rel in sorted(listed):
            r = subprocess.run(["rustc", "--edition", "2021", "-Zparse-crate-root-only",
                                "-Zunpretty=normal", os.path.join(HERE, rel)],
                               env=env, capture_output=True, text=True)
            if r.returncode != 0:
                errors.append(f"{rel}: does not parse: {r.stderr.strip().splitlines()[0]}")

    for e in errors:
        print("ERROR:", e)
    print(f"{len(manifest['cases'])} cases, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
