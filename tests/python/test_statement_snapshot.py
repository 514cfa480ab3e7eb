"""A statement that reads room_codes and mints or disables codes sees, in every cursor, the
codes as they were when it started: also the inner side of a self-join and a correlated
subquery, which SQLite filters again for each outer row, after codes were minted or
disabled (a disabled code shows its enabled and updated_at from before). A statement
started later (while the first is paused) reads the table as it is. And roomcode_create
inside a statement that itself writes, undone by hand, puts back the codes it disabled."""
import sqlite3
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

    def rows(self, where="1"):
        return self.db.execute("SELECT code, enabled, user_id, updated_at FROM room_codes"
                               " WHERE " + where + " ORDER BY code").fetchall()

    def test_correlated_count_beside_rotate(self):
        # every row counts the 3 enabled codes there were, not those left after a rotation
        rows = self.db.execute(
            "SELECT roomcode_rotate(a.code) IS NOT NULL, (SELECT count(*) FROM room_codes c"
            " WHERE c.room_id = a.room_id AND c.enabled) FROM room_codes a"
            " WHERE a.room_id = 'r'").fetchall()
        self.assertEqual(rows, [(1, 3)] * 3)
        self.assertEqual((self.count(), self.count("enabled = 1")), (6, 3))

    def test_rotated_code_shows_its_values_before(self):
        before = self.rows()
        by_code = {code: (enabled, updated_at) for code, enabled, _, updated_at in before}
        # each later read of a code already rotated shows it enabled, with its old updated_at
        seen = self.db.execute(
            "SELECT a.code, roomcode_rotate(a.code) IS NOT NULL,"
            " (SELECT group_concat(c.code || ':' || c.enabled || ':' || c.updated_at, ',')"
            "  FROM (SELECT * FROM room_codes c WHERE c.room_id = 'r' ORDER BY c.code) c)"
            " FROM room_codes a WHERE a.room_id = 'r' ORDER BY a.code").fetchall()
        expected = ",".join("%s:%d:%s" % (c, by_code[c][0], by_code[c][1])
                            for c in sorted(by_code))
        self.assertEqual([s for (_, _, s) in seen], [expected] * 3)
        after = {code: enabled for code, enabled, _, _ in self.rows()}
        self.assertEqual([after[c] for c in by_code], [0, 0, 0])

    def test_self_join_over_rotate(self):
        # b is filtered again for each a, after earlier rows were rotated: still 3 enabled
        # each a is rotated at its pair with itself, inside the join's loop
        pairs = self.db.execute(
            "SELECT count(*), sum(b.enabled) FROM room_codes a JOIN room_codes b"
            " ON b.room_id = a.room_id WHERE a.room_id = 'r'"
            " AND (b.code <> a.code OR roomcode_rotate(a.code) IS NOT NULL)").fetchone()
        self.assertEqual(pairs, (9, 9))
        self.assertEqual((self.count(), self.count("enabled = 1")), (6, 3))

    def test_lookup_by_code_beside_rotate(self):
        codes = [c for (c,) in self.db.execute("SELECT code FROM room_codes ORDER BY code")]
        # codes[0] is rotated at the first row; the lookup of the later rows still finds
        # it enabled (a lookup by code, correlated so that SQLite runs it for each row)
        rows = self.db.execute(
            "SELECT roomcode_rotate(a.code) IS NOT NULL, (SELECT c.enabled FROM room_codes c"
            " WHERE c.code = ? AND c.room_id = a.room_id) FROM room_codes a"
            " WHERE a.room_id = 'r' ORDER BY a.code", (codes[0],)).fetchall()
        self.assertEqual(rows, [(1, 1)] * 3)
        self.assertEqual(self.count("code = '%s' AND enabled = 0" % codes[0]), 1)

    def test_correlated_count_beside_create(self):
        # create disables the codes of roles not listed; later rows still count them
        rows = self.db.execute(
            "SELECT (SELECT count(*) FROM roomcode_create('r', json_array(a.role))),"
            " (SELECT count(*) FROM room_codes c WHERE c.room_id = 'r' AND c.enabled)"
            " FROM room_codes a WHERE a.room_id = 'r' ORDER BY a.code").fetchall()
        self.assertEqual([n for (_, n) in rows], [3, 3, 3])
        self.assertEqual(self.count("room_id = 'r' AND enabled = 1"), 1)

    def test_a_later_statement_sees_the_disable(self):
        paused = self.db.execute("SELECT code FROM room_codes WHERE room_id = 'r'")
        code = paused.fetchone()[0]
        self.db.execute("SELECT roomcode_rotate(?)", (code,)).fetchall()
        self.assertEqual(self.count("code = '%s' AND enabled = 0" % code), 1)
        paused.fetchall()

    def test_create_inside_insert_select(self):
        self.db.execute("CREATE TABLE log(code, n)")
        self.db.execute(
            "INSERT INTO log SELECT x.code, (SELECT count(*) FROM room_codes c"
            " WHERE c.room_id = 'r' AND c.enabled)"
            " FROM room_codes a, roomcode_create('r', json_array(a.role)) x"
            " WHERE a.room_id = 'r'")
        # each create kept one role; the count beside it is the one the statement began with
        self.assertEqual([n for (n,) in self.db.execute("SELECT n FROM log")], [3, 3, 3])

    def test_no_read_open_at_the_write(self):
        # the limit docs/sql-reference.md names: no cursor of room_codes was open when the
        # rotation wrote, so the reads started after it see the new code and the disable
        code = self.db.execute("SELECT code FROM room_codes ORDER BY code").fetchone()[0]
        row = self.db.execute("SELECT roomcode_rotate(?) IS NOT NULL, (SELECT count(*) FROM"
                              " room_codes), (SELECT enabled FROM room_codes WHERE code = ?)",
                              (code, code)).fetchone()
        self.assertEqual(row, (1, 4, 0))

    def test_more_than_four_statements_read_live(self):
        # the other limit: with 4 statements of the app paused, the one that rotates is the
        # fifth running, and its later reads see what it wrote
        self.db.executescript("CREATE TABLE p(x); INSERT INTO p VALUES (1), (2);")
        paused = [self.db.execute("SELECT x FROM p") for _ in range(4)]
        for p in paused:
            p.fetchone()
        rows = self.db.execute(
            "SELECT roomcode_rotate(a.code) IS NOT NULL, (SELECT count(*) FROM room_codes c"
            " WHERE c.room_id = a.room_id) FROM room_codes a WHERE a.room_id = 'r'").fetchall()
        self.assertEqual(rows, [(1, 4), (1, 5), (1, 6)])
        for p in paused:
            p.fetchall()
        paused = [self.db.execute("SELECT x FROM p") for _ in range(3)]
        for p in paused:
            p.fetchone()
        rows = self.db.execute(
            "SELECT roomcode_rotate(a.code) IS NOT NULL, (SELECT count(*) FROM room_codes c"
            " WHERE c.room_id = a.room_id AND c.enabled) FROM room_codes a"
            " WHERE a.room_id = 'r' AND a.enabled").fetchall()
        self.assertEqual(rows, [(1, 3)] * 3)

    def test_undo_by_hand_restores_disables(self):
        # roomcode_create inside INSERT ... SELECT inside BEGIN: no savepoint can be opened,
        # so a failure is undone by hand. A trigger of the app's on the store refuses the
        # disable of c after b's: the undo enables b again with its updated_at from before
        # and deletes the code minted for 'n'. The INSERT into log, with no statement
        # journal, keeps nothing SQLite would roll back for us.
        self.db.executescript("""
            CREATE TABLE log(code);
            CREATE TRIGGER deny AFTER UPDATE OF enabled ON room_codes_store
              WHEN NEW.role = 'c' BEGIN SELECT RAISE(ABORT, 'no disabling c'); END;
        """)
        before = self.rows()
        self.db.execute("BEGIN")
        with self.assertRaisesRegex(sqlite3.Error, "no disabling c"):
            self.db.execute("INSERT INTO log SELECT code FROM roomcode_create('r', '[\"a\", \"n\"]')")
        self.assertTrue(self.db.in_transaction)
        self.assertEqual(self.rows(), before)
        self.assertEqual(self.count("1"), 3)
        self.db.execute("COMMIT")
        self.assertEqual(self.rows(), before)

    def test_undo_by_hand_restores_a_bound_code(self):
        # the row comes back whole: enabled, user_id and updated_at as they were
        self.db.executescript("""
            CREATE TABLE log(code);
            UPDATE room_codes SET user_id = 'u-1' WHERE role = 'b';
            CREATE TRIGGER deny AFTER UPDATE OF enabled ON room_codes_store
              WHEN NEW.role = 'c' BEGIN SELECT RAISE(ABORT, 'no disabling c'); END;
        """)
        before = self.rows()
        self.db.execute("BEGIN")
        with self.assertRaisesRegex(sqlite3.Error, "no disabling c"):
            self.db.execute("INSERT INTO log SELECT code FROM roomcode_create('r', '[\"a\"]')")
        self.assertEqual(self.rows(), before)
        self.db.execute("ROLLBACK")


if __name__ == "__main__":
    unittest.main()
