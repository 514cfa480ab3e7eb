"""Runs tests/python/test_*.py with unittest under Debian's /usr/bin/python3, whose
sqlite3 module can load extensions, and records the counts for `make test`."""
import os
import subprocess
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
result = unittest.TextTestRunner(verbosity=1 if os.environ.get("CI") else 2).run(suite)
# a test with failing subtests appears once per subtest: count tests, not reports
failed = len({getattr(t, "test_case", t).id() for t, _ in result.failures + result.errors}) + len(
    result.unexpectedSuccesses)
skipped = len(result.skipped)
passed = result.testsRun - failed - skipped
print(f"python: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
subprocess.run([os.path.join(root, "tests", "record_result.sh"), "python", str(passed), str(failed)],
               cwd=root, check=True)
sys.exit(1 if failed or passed == 0 else 0)
