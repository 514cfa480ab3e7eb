"""Interrupts at every step. For each write path (roomcode_rotate, roomcode_create,
roomcode_new, and the table's INSERT, UPDATE and DELETE, also from a statement that itself
writes), in autocommit, inside BEGIN and inside a SAVEPOINT, a progress handler interrupts
the statement at its N-th check, for every N until the statement runs through: once by
returning non-zero, once by calling sqlite3_interrupt() (db.interrupt()), whose flag stays
set until the caller's statement ends.

After each: an error says "interrupted" (never out of memory); the connection holds no
transaction it did not open and another connection can write; and the rows are either as
they were when the statement started or, when the statement ran through, as a clean run
leaves them. Inside BEGIN an interrupt that meets a write rolls the caller's transaction
back as a whole, as SQLite does for an interrupted INSERT into any table: then the rows
are as they were before BEGIN, never half a call.

ROOMCODE_INTERRUPT_STRIDE=K (default 24) tries every K-th check, with an offset that
changes from one run to the next, plus every one of the last 30 (where the writes end and
commit); K=1 tries them all (some minutes). tests/memory/run_python_asan.sh runs it
under ASan."""
import os
import sqlite3
import tempfile
import random
import unittest

from roomcode_test_support import connect

KNOWN = ("aaa-aaaa-aaa", "bbb-bbbb-bbb", "ccc-cccc-ccc", "ddd-dddd-ddd")

SETUP = """
    CREATE VIRTUAL TABLE room_codes USING roomcode;
    INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-1', 'host'),
      ('bbb-bbbb-bbb', 'r-1', 'guest'), ('ccc-cccc-ccc', 'r-2', 'host');
    INSERT INTO room_codes(code, room_id, role, enabled, user_id)
      VALUES ('ddd-dddd-ddd', 'r-2', 'guest', 0, 'u-1');
    CREATE TABLE w(c);
    INSERT INTO w VALUES ('aaa-aaaa-aaa');
    CREATE TABLE log(c);
    CREATE TABLE marker(m);
"""

OPERATIONS = {
    "rotate": "SELECT roomcode_rotate('aaa-aaaa-aaa')",
    "rotate_in_update": "UPDATE w SET c = roomcode_rotate(c)",
    "create": "SELECT * FROM roomcode_create('r-1', '[\"host\", \"viewer\", \"cohost\"]')",
    "create_in_insert":
        "INSERT INTO log SELECT code FROM roomcode_create('r-3', '[\"a\", \"b\"]')",
    # mints viewer and disables guest, undone by hand (or by SQLite's rollback) on failure
    "create_disabling_in_insert":
        "INSERT INTO log SELECT code FROM roomcode_create('r-1', '[\"host\", \"viewer\"]')",
    "new": "SELECT roomcode_new('r-1', 'viewer')",
    "insert": "INSERT INTO room_codes(room_id, role) VALUES ('r-3', 'a'), ('r-3', 'b')",
    "update": "UPDATE room_codes SET enabled = 0 WHERE room_id = 'r-1'",
    "delete": "DELETE FROM room_codes WHERE room_id = 'r-1'",
}

MODES = {
    "autocommit": "",
    "begin": "BEGIN; INSERT INTO marker VALUES (1);",
    "savepoint": "BEGIN; INSERT INTO marker VALUES (1); SAVEPOINT outer_sp;",
}


def state(db):
    """Every row of the store (minted codes as 'minted'), the marker and the log."""
    codes = db.execute("SELECT code, room_id, role, enabled, user_id FROM room_codes_store"
                       " ORDER BY room_id, role, enabled, code").fetchall()
    codes = [(c if c in KNOWN else "minted",) + tuple(rest) for c, *rest in codes]
    return (sorted(codes, key=repr), db.execute("SELECT count(*) FROM marker").fetchone(),
            db.execute("SELECT count(*) FROM log").fetchone(),
            db.execute("SELECT c IN %s FROM w" % (KNOWN,)).fetchall())


class Interrupts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # a file database (another connection must be able to check the locks), in memory
        # where the machine has a tmpfs: thousands of runs, each with its journal
        cls.dir = tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm")
                                              else None)
        cls.template = os.path.join(cls.dir.name, "template.db")
        db = connect(cls.template, isolation_level=None)
        db.executescript(SETUP)
        db.close()
        with open(cls.template, "rb") as f:
            cls.image = f.read()
        cls.path = os.path.join(cls.dir.name, "codes.db")

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def fresh(self):
        for suffix in ("-journal", "-wal"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)
        with open(self.path, "wb") as f:
            f.write(self.image)
        db = connect(self.path, isolation_level=None, timeout=0)
        db.execute("PRAGMA synchronous = OFF")
        return db

    def run_once(self, sql, mode, at=None, kind="return"):
        """Runs sql after mode's setup, interrupted at the at-th progress check; returns
        (error or None, checks seen, the connection)."""
        db = self.fresh()
        db.executescript(MODES[mode])
        seen = [0]

        def handler():
            seen[0] += 1
            if seen[0] == at:
                if kind == "return":
                    return 1
                db.interrupt()
            return 0
        db.set_progress_handler(handler, 1)
        error = None
        try:
            db.execute(sql).fetchall()
        except sqlite3.Error as e:
            error = e
        db.set_progress_handler(None, 1)
        return error, seen[0], db

    def check_other_can_write(self, where):
        other = sqlite3.connect(self.path, isolation_level=None, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError as e:
            self.fail("%s: another connection cannot write: %s" % (where, e))
        finally:
            other.close()

    def sweep(self, name, mode):
        sql = OPERATIONS[name]
        db = self.fresh()
        start = state(db)
        db.executescript(MODES[mode])
        started = state(db)
        db.close()
        error, total, db = self.run_once(sql, mode)
        self.assertIsNone(error, "%s %s without interrupt" % (name, mode))
        done = state(db)
        db.close()
        self.assertGreater(total, 0)
        stride = int(os.environ.get("ROOMCODE_INTERRUPT_STRIDE", "24"))
        for kind in ("return", "flag"):
            offset = random.randrange(stride)
            points = [n for n in range(1, total + 1)
                      if n % stride == offset or n > total - 30]
            for n in points:
                where = "%s in %s, interrupted (%s) at check %d of %d" % (
                    name, mode, kind, n, total)
                error, _, db = self.run_once(sql, mode, n, kind)
                try:
                    now = state(db)
                    if error is None:
                        self.assertEqual(now, done, where)
                    else:
                        self.assertIsInstance(error, sqlite3.OperationalError, where)
                        self.assertIn("interrupted", str(error), where)
                        # nothing done, or all of it (an interrupt that comes after
                        # the work was committed still fails the statement, in SQLite
                        # as for any INSERT); inside BEGIN also the caller's whole
                        # transaction rolled back
                        if mode == "autocommit" or not db.in_transaction:
                            self.assertFalse(db.in_transaction, where)
                            self.assertIn(now, (start, done) if mode == "autocommit"
                                          else (start,), where)
                        else:
                            self.assertIn(now, (started, done), where)
                            if mode == "savepoint":
                                db.execute("RELEASE outer_sp")
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    self.check_other_can_write(where)
                    # the connection works on: an autocommit write lasts
                    db.execute("SELECT roomcode_new('r-9', 'host')")
                    self.assertFalse(db.in_transaction, where)
                finally:
                    db.close()


def make_test(name, mode):
    return lambda self: self.sweep(name, mode)


for _name in OPERATIONS:
    for _mode in MODES:
        setattr(Interrupts, "test_%s_%s" % (_name, _mode), make_test(_name, _mode))

if __name__ == "__main__":
    unittest.main()
