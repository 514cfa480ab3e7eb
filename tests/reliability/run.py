"""Runs the reliability suite (tests/reliability/test_*.py) under Debian's /usr/bin/python3
and records its counts for `make test`. --long runs the long forms (more workers'
attempts, more kills) and records them as reliability-long."""
import os
import subprocess
import sys
import time
import unittest

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
long_form = "--long" in sys.argv[1:]
if long_form:
    os.environ["ROOMCODE_RELIABILITY_LONG"] = "1"
name = "reliability-long" if long_form else "reliability"
sys.path.insert(0, here)
started = time.monotonic()
suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
result = unittest.TextTestRunner(verbosity=1 if os.environ.get("CI") else 2).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
skipped = len(result.skipped)
passed = result.testsRun - failed - skipped
print(f"{name}: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")
      + f" in {time.monotonic() - started:.0f}s")
subprocess.run([os.path.join(root, "tests", "record_result.sh"), name, str(passed), str(failed)],
               cwd=root, check=True)
sys.exit(1 if failed or passed == 0 else 0)
