"""Every row of the errors table in docs/errors.md: the message, and the error code a function and
a statement on the table give for it (a function's refusal is SQLITE_ERROR, the table's
SQLITE_CONSTRAINT)."""
import os
import re
import sqlite3
import tempfile
import unittest

from roomcode_test_support import ROOT, connect

LONG = "x" * 300

# case -> (setup SQL, the function's statement, the table statement); None where the
# the errors table in docs/errors.md leaves the column empty.
CASES = {
    "the 101st code of a room": (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)"
        " INSERT INTO room_codes(room_id, role) SELECT 'r-42', 'guest' FROM n",
        "SELECT roomcode_new('r-42', 'guest')",
        "INSERT INTO room_codes(room_id, role) VALUES ('r-42', 'guest')"),
    "a code stored already": (
        "INSERT INTO room_codes(code, room_id, role) VALUES ('xvm-wxwo-gbl', 'r', 'h')",
        None,
        "INSERT INTO room_codes(code, room_id, role) VALUES ('xvm-wxwo-gbl', 'r', 'h')"),
    "a code that is not one": (
        "",
        "SELECT roomcode_token('xvm-wxwo-gb', 'u', 'k', 's')",
        "INSERT INTO room_codes(code, room_id, role) VALUES ('xvm-wxwo-gb', 'r', 'h')"),
    "room_id, role, user_id NULL": (
        "",
        "SELECT roomcode_new(NULL, 'h')",
        "INSERT INTO room_codes(room_id, role) VALUES (NULL, 'h')"),
    "not text": (
        "",
        "SELECT roomcode_new('r', 5)",
        "INSERT INTO room_codes(room_id, role) VALUES ('r', 5)"),
    "empty": (
        "",
        "SELECT roomcode_new('', 'h')",
        "INSERT INTO room_codes(room_id, role) VALUES ('', 'h')"),
    "longer than 256 bytes": (
        "",
        f"SELECT roomcode_new('{LONG}', 'h')",
        f"INSERT INTO room_codes(room_id, role) VALUES ('{LONG}', 'h')"),
    "control character, NUL byte, bad UTF-8": (
        "",
        "SELECT roomcode_new('r' || char(10) || '1', 'h')",
        "INSERT INTO room_codes(room_id, role) VALUES ('r' || char(10) || '1', 'h')"),
    "enabled not 0 or 1": (
        "INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r', 'h')",
        None,
        "UPDATE room_codes SET enabled = 2 WHERE code = 'aaa-aaaa-aaa'"),
    "changing identity": (
        "INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r', 'host')",
        None,
        "UPDATE room_codes SET role = 'guest' WHERE code = 'aaa-aaaa-aaa'"),
    "given timestamps": (
        "",
        None,
        "INSERT INTO room_codes(room_id, role, created_at) VALUES ('r', 'h', '2020-01-01T00:00:00.000Z')"),
    "roles not a non-empty JSON array of names": (
        "",
        "SELECT * FROM roomcode_create('r', '[]')",
        None),
    "token for a disabled code": (
        "INSERT INTO room_codes(code, room_id, role, enabled) VALUES ('abc-defg-hij', 'r', 'h', 0)",
        "SELECT roomcode_token('abc-defg-hij', 'u', 'k', 's')",
        None),
    "token for an unknown code": (
        "",
        "SELECT roomcode_token('zzz-zzzz-zzz', 'u', 'k', 's')",
        None),
    "token for someone else's code": (
        "INSERT INTO room_codes(code, room_id, role, user_id) VALUES ('abc-defg-hij', 'r', 'h', 'alice')",
        "SELECT roomcode_token('abc-defg-hij', 'bob', 'k', 's')",
        None),
    "token for a stored name that is not UTF-8 (written by another client)": (
        "INSERT INTO room_codes_store(code, room_id, role) VALUES ('abc-defg-hij', CAST(x'72ff' AS TEXT), 'h')",
        "SELECT roomcode_token('abc-defg-hij', 'u', 'k', 's')",
        None),
    "bad ttl": (
        "",
        "SELECT roomcode_token('abc-defg-hij', 'u', 'k', 's', 0)",
        None),
    "a display name of a LiveKit or Jitsi token that is empty (or not text, over 256 bytes, not UTF-8, with a NUL)": (
        "",
        "SELECT roomcode_livekit_token('abc-defg-hij', 'u', 'k', 's', 60, '')",
        None),
    "empty secret": (
        "",
        "SELECT roomcode_token('abc-defg-hij', 'u', 'k', '')",
        None),
    "bad route of a link": (
        "",
        "SELECT roomcode_link('xvm-wxwo-gbl', 'acme.app.100ms.live', 'lobby')",
        None),
    "base with a bad port": ("", "SELECT roomcode_link('xvm-wxwo-gbl', 'x.com:99999')", None),
    "host with an empty label": ("", "SELECT roomcode_link('xvm-wxwo-gbl', 'a..b')", None),
    "base whose links would read as another code": (
        "",
        "SELECT roomcode_link('xvm-wxwo-gbl', 'https://x.com/meeting/conference')",
        None),
    "base whose path holds a dot segment (a URL parser would drop the code)": (
        "", "SELECT roomcode_link('xvm-wxwo-gbl', 'https://x.com/{code}/..')", None),
    "no table": (
        "DROP TABLE room_codes",
        "SELECT roomcode_new('r', 'h')",
        None),
    "`CREATE VIRTUAL TABLE` in a UTF-16 database": (
        "PRAGMA encoding = 'UTF-16le'",  # on the new file, before the table (see fresh)
        "CREATE VIRTUAL TABLE room_codes USING roomcode",
        None),
    "`CREATE VIRTUAL TABLE` beside a store it cannot adopt": (
        "DROP TABLE room_codes; CREATE TABLE room_codes_store(code, room)",
        "CREATE VIRTUAL TABLE room_codes USING roomcode",
        None),
    "renaming onto a name whose store is taken": (
        "CREATE TABLE codes_store(x)",
        "ALTER TABLE room_codes RENAME TO codes",
        None),
    "token without a user_id for a code bound to a user": (
        "INSERT INTO room_codes(code, room_id, role, user_id) VALUES ('abc-defg-hij', 'r', 'h', 'alice')",
        "SELECT roomcode_token('abc-defg-hij', NULL, 'k', 's')",
        None),
    "rotation of a disabled code": (
        "INSERT INTO room_codes(code, room_id, role, enabled) VALUES ('abc-defg-hij', 'r', 'h', 0)",
        "SELECT roomcode_rotate('abc-defg-hij')", None),
    "rotation of an unknown code": ("", "SELECT roomcode_rotate('zzz-zzzz-zzz')", None),
    "rotation in a full room (the disabled code still counts)": (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 99)"
        " INSERT INTO room_codes(room_id, role) SELECT 'r-42', 'guest' FROM n;"
        " INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hij', 'r-42', 'host')",
        "SELECT roomcode_rotate('abc-defg-hij')", None),
    "token (any platform) or `roomcode_resolve` for a code of a disabled room": (
        "INSERT INTO room_codes_templates VALUES ('class', 'teacher', '{}'), ('class', 'student', '{}'); INSERT INTO room_codes_rooms(room_id, template) VALUES ('math', 'class');"
        " INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hij', 'math', 'teacher');"
        " UPDATE room_codes_rooms SET enabled = 0",
        "SELECT roomcode_livekit_token('abc-defg-hij', 'u', 'k', 's')", None),
    "a code whose role is not one of its registered room's template": (
        "INSERT INTO room_codes_templates VALUES ('class', 'teacher', '{}'), ('class', 'student', '{}'); INSERT INTO room_codes_rooms(room_id, template) VALUES ('math', 'class');",
        "SELECT roomcode_new('math', 'janitor')",
        "INSERT INTO room_codes(room_id, role) VALUES ('math', 'janitor')"),
    "the same, written to the store directly": (
        "INSERT INTO room_codes_templates VALUES ('class', 'teacher', '{}'), ('class', 'student', '{}'); INSERT INTO room_codes_rooms(room_id, template) VALUES ('math', 'class');", None,
        "INSERT INTO room_codes_store(code, room_id, role) VALUES ('abc-defg-hij', 'math', 'janitor')"),
    "`roomcode_create(room_id)` of a room without a template": (
        "", "SELECT * FROM roomcode_create('lobby')", None),
    "permissions of another form": (
        "", None, "INSERT INTO room_codes_templates VALUES ('class', 'teacher', '{\"admin\": 1}')"),
    "a room naming a template without roles": (
        "", None, "INSERT INTO room_codes_rooms(room_id, template) VALUES ('math', 'class')"),
    "registering a room whose codes carry other roles": (
        "INSERT INTO room_codes_templates VALUES ('class', 'teacher', '{}');"
        " INSERT INTO room_codes(room_id, role) VALUES ('math', 'janitor')",
        None, "INSERT INTO room_codes_rooms(room_id, template) VALUES ('math', 'class')"),
    "deleting a role that codes carry": (
        "INSERT INTO room_codes_templates VALUES ('class', 'teacher', '{}'), ('class', 'student', '{}'); INSERT INTO room_codes_rooms(room_id, template) VALUES ('math', 'class'); INSERT INTO room_codes(room_id, role) VALUES ('math', 'student')",
        None, "DELETE FROM room_codes_templates WHERE role = 'student'"),
    "deleting the last role of a template that rooms use": (
        "INSERT INTO room_codes_templates VALUES ('class', 'teacher', '{}'), ('class', 'student', '{}'); INSERT INTO room_codes_rooms(room_id, template) VALUES ('math', 'class'); DELETE FROM room_codes_templates WHERE role = 'teacher'",
        None, "DELETE FROM room_codes_templates WHERE role = 'student'"),
    "renaming a template or role that rooms use": (
        "INSERT INTO room_codes_templates VALUES ('class', 'teacher', '{}'), ('class', 'student', '{}'); INSERT INTO room_codes_rooms(room_id, template) VALUES ('math', 'class');", None, "UPDATE room_codes_templates SET role = 'pupil' WHERE role = 'student'"),
    "renaming onto a name whose templates or rooms table is taken": (
        "CREATE TABLE codes_rooms(x)",
        "ALTER TABLE room_codes RENAME TO codes",
        None),
    "JSON of a stored name that is not UTF-8 (written by another client)": (
        "INSERT INTO room_codes_store(code, room_id, role) VALUES ('abc-defg-hij', 'r', CAST(x'c0af' AS TEXT))",
        "SELECT roomcode_json('abc-defg-hij')",
        None),
    "a role with a NUL (`\\u0000`) in roles": (
        "",
        "SELECT * FROM roomcode_create('r', '[\"host\", \"a\\u0000b\"]')",
        None),
    "something else named room_codes": (
        "CREATE TEMP VIEW room_codes AS SELECT * FROM main.room_codes",
        "SELECT roomcode_new('r', 'h')",
        None),
}


def documented_rows():
    """(case, message, function code, table code) of the errors table in docs/errors.md."""
    with open(os.path.join(ROOT, "docs", "errors.md"), encoding="utf-8") as f:
        section = f.read()
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1].startswith("`roomcode:"):
            rows.append((cells[0], cells[1].strip("`"), cells[2] or None, cells[3] or None))
    return rows


class ErrorsTable(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.tmp.name, "e.db")

    def tearDown(self):
        self.tmp.cleanup()

    def fresh(self, setup):
        if os.path.exists(self.path):
            os.remove(self.path)
        db = connect(self.path, isolation_level=None)
        if setup.startswith("PRAGMA encoding"):
            db.execute(setup)
            return db
        db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
        if setup:
            db.executescript(setup)
        return db

    def check(self, db, sql, message, code):
        with self.assertRaises(sqlite3.Error) as caught:
            db.execute(sql).fetchall()
        self.assertEqual(str(caught.exception), message)
        self.assertEqual(caught.exception.sqlite_errorname, code)
        self.assertFalse(db.in_transaction, "an error left a transaction open")

    def test_every_row(self):
        rows = documented_rows()
        self.assertGreaterEqual(len(rows), 20)
        for case, message, function_code, table_code in rows:
            if case.startswith("another connection holds"):
                continue  # test_busy
            with self.subTest(case=case):
                self.assertIn(case, CASES, "a documented row without a test")
                setup, function_sql, table_sql = CASES[case]
                self.assertEqual(function_sql is None, function_code is None)
                self.assertEqual(table_sql is None, table_code is None)
                for sql, code in ((function_sql, function_code), (table_sql, table_code)):
                    if sql:
                        db = self.fresh(setup)
                        self.check(db, sql, message, code)
                        db.close()
        self.assertEqual(set(CASES), {r[0] for r in rows} - {r[0] for r in rows
                                                             if r[0].startswith("another")})

    def test_busy(self):
        (message, function_code) = [(m, f) for c, m, f, _ in documented_rows()
                                    if c.startswith("another connection holds")][0]
        db = self.fresh("")
        other = connect(self.path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        db.execute("PRAGMA busy_timeout = 0")
        self.check(db, "SELECT roomcode_new('r', 'h')", message, function_code)
        other.execute("ROLLBACK")
        self.assertEqual(len(db.execute("SELECT roomcode_new('r', 'h')").fetchone()[0]), 12)
        db.close()
        other.close()

    def test_insert_or_ignore_skips_refusals(self):
        db = self.fresh(CASES["the 101st code of a room"][0])
        db.execute("INSERT OR IGNORE INTO room_codes(room_id, role) VALUES ('r-42', 'guest'), ('r-9', 'x')")
        self.assertEqual(db.execute("SELECT room_id, count(*) FROM room_codes GROUP BY 1").fetchall(),
                         [("r-42", 100), ("r-9", 1)])
        db.close()


    def test_another_modules_table_named_room_codes(self):
        db = self.fresh("")
        try:
            db.execute("CREATE VIRTUAL TABLE temp.room_codes USING rtree(id, a, b)")
        except sqlite3.OperationalError:
            db.close()
            self.skipTest("this SQLite has no rtree module")
        for sql in ("SELECT roomcode_new('r', 'h')", "SELECT * FROM roomcode_create('r', '[\"h\"]')"):
            self.check(db, sql, "roomcode: room_codes in schema 'temp' is a virtual table of another"
                       " module, not a roomcode virtual table", "SQLITE_ERROR")
        self.assertEqual(db.execute("SELECT count(*) FROM main.room_codes").fetchone(), (0,))
        db.close()

    def test_several_rows_in_one_statement(self):
        """What docs/sql-reference.md says of statements over several rows: each roomcode_new call is
        a write of its own; one INSERT ... SELECT is all or nothing."""
        db = self.fresh(CASES["the 101st code of a room"][0])
        db.execute("CREATE TABLE rooms(id TEXT, pos INTEGER)")
        db.execute("INSERT INTO rooms VALUES ('a', 1), ('b', 2), ('r-42', 3)")
        count = "SELECT count(*) FROM room_codes WHERE room_id IN ('a', 'b')"
        with self.assertRaises(sqlite3.OperationalError):
            db.execute("SELECT roomcode_new(id, 'g') FROM rooms ORDER BY pos").fetchall()
        self.assertEqual(db.execute(count).fetchone(), (2,))
        with self.assertRaises(sqlite3.IntegrityError):
            db.execute("INSERT INTO room_codes(room_id, role) SELECT id, 'g' FROM rooms ORDER BY pos")
        self.assertEqual(db.execute(count).fetchone(), (2,))
        db.execute("BEGIN")
        with self.assertRaises(sqlite3.OperationalError):
            db.execute("SELECT roomcode_new(id, 'g') FROM rooms ORDER BY pos").fetchall()
        db.execute("ROLLBACK")
        self.assertEqual(db.execute(count).fetchone(), (2,))
        db.close()


if __name__ == "__main__":
    unittest.main()
