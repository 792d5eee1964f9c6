"""Stub scripts written and run straight away, by several threads at once."""
import os
import subprocess
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

STUB = "#!/bin/sh\nexit 0\n"


class StubScriptTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write_stub(self, name):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(STUB)
        os.chmod(path, 0o755)
        return path

    def run_stubs(self, worker):
        for i in range(25):
            path = self.write_stub(f"stub-{worker}-{i}")
            subprocess.run([path], check=True)

    def test_stubs_in_parallel(self):
        with ThreadPoolExecutor(max_workers=4) as pool:
            for job in [pool.submit(self.run_stubs, w) for w in range(4)]:
                job.result()


if __name__ == "__main__":
    unittest.main()
