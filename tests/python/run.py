"""Runs tests/python/test_*.py with unittest under Debian's /usr/bin/python3, whose
sqlite3 module can load extensions, and records the counts for `make test`.
Hooks for the compatibility matrix (tests/compat/rules.mk), which runs the suite on another
libsqlite3 through LD_LIBRARY_PATH: ROOMCODE_PYTHON_SUITE is the name the counts are
recorded under, and ROOMCODE_SQLITE_VERSION adds a test that the run really uses that
SQLite version, so the matrix cannot fall back to the system library unnoticed."""
import os
import sqlite3
import subprocess
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
name = os.environ.get("ROOMCODE_PYTHON_SUITE", "python")
wanted_version = os.environ.get("ROOMCODE_SQLITE_VERSION")


class SQLiteLibrary(unittest.TestCase):
    def test_runs_on_the_wanted_sqlite(self):
        from roomcode_test_support import connect
        self.assertEqual(sqlite3.sqlite_version, wanted_version)
        db = connect()
        self.assertEqual(db.execute("SELECT sqlite_version()").fetchone()[0], wanted_version)
        db.close()


suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
if wanted_version:
    suite.addTest(SQLiteLibrary("test_runs_on_the_wanted_sqlite"))
result = unittest.TextTestRunner(verbosity=1 if os.environ.get("CI") else 2).run(suite)
# a test with failing subtests appears once per subtest: count tests, not reports
failed = len({getattr(t, "test_case", t).id() for t, _ in result.failures + result.errors}) + len(
    result.unexpectedSuccesses)
skipped = len(result.skipped)
passed = result.testsRun - failed - skipped
print(f"{name}: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
subprocess.run([os.path.join(root, "tests", "record_result.sh"), name, str(passed), str(failed)],
               cwd=root, check=True)
sys.exit(1 if failed or passed == 0 else 0)
