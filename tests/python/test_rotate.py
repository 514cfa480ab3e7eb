"""roomcode_rotate(code) from Python's sqlite3: a refusal leaves every stored value as it was
(DEFENSIVE on and off), two connections rotating one code get one successor between them,
a rotation waits for another connection's write lock on the busy timeout and gives it up
cleanly when the timeout runs out, and other connections see the result."""
import os
import sqlite3
import tempfile
import threading
import unittest

from roomcode_test_support import connect
from roomcode_test_support import set_defensive


def rows(db):
    """Every stored value, timestamps included."""
    return db.execute("SELECT * FROM room_codes_store ORDER BY code").fetchall()


class Rotate(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "codes.db")
        self.db = self.open()
        self.db.executescript("""
            CREATE VIRTUAL TABLE room_codes USING roomcode;
            INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hij', 'r-1', 'host');
            INSERT INTO room_codes(code, room_id, role, user_id)
              VALUES ('abc-defg-hik', 'r-1', 'guest', 'u-7');
            INSERT INTO room_codes(code, room_id, role, enabled)
              VALUES ('abc-defg-hil', 'r-1', 'guest', 0);
        """)

    def tearDown(self):
        self.db.close()
        self.dir.cleanup()

    def open(self, timeout=5.0, **kwargs):
        return connect(self.path, timeout=timeout, isolation_level=None,
                       check_same_thread=False, **kwargs)

    def test_successor_of_the_same_room_role_and_user(self):
        new = self.db.execute("SELECT roomcode_rotate('abc-defg-hik')").fetchone()[0]
        self.assertNotEqual(new, "abc-defg-hik")
        self.assertEqual(self.db.execute(
            "SELECT room_id, role, enabled, user_id, created_at = updated_at FROM room_codes"
            " WHERE code = ?", (new,)).fetchone(), ("r-1", "guest", 1, "u-7", 1))
        self.assertEqual(self.db.execute(
            "SELECT enabled FROM room_codes WHERE code = 'abc-defg-hik'").fetchone(), (0,))
        # the new code authenticates its user; the old one no longer does
        self.db.execute("SELECT roomcode_token(?, 'u-7', 'k', 's')", (new,))
        with self.assertRaisesRegex(sqlite3.OperationalError, "is disabled"):
            self.db.execute("SELECT roomcode_token('abc-defg-hik', 'u-7', 'k', 's')")

    def test_refusals_change_nothing(self):
        cases = [("abc-defg-hil", "roomcode: room code 'abc-defg-hil' is disabled"),
                 ("zzz-zzzz-zzz", "roomcode: unknown room code 'zzz-zzzz-zzz'"),
                 ("abc-defg-hi", "roomcode: malformed room code 'abc-defg-hi'"),
                 (None, "roomcode: malformed room code NULL"),
                 (b"abc-defg-hij", "roomcode: malformed room code a blob of 12 bytes")]
        for defensive in (False, True):
            set_defensive(self.db, defensive)
            for code, message in cases:
                with self.subTest(code=code, defensive=defensive):
                    before = rows(self.db)
                    with self.assertRaises(sqlite3.OperationalError) as cm:
                        self.db.execute("SELECT roomcode_rotate(?)", (code,))
                    self.assertEqual(str(cm.exception), message)
                    self.assertEqual(rows(self.db), before)
                    self.assertFalse(self.db.in_transaction)

    def test_full_room_is_refused_and_keeps_the_code(self):
        self.db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 97)"
                        " INSERT INTO room_codes(room_id, role) SELECT 'r-1', 'guest' FROM n")
        before = rows(self.db)
        with self.assertRaisesRegex(sqlite3.OperationalError,
                                    r"^roomcode: room 'r-1' already has 100 room codes \(limit 100\)$"):
            self.db.execute("SELECT roomcode_rotate('abc-defg-hij')")
        self.assertEqual(rows(self.db), before)

    def test_defensive_rotation(self):
        set_defensive(self.db, True)
        new = self.db.execute("SELECT roomcode_rotate('abc-defg-hij')").fetchone()[0]
        self.assertEqual(self.db.execute(
            "SELECT count(*) FROM room_codes WHERE code IN ('abc-defg-hij', ?) AND enabled = 1",
            (new,)).fetchone(), (1,))

    def test_two_connections_rotating_one_code(self):
        for mode in ("wal", "delete"):
            with self.subTest(journal_mode=mode):
                self.db.execute(f"PRAGMA journal_mode = {mode}")
                code = self.db.execute("SELECT roomcode_new('race', 'host')").fetchone()[0]
                results, start = [], threading.Barrier(2)

                def rotate():
                    db = self.open()
                    try:
                        start.wait(timeout=10)
                        results.append(db.execute("SELECT roomcode_rotate(?)", (code,)).fetchone()[0])
                    except sqlite3.OperationalError as e:
                        results.append(e)
                    finally:
                        db.close()

                threads = [threading.Thread(target=rotate) for _ in range(2)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(timeout=30)
                    self.assertFalse(t.is_alive())
                codes = [r for r in results if isinstance(r, str)]
                errors = [str(r) for r in results if not isinstance(r, str)]
                self.assertEqual(len(codes), 1, results)
                self.assertEqual(errors, [f"roomcode: room code '{code}' is disabled"])
                self.assertEqual(self.db.execute(
                    "SELECT code, enabled FROM room_codes WHERE room_id = 'race' ORDER BY enabled"
                ).fetchall(), [(code, 0), (codes[0], 1)])
                self.db.execute("DELETE FROM room_codes WHERE room_id = 'race'")

    def test_waits_for_a_writer_then_rotates(self):
        writer = self.open()
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO room_codes(room_id, role) VALUES ('r-2', 'host')")
        release = threading.Timer(0.3, writer.commit)
        release.start()
        try:
            new = self.db.execute("SELECT roomcode_rotate('abc-defg-hij')").fetchone()[0]
        finally:
            release.join(timeout=10)
            writer.close()
        self.assertEqual(self.db.execute("SELECT count(*) FROM room_codes WHERE room_id = 'r-2'").fetchone(), (1,))
        # another connection sees the rotation
        other = self.open()
        try:
            self.assertEqual(other.execute(
                "SELECT code, enabled FROM room_codes WHERE room_id = 'r-1' AND role = 'host'"
                " ORDER BY enabled").fetchall(), [("abc-defg-hij", 0), (new, 1)])
        finally:
            other.close()

    def test_busy_leaves_nothing_behind(self):
        impatient = self.open(timeout=0)
        writer = self.open()
        try:
            before = rows(self.db)
            writer.execute("BEGIN IMMEDIATE")
            with self.assertRaisesRegex(sqlite3.OperationalError, "^roomcode: database is locked$"):
                impatient.execute("SELECT roomcode_rotate('abc-defg-hij')")
            self.assertFalse(impatient.in_transaction)
            writer.rollback()
            self.assertEqual(rows(self.db), before)
            # and the connection works on once the lock is free
            self.assertIsNotNone(impatient.execute("SELECT roomcode_rotate('abc-defg-hij')").fetchone()[0])
        finally:
            writer.close()
            impatient.close()

    def test_inside_a_transaction_rolls_back_with_it(self):
        before = rows(self.db)
        self.db.execute("BEGIN")
        self.db.execute("SELECT roomcode_rotate('abc-defg-hij')")
        self.assertEqual(self.db.execute("SELECT count(*) FROM room_codes").fetchone(), (4,))
        self.db.execute("ROLLBACK")
        self.assertEqual(rows(self.db), before)


if __name__ == "__main__":
    unittest.main()
