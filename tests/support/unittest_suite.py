"""Runs one Python suite (the test_*.py files of a folder) with unittest under Debian's
/usr/bin/python3, whose sqlite3 module can load extensions, and prints the count line that
tests/support/run_suite.sh records.

usage: /usr/bin/python3 tests/support/unittest_suite.py NAME FOLDER

The suite's files import their helpers from tests/support/ (put first on sys.path) and
from their own folder. Environment hooks:
  ROOMCODE_SQLITE_VERSION  adds a test that the run really uses that SQLite version, so
                           the compatibility matrix (LD_LIBRARY_PATH to another
                           libsqlite3) cannot fall back to the system library unnoticed;
  ROOMCODE_TEST_FILES      only these test files of the folder (space-separated names
                           without .py), as the ASan run of some Python tests does;
  CI                       quieter output (one character a test)."""
import os
import sqlite3
import sys
import time
import unittest

SUPPORT = os.path.dirname(os.path.abspath(__file__))


class SQLiteLibrary(unittest.TestCase):
    wanted = None

    def test_runs_on_the_wanted_sqlite(self):
        from roomcode_test_support import connect
        self.assertEqual(sqlite3.sqlite_version, self.wanted)
        db = connect()
        self.assertEqual(db.execute("SELECT sqlite_version()").fetchone()[0], self.wanted)
        db.close()


def main(name, folder):
    folder = os.path.abspath(folder)
    sys.path[:0] = [SUPPORT, folder]
    started = time.monotonic()
    only = os.environ.get("ROOMCODE_TEST_FILES")
    if only:
        suite = unittest.defaultTestLoader.loadTestsFromNames(only.split())
    else:
        suite = unittest.defaultTestLoader.discover(folder, pattern="test_*.py",
                                                    top_level_dir=folder)
    SQLiteLibrary.wanted = os.environ.get("ROOMCODE_SQLITE_VERSION")
    if SQLiteLibrary.wanted:
        suite.addTest(SQLiteLibrary("test_runs_on_the_wanted_sqlite"))
    result = unittest.TextTestRunner(verbosity=1 if os.environ.get("CI") else 2).run(suite)
    # a test with failing subtests appears once per subtest: count tests, not reports
    failed = len({getattr(t, "test_case", t).id() for t, _ in result.failures + result.errors})
    failed += len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f"{name}: {time.monotonic() - started:.0f}s" + (f", {skipped} skipped" if skipped else ""))
    print(f"{name}: {passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
