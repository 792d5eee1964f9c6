#!/usr/bin/env python3
"""Consistency check of the scan corpus (issue 23).

Verifies: every manifest file exists; every expected line is inside its file
and uses a known rule id; every .rs file under tune/ and heldout/ is in the
manifest; no case both expects a rule and lists it as a negative; each rule has
at least 6 positive cases in each half and, among the hand-made (synthetic and
rewritten) cases, at least as many negative cases as positive ones. Real cases copied from crates.io crate archives live in
real/tune/ and real/heldout/ (licences in real/licences/); their half is the
directory's, and their counts are also reported on their own (real positive and
negative cases per rule and half). real/heldout2/, real/heldout3/ and real/heldout4/ are fresh held-out
sets collected later the same way (their own halves; no minimum per rule). A real case
may name its crate's Cargo.toml (`crate_manifest`, under real/crate_manifests/) and say
whether any file of the crate names Windows in a cfg (`crate_mentions_windows`). With --parse, also parses every file with rustc
(RUSTC_BOOTSTRAP=1 rustc -Zparse-crate-root-only), which needs no build.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = ["write-then-exec", "shell-script-stub", "hand-rolled-etxtbsy-retry",
         "in-place-replace", "unretried-windows-fs"]
HALVES = ["tune", "heldout", "heldout2", "heldout3", "heldout4"]
# heldout2 and heldout3 (real/heldout2/, real/heldout3/) are fresh held-out sets of crates.io excerpts only;
# the minimum of positive cases per half applies to tune and heldout.
MIN_HALVES = ["tune", "heldout"]
DIRS = ["tune", "heldout", "real/tune", "real/heldout", "real/heldout2", "real/heldout3", "real/heldout4"]
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
        if rel.rsplit("/", 1)[0] not in DIRS:
            errors.append(f"{rel}: not under {', '.join(d + '/' for d in DIRS)}")
        path = os.path.join(HERE, rel)
        if not os.path.isfile(path):
            errors.append(f"{rel}: missing")
            continue
        with open(path) as f:
            nlines = len(f.read().splitlines())
        if rel.startswith("real/"):
            if case.get("origin") != "crates.io" or case["synthetic"] or case.get("rewritten"):
                errors.append(f"{rel}: a real case needs origin crates.io, synthetic and rewritten false")
            with open(path) as f:
                head = f.read(2000)
            if "excerpt: unrelated items removed" not in head or "Licence:" not in head:
                errors.append(f"{rel}: header lacks the licence or excerpt line")
            for lic in __import__("re").findall(r"\.\./licences/([^,)\s]+)", head):
                if not os.path.isfile(os.path.join(HERE, "real", "licences", lic)):
                    errors.append(f"{rel}: licence file {lic} missing")
        for e in case["expect"]:
            if e["rule"] not in RULES:
                errors.append(f"{rel}: unknown rule {e['rule']}")
            if not 1 <= e["line"] <= nlines:
                errors.append(f"{rel}: line {e['line']} outside 1..{nlines}")
        clash = {e["rule"] for e in case["expect"]} & set(case.get("negative_for", []))
        if clash:
            errors.append(f"{rel}: both expects and is a negative for {sorted(clash)}")
        m = case.get("crate_manifest")
        if m is not None and not os.path.isfile(os.path.join(HERE, m)):
            errors.append(f"{rel}: crate manifest {m} missing")
        if m is not None and not isinstance(case.get("crate_mentions_windows"), bool):
            errors.append(f"{rel}: crate_mentions_windows is not true or false")
        for key in ("source", "licence", "synthetic", "note"):
            if key not in case:
                errors.append(f"{rel}: no {key}")
    for d in DIRS:
        if not os.path.isdir(os.path.join(HERE, d)):
            continue
        for name in sorted(os.listdir(os.path.join(HERE, d))):
            if f"{d}/{name}" not in listed:
                errors.append(f"{d}/{name}: not in the manifest")

    def half_of(case):
        return case["file"].rsplit("/", 2)[-2]

    print(f"{'rule':27} {'half':8} {'pos':>4} {'find':>5} {'neg':>4}")
    for rule in RULES:
        total_pos = total_neg = 0
        for half in HALVES:
            cases = [c for c in manifest["cases"] if half_of(c) == half]
            pos = sum(1 for c in cases if any(e["rule"] == rule for e in c["expect"]))
            find = sum(1 for c in cases for e in c["expect"] if e["rule"] == rule)
            neg = sum(1 for c in cases if rule in c.get("negative_for", []))
            # The balance rule is the hand-made part's (synthetic and rewritten
            # cases); real crates.io cases are counted on their own below.
            total_pos += sum(1 for c in cases if c.get("origin") != "crates.io"
                             and any(e["rule"] == rule for e in c["expect"]))
            total_neg += sum(1 for c in cases if c.get("origin") != "crates.io"
                             and rule in c.get("negative_for", []))
            print(f"{rule:27} {half:8} {pos:4} {find:5} {neg:4}")
            if half in MIN_HALVES and pos < MIN_POSITIVE_PER_HALF:
                errors.append(f"{rule}: {pos} positive cases in {half} (< {MIN_POSITIVE_PER_HALF})")
        if total_neg < total_pos:
            errors.append(f"{rule}: {total_neg} negative cases < {total_pos} positive")

    print()
    print("real cases (crates.io excerpts):")
    print(f"{'rule':27} {'half':8} {'pos':>4} {'find':>5} {'neg':>4}")
    for rule in RULES:
        for half in HALVES:
            cases = [c for c in manifest["cases"]
                     if c.get("origin") == "crates.io" and half_of(c) == half]
            pos = sum(1 for c in cases if any(e["rule"] == rule for e in c["expect"]))
            find = sum(1 for c in cases for e in c["expect"] if e["rule"] == rule)
            neg = sum(1 for c in cases if rule in c.get("negative_for", []))
            print(f"{rule:27} {half:8} {pos:4} {find:5} {neg:4}")
    real = [c for c in manifest["cases"] if c.get("origin") == "crates.io"]
    rewritten = [c for c in manifest["cases"] if c.get("rewritten")]
    synthetic = [c for c in manifest["cases"] if c["synthetic"]]
    print(f"{len(real)} real (crates.io), {len(rewritten)} rewritten from a named source, "
          f"{len(synthetic)} synthetic")

    if "--parse" in sys.argv:
        env = dict(os.environ, RUSTC_BOOTSTRAP="1")
        editions = {c["file"]: c.get("edition", "2021") for c in manifest["cases"]}
        for rel in sorted(listed):
            r = subprocess.run(["rustc", "--edition", editions[rel], "-Zparse-crate-root-only",
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
