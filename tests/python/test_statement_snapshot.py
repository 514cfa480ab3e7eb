"""A statement that reads room_codes and mints codes sees, in every cursor, the codes as
they were when it started: also the inner side of a self-join and a correlated subquery,
which SQLite filters again for each outer row, after codes were minted. A statement
started later (while the first is paused) reads the table as it is."""
import unittest

from roomcode_test_support import connect


class StatementSnapshot(unittest.TestCase):
    def setUp(self):
        self.db = connect(isolation_level=None)
        self.db.executescript("""
            CREATE VIRTUAL TABLE room_codes USING roomcode;
            INSERT INTO room_codes(room_id, role) VALUES ('r', 'a'), ('r', 'b'), ('r', 'c');
        """)

    def tearDown(self):
        self.db.close()

    def count(self, where="1"):
        return self.db.execute("SELECT count(*) FROM room_codes WHERE " + where).fetchone()[0]

    def test_self_join_mints_one_per_pair(self):
        made = self.db.execute("SELECT count(roomcode_new(a.room_id, a.role)) FROM room_codes a"
                               " JOIN room_codes b USING (room_id)").fetchone()[0]
        self.assertEqual((made, self.count()), (9, 12))

    def test_self_join_by_role(self):
        made = self.db.execute("SELECT count(roomcode_new(a.room_id, a.role)) FROM room_codes a"
                               " JOIN room_codes b ON b.room_id = a.room_id AND b.role = a.role"
                               ).fetchone()[0]
        self.assertEqual((made, self.count()), (3, 6))

    def test_correlated_subquery_counts_the_rows_before(self):
        rows = self.db.execute("SELECT roomcode_new(a.room_id, a.role) IS NOT NULL,"
                               " (SELECT count(*) FROM room_codes c WHERE c.room_id = a.room_id)"
                               " FROM room_codes a").fetchall()
        self.assertEqual(rows, [(1, 3)] * 3)
        self.assertEqual(self.count(), 6)

    def test_exists_beside_rotate(self):
        # each rotation mints one code; none of them is seen by the EXISTS of a later row
        rows = self.db.execute(
            "SELECT roomcode_rotate(a.code) IS NOT NULL, EXISTS (SELECT 1 FROM room_codes x"
            " WHERE x.room_id = a.room_id AND x.code NOT IN ('%s'))" % "', '".join(
                c for (c,) in self.db.execute("SELECT code FROM room_codes"))
            + " FROM room_codes a").fetchall()
        self.assertEqual(rows, [(1, 0)] * 3)
        self.assertEqual((self.count(), self.count("enabled = 1")), (6, 3))

    def test_create_beside_a_join(self):
        made = self.db.execute(
            "SELECT count(*) FROM room_codes a JOIN room_codes b USING (room_id),"
            " roomcode_create('r2', json_array(a.role || b.role))").fetchone()[0]
        self.assertEqual(made, 9)
        self.assertEqual(self.count("room_id = 'r2'"), 9)

    def test_a_later_statement_reads_live(self):
        paused = self.db.execute("SELECT code FROM room_codes")
        paused.fetchone()
        code = self.db.execute("SELECT roomcode_new('z', 'h')").fetchone()[0]
        self.assertEqual(self.count("code = '%s'" % code), 1)
        self.assertEqual(self.count("room_id = 'z'"), 1)
        self.assertEqual(len(paused.fetchall()), 2)
        inside = self.db.execute("SELECT roomcode_new('z', 'h') FROM room_codes WHERE room_id = 'r'"
                                 ).fetchall()
        self.assertEqual(len(inside), 3)
        self.assertEqual(self.count("room_id = 'z'"), 4)


if __name__ == "__main__":
    unittest.main()
