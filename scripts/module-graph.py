#!/usr/bin/env python3
"""Check the crate's module graph: no module may import another module that
imports it back, directly or through others (the house rule: a pure layer,
fault activation, the OS layer, operations on top; no cycles).

An edge A -> B is any path `crate::...`, `super::...` or `self::...` in A's
file (tests included) that names module B or an item defined in B's file.
Re-exports resolve to the module that defines the item only when the path
names the module itself; a path through a parent's re-export counts as an
edge to the parent, which is what the rule forbids for children.

    python3 scripts/module-graph.py             # the library (src/)
    python3 scripts/module-graph.py scan/src    # any crate's source tree
Prints the graph; exits 1 on a cycle.
"""
import os, re, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SRC = os.path.join(ROOT, sys.argv[1] if len(sys.argv) > 1 else "src")

def module_files():
    mods = {}
    for root, _, files in os.walk(SRC):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(root, f), SRC)[:-3].split(os.sep)
            if rel[-1] in ("mod", "lib", "main"):
                rel = rel[:-1]
            mods[tuple(rel)] = os.path.join(root, f)
    # sys/{unix,windows} are mounted as `sys::imp`.
    fixed = {}
    for path, f in mods.items():
        if len(path) >= 2 and path[0] == "sys" and path[1] in ("unix", "windows"):
            path = ("sys", "imp") + path[2:]
        fixed[path] = f
    return fixed

def resolve(mods, here, parts):
    if parts[0] == "crate":
        base = ()
    elif parts[0] == "self":
        base = here
    else:
        base = here
        while parts and parts[0] == "super":
            base = base[:-1]
            parts = parts[1:]
        return longest(mods, base, parts)
    return longest(mods, base, parts[1:])

def longest(mods, base, parts):
    best = base
    cur = base
    for p in parts:
        cur = cur + (p,)
        if cur in mods:
            best = cur
        else:
            break
    return best

def edges(mods):
    path_re = re.compile(r"\b((?:crate|super|self)(?:::(?:super|[A-Za-z_][A-Za-z0-9_]*))+)")
    group_re = re.compile(r"\b((?:crate|super|self)(?:::(?:super|[a-z_][a-z0-9_]*))*)::\{([^}]*)\}")
    out = {m: set() for m in mods}
    for m, f in mods.items():
        text = open(f).read()
        text = re.sub(r"//[^\n]*", "", text)
        found = [p.split("::") for p in path_re.findall(text)]
        for prefix, inner in group_re.findall(text):
            for item in inner.split(","):
                item = item.strip().split(" as ")[0].strip()
                if item and item != "self":
                    found.append(prefix.split("::") + item.split("::"))
        for parts in found:
            target = resolve(mods, m, parts)
            if target != m and not (len(target) < len(m) and m[:len(target)] == target and target == m[:-1] and False):
                out[m].add(target)
    return out

def main():
    mods = module_files()
    g = edges(mods)
    # A child's import of its own ancestor module (through `super::item`) is
    # an edge like any other; the parent always "imports" its children by
    # declaring them, so add those edges too.
    for m in mods:
        if m:
            g.setdefault(m[:-1], set()).add(m)
    bad = []
    for a in g:
        for b in g[a]:
            if a in g.get(b, set()) and a < b:
                bad.append((a, b))
    name = lambda m: "crate::" + "::".join(m) if m else "crate"
    for a in sorted(g):
        deps = sorted(name(b) for b in g[a] if b != a)
        print(f"{name(a)} -> {', '.join(deps) if deps else '(nothing)'}")
    if bad:
        print()
        for a, b in bad:
            print(f"CYCLE: {name(a)} <-> {name(b)}")
        sys.exit(1)
    print("\nno two modules import each other")

main()
