"""enabled takes exactly what the store's own column takes: each value is written through
the table (INSERT and UPDATE) and into a plain table with the store's definition of
enabled (INTEGER affinity, CHECK integer 0 or 1); both take it or both refuse it, and what
is stored is the same integer. Drivers such as PDO bind every value as text."""
import unittest

from roomcode_test_support import connect

VALUES = ["1", "0", " 1", "1 ", " 0 ", "\t1", "1\n", "1.0", "1e0", "+1", "01", "-0", "-0.0",
          "0.0e5", "1.00000000000000001", "0x1", "1.5", "true", "", "１", "2", "-1",
          "9223372036854775808", "1.", ".5", ".", "1e", "1e+0", "- 1", "+-1", "1 0", "1e400",
          "1e-400", "0e99999", "10e-1", "0.1E1", b"1", b"", 1, 0, 2, -1, 1.0, 0.0, -0.0, 0.5,
          0.9999999999999999, 1.0000000000000002, 9223372036854775807]


class EnabledValues(unittest.TestCase):
    def setUp(self):
        self.db = connect(isolation_level=None)
        self.db.executescript("""
            CREATE VIRTUAL TABLE room_codes USING roomcode;
            CREATE TABLE plain(e INTEGER NOT NULL
              CHECK (typeof(e) = 'integer' AND e IN (0, 1)));
        """)

    def tearDown(self):
        self.db.close()

    def plain(self, value):
        try:
            self.db.execute("DELETE FROM plain")
            self.db.execute("INSERT INTO plain VALUES (?)", (value,))
        except Exception:
            return None
        return self.db.execute("SELECT e, typeof(e) FROM plain").fetchone()

    def test_insert_takes_what_the_store_takes(self):
        for i, value in enumerate(VALUES):
            code = "abc-defg-%s" % "".join(chr(97 + (i // 26 ** k) % 26) for k in (2, 1, 0))
            want = self.plain(value)
            try:
                self.db.execute("INSERT INTO room_codes(code, room_id, role, enabled)"
                                " VALUES (?, 'r', 'h', ?)", (code, value))
                got = self.db.execute("SELECT enabled, typeof(enabled) FROM room_codes_store"
                                      " WHERE code = ?", (code,)).fetchone()
            except Exception as e:
                self.assertIn("roomcode: enabled must be 1 or 0, not", str(e), repr(value))
                got = None
            self.assertEqual(got, want, repr(value))

    def test_update_takes_what_the_store_takes(self):
        self.db.execute("INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hij', 'r', 'h')")
        for value in VALUES:
            want = self.plain(value)
            before = self.db.execute("SELECT enabled FROM room_codes_store").fetchone()
            try:
                self.db.execute("UPDATE room_codes SET enabled = ? WHERE code = 'abc-defg-hij'",
                                (value,))
                got = self.db.execute("SELECT enabled, typeof(enabled) FROM room_codes_store"
                                      ).fetchone()
            except Exception as e:
                self.assertIn("roomcode: enabled must be 1 or 0, not", str(e), repr(value))
                self.assertEqual(self.db.execute("SELECT enabled FROM room_codes_store")
                                 .fetchone(), before)
                got = None
            self.assertEqual(got, want, repr(value))


if __name__ == "__main__":
    unittest.main()
