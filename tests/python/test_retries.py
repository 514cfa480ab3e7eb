"""A call runs its work once: only a schema change under it (the table dropped, renamed or
re-created by another connection) makes it look the table up and run again. An error of
any other kind, here from an app's own trigger on the store, is final."""
import os
import sqlite3
import tempfile
import unittest

from roomcode_test_support import connect


class Retries(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "codes.db")
        self.db = connect(self.path, isolation_level=None)
        self.calls = 0

        def audit():
            self.calls += 1
            raise ValueError("audit refused")
        self.db.create_function("audit", 0, audit)
        self.db.executescript("""
            CREATE VIRTUAL TABLE room_codes USING roomcode;
            INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hij', 'r', 'host');
            CREATE TRIGGER audit_insert AFTER INSERT ON room_codes_store BEGIN
              SELECT audit();
            END;
        """)

    def tearDown(self):
        self.db.close()
        self.dir.cleanup()

    def test_a_failing_write_runs_once(self):
        for sql in ("SELECT roomcode_new('r', 'guest')", "SELECT roomcode_rotate('abc-defg-hij')",
                    "SELECT * FROM roomcode_create('r', '[\"viewer\"]')"):
            with self.subTest(sql=sql):
                self.calls = 0
                with self.assertRaises(sqlite3.OperationalError) as cm:
                    self.db.execute(sql).fetchall()
                self.assertIn("user-defined function raised exception", str(cm.exception))
                self.assertEqual(self.calls, 1)
                self.assertEqual(self.db.execute("SELECT code, enabled FROM room_codes_store")
                                 .fetchall(), [("abc-defg-hij", 1)])

    def test_a_table_recreated_by_another_connection_is_followed(self):
        other = connect(self.path, isolation_level=None)
        self.db.execute("DROP TRIGGER audit_insert")
        self.db.execute("SELECT roomcode_new('r', 'guest')")
        other.executescript("DROP TABLE room_codes; CREATE VIRTUAL TABLE room_codes USING roomcode;")
        other.close()
        code = self.db.execute("SELECT roomcode_new('r2', 'host')").fetchone()[0]
        self.assertEqual(self.db.execute("SELECT code FROM room_codes_store").fetchall(), [(code,)])


if __name__ == "__main__":
    unittest.main()
