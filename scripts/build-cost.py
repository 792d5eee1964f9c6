#!/usr/bin/env python3
"""What depending on flakeproof costs a user's build, against the two crates
a CLI test suite reaches for instead (assert_cmd and tempfile).

Builds two throwaway crates' tests from clean (`cargo test --no-run`, a
fresh target dir each time, debug), interleaved A B A B so that a busy
machine slows both alike. Each has one integration test that uses its
dev-dependencies, as a user's suite would, so both are compiled and linked:
  with-flakeproof:          [dev-dependencies] flakeproof (this checkout)
  with-assert_cmd-tempfile: [dev-dependencies] assert_cmd, tempfile
Both are resolved offline against this repository's Cargo.lock versions,
so the comparison needs no network once the registry cache is warm.

Prints wall and CPU (user + sys of every rustc and build script) per run,
and the ratios of the sums. Exits 1 if flakeproof's CPU cost exceeds the
pair's: CPU time is what a shared 2-core machine measures steadily; wall
time is printed beside it.

    python3 scripts/build-cost.py [--runs N]
"""
import os, resource, shutil, subprocess, sys, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 2

def crate(base, name, deps, test):
    d = os.path.join(base, name)
    os.makedirs(os.path.join(d, "src"))
    os.makedirs(os.path.join(d, "tests"))
    with open(os.path.join(d, "Cargo.toml"), "w") as f:
        f.write(f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2021"\n\n'
                f'[dev-dependencies]\n{deps}\n\n[workspace]\n')
    with open(os.path.join(d, "src", "lib.rs"), "w") as f:
        f.write("// Only the dependencies are measured.\n")
    with open(os.path.join(d, "tests", "uses.rs"), "w") as f:
        f.write(f"#[test]\nfn uses_its_dev_dependencies() {{\n    {test}\n}}\n")
    # The versions this repository is tested with, so both sides are
    # resolved offline from the same registry cache.
    shutil.copy(os.path.join(ROOT, "Cargo.lock"), os.path.join(d, "Cargo.lock"))
    return d

def build(d):
    target = os.path.join(d, "target")
    shutil.rmtree(target, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(["cargo", "test", "--no-run", "--offline", "-q"], cwd=d, check=True,
                   stderr=subprocess.DEVNULL,
                   env=dict(os.environ, CARGO_TARGET_DIR=target, CARGO_INCREMENTAL="0"))
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu

def main():
    base = tempfile.mkdtemp(prefix="flakeproof-build-cost-")
    try:
        fp = crate(base, "with-flakeproof", f'flakeproof = {{ path = "{ROOT}" }}',
                   'let _ = flakeproof::install_executable_stub(std::env::temp_dir(), "fp-build-cost", "");')
        pair = crate(base, "with-assert_cmd-tempfile", 'assert_cmd = "2"\ntempfile = "3"',
                     'let _ = tempfile::tempdir(); let _ = assert_cmd::Command::new("true").ok();')
        # Warm the registry cache and lock files (not measured).
        for d in (fp, pair):
            subprocess.run(["cargo", "fetch", "-q"], cwd=d, check=True)
        sums = {fp: [0.0, 0.0], pair: [0.0, 0.0]}
        print(f"{'run':>3}  {'crate':<26} {'wall s':>7} {'cpu s':>7}")
        for i in range(RUNS):
            for d in (fp, pair):
                wall, cpu = build(d)
                sums[d][0] += wall
                sums[d][1] += cpu
                print(f"{i + 1:>3}  {os.path.basename(d):<26} {wall:7.2f} {cpu:7.2f}")
        wall_ratio = sums[fp][0] / sums[pair][0]
        cpu_ratio = sums[fp][1] / sums[pair][1]
        print(f"flakeproof / (assert_cmd + tempfile): wall {wall_ratio:.2f}x, cpu {cpu_ratio:.2f}x "
              f"(sums of {RUNS} interleaved clean `cargo test --no-run` builds each; target: cpu <= 1.00x)")
        if cpu_ratio > 1.0:
            print("build-cost: MISSED: depending on flakeproof costs more than assert_cmd + tempfile")
            sys.exit(1)
    finally:
        shutil.rmtree(base, ignore_errors=True)

if __name__ == "__main__":
    main()
