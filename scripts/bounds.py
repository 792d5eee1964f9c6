#!/usr/bin/env python3
"""The bounds issue 18 set on the crate's shape, checked so later work
can't drift past them. Exits 1 naming each bound that is crossed.

- README.md: at most 1,500 words, and no test counts ("N unit tests").
- The crate root: at most 20 names re-exported (`pub use` in src/lib.rs);
  its public modules are counted and printed apart.
- No two public types (struct, enum, trait, type alias) share a name.
- At most 8 integration-test binaries (tests/*.rs, tests/*/main.rs).
- No source file above 600 lines unless its first comment says why
  (a line in its opening `//!` block containing "long because").
- CONTRIBUTING.md's map of the house names every source file (the
  library's src/, the command's cli/src/, the scanner's scan/src/), and
  every file it names exists.

    python3 scripts/bounds.py
"""
import os, re, sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
failed = []

def check(ok, what):
    print(("ok      " if ok else "CROSSED ") + what)
    if not ok:
        failed.append(what)

def read(p):
    with open(os.path.join(ROOT, p), encoding="utf-8") as f:
        return f.read()

readme = read("README.md")
words = len(readme.split())
check(words <= 1500, f"README.md has {words} words (at most 1,500)")
counts = re.findall(r"\b\d[\d,]* (?:unit|integration|doc)(?: and \w+)? tests\b", readme)
check(not counts, f"README.md states no test counts {counts if counts else ''}".rstrip())

lib = read("src/lib.rs")
names = []
for m in re.finditer(r"^pub use [\w:]+::(?:\{([^}]*)\}|(\w+));", lib, re.M):
    names += [n.strip().split(" as ")[-1] for n in (m.group(1) or m.group(2)).split(",") if n.strip()]
mods = re.findall(r"^pub mod (\w+);", lib, re.M)
check(len(names) <= 20, f"the crate root re-exports {len(names)} names (at most 20), beside {len(mods)} public modules")

src_files = []
for d, _, fs in os.walk(os.path.join(ROOT, "src")):
    src_files += [os.path.relpath(os.path.join(d, f), ROOT) for f in fs if f.endswith(".rs")]
src_files.sort()

types = {}
for f in src_files:
    for m in re.finditer(r"^\s*pub (?:struct|enum|trait|type) (\w+)", read(f), re.M):
        types.setdefault(m.group(1), []).append(f)
# wire.rs is the shim's private file format: its `pub` items are not the crate's API.
# src/fs/tokio/ mirrors tokio::fs under tokio's names, as src/fs.rs mirrors
# std::fs under std's (adopting either is a change of `use`): its `File` and
# `OpenOptions` share their names with the std mirror's on purpose, as
# tokio's share them with std's.
def counted(f):
    return not f.endswith("fake/wire.rs") and not f.startswith("src/fs/tokio/")
dups = {t: fs for t, fs in types.items() if len([f for f in fs if counted(f)]) > 1}
check(not dups, f"no two public types share a name {dups if dups else ''}".rstrip())

bins = [f for f in os.listdir(os.path.join(ROOT, "tests")) if f.endswith(".rs")]
bins += [d for d in os.listdir(os.path.join(ROOT, "tests"))
         if os.path.isfile(os.path.join(ROOT, "tests", d, "main.rs"))]
check(len(bins) <= 8, f"{len(bins)} integration-test binaries (at most 8): {sorted(bins)}")

for f in src_files:
    text = read(f)
    lines = text.count("\n")
    if lines > 600:
        head = []
        for line in text.splitlines():
            if not line.startswith("//!"):
                break
            head.append(line)
        check(any("long because" in h for h in head),
              f"{f}: {lines} lines, and its first comment says why")

# The command's and the scanner's files: mapped and bounded like the library's.
member_files = []
for member in ("cli/src", "scan/src"):
    for d, _, fs in os.walk(os.path.join(ROOT, member)):
        member_files += [os.path.relpath(os.path.join(d, f), ROOT) for f in fs if f.endswith(".rs")]
member_files.sort()
for f in member_files:
    text = read(f)
    lines = text.count("\n")
    if lines > 600:
        head = [l for l in text.splitlines()[:40] if l.startswith("//!")]
        check(any("long because" in h for h in head),
              f"{f}: {lines} lines, and its first comment says why")
src_files += member_files

contributing = read("CONTRIBUTING.md")
named = set(re.findall(r"`((?:cli/|scan/)?src/[\w/]+\.rs)`", contributing))
missing = [f for f in src_files if f not in named]
stale = sorted(f for f in named if not os.path.exists(os.path.join(ROOT, f)))
check(not missing, f"CONTRIBUTING.md's house map names every source file {missing if missing else ''}".rstrip())
check(not stale, f"every file CONTRIBUTING.md names exists {stale if stale else ''}".rstrip())

if failed:
    print(f"bounds: {len(failed)} crossed")
    sys.exit(1)
print("bounds: all kept")
