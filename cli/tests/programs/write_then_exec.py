#!/usr/bin/env python3
"""The Go/Python pattern that flakes with "Text file busy": threads of one
process each write a script, make it executable and run it at once, while
the others fork. Nothing of flakeproof in it. Exits non-zero (with the OS's
message on stderr) at the first exec that fails."""
import os, subprocess, sys, tempfile, threading

failures = []

def worker(d, i):
    for j in range(25):
        p = os.path.join(d, f"s-{i}-{j}")
        with open(p, "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(p, 0o755)
        try:
            subprocess.run([p], check=True)
        except OSError as e:
            failures.append(e)
            return

with tempfile.TemporaryDirectory() as d:
    threads = [threading.Thread(target=worker, args=(d, i)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
if failures:
    print(failures[0], file=sys.stderr)
    sys.exit(1)
