"""Helpers the reliability tests share: fresh file databases in either journal mode, a
snapshot of the store, the storage rules checked on a whole database, and the short/long
switch (ROOMCODE_RELIABILITY_LONG=1, set by `make reliability-long`)."""
import os
import re
import shutil
import sqlite3
import sys
import tempfile

from roomcode_test_support import EXTENSION, ROOT, connect  # noqa: F401

HERE = os.path.join(ROOT, "tests", "reliability")  # the suite's data files

LONG = os.environ.get("ROOMCODE_RELIABILITY_LONG") == "1"
JOURNAL_MODES = ("wal", "delete")
CAP = 100
BUSY_TIMEOUT = 60.0  # seconds; a wait this long on a 2-core box means something is stuck

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def figure(text):
    """Prints a measured figure so that a run of the suite shows it."""
    print(f"  figure: {text}", file=sys.stderr, flush=True)


class TempDir:
    """A scratch directory removed at the end of a test."""

    def __init__(self, prefix="roomcode-rel-"):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def file(self, name):
        return os.path.join(self.path, name)

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)


def create_database(path, journal_mode):
    """A new file database in journal_mode holding an empty room_codes table."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = connect(path, isolation_level=None)
    try:
        mode = db.execute(f"PRAGMA journal_mode = {journal_mode}").fetchone()[0]
        assert mode == journal_mode, mode
        db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
    finally:
        db.close()


def is_busy(error):
    """SQLITE_BUSY or one of its extended codes (BUSY_SNAPSHOT, BUSY_RECOVERY, ...)."""
    return getattr(error, "sqlite_errorname", "").startswith("SQLITE_BUSY")


def snapshot(db):
    """Every stored row, keyed by code: (room_id, role, enabled, user_id, created_at,
    updated_at). Read from the store, as any client without the extension would."""
    rows = db.execute("SELECT code, room_id, role, enabled, user_id, created_at, updated_at"
                      " FROM room_codes_store ORDER BY code").fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def rule_violations(db):
    """Every storage rule that the database breaks, as messages; empty when all hold.
    db must have the extension loaded (roomcode_valid)."""
    problems = []
    integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        problems.append(f"integrity_check: {integrity[:5]}")
    bad = db.execute("SELECT count(*) FROM room_codes_store WHERE roomcode_valid(code) IS NOT 1"
                     " OR typeof(code) <> 'text'").fetchone()[0]
    if bad:
        problems.append(f"{bad} codes fail roomcode_valid")
    total, distinct = db.execute("SELECT count(*), count(DISTINCT code) FROM room_codes_store").fetchone()
    if total != distinct:
        problems.append(f"{total - distinct} duplicated codes")
    over = db.execute("SELECT room_id, count(*) FROM room_codes_store GROUP BY room_id"
                      " HAVING count(*) > ?", (CAP,)).fetchall()
    if over:
        problems.append(f"rooms over the cap: {over}")
    bad = db.execute("SELECT count(*) FROM room_codes_store"
                     " WHERE typeof(enabled) <> 'integer' OR enabled NOT IN (0, 1)").fetchone()[0]
    if bad:
        problems.append(f"{bad} rows with enabled outside (0, 1)")
    for code, created, updated in db.execute(
            "SELECT code, created_at, updated_at FROM room_codes_store"):
        if not (isinstance(created, str) and TIMESTAMP.match(created)
                and isinstance(updated, str) and TIMESTAMP.match(updated) and updated >= created):
            problems.append(f"bad timestamps on {code}: {created!r} {updated!r}")
            break
    # Well-formed also means a real instant: strftime gives back the same text.
    bad = db.execute("SELECT count(*) FROM room_codes_store"
                     " WHERE strftime('%Y-%m-%dT%H:%M:%fZ', created_at) IS NOT created_at"
                     " OR strftime('%Y-%m-%dT%H:%M:%fZ', updated_at) IS NOT updated_at").fetchone()[0]
    if bad:
        problems.append(f"{bad} rows with timestamps that are not real instants")
    return problems
