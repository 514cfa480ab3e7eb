"""The claims of docs/security.md about what SQLite lets schema objects and other
clients do, checked on SQLite as installed: which functions a view or trigger may run,
what DEFENSIVE protects, and what a client able to run DDL can still undo."""
import math
import shutil
import sqlite3
import subprocess
import unittest

from reliability_support import EXTENSION, TempDir, connect


def shell(path, script, load=True, defensive=False):
    """Runs script through the sqlite3 shell on path; returns stdout and stderr together."""
    args = ["sqlite3", "-batch"]
    if load:
        args += ["-cmd", f".load {EXTENSION}"]
    if defensive:
        args += ["-cmd", ".dbconfig defensive on"]
    done = subprocess.run(args + [path], input=script, capture_output=True, text=True, timeout=60)
    return (done.stdout + done.stderr).replace("          defensive on\n", "")


class SchemaObjects(unittest.TestCase):
    """DIRECTONLY functions never run from a view or trigger; INNOCUOUS ones run there
    also under trusted_schema=OFF."""

    def setUp(self):
        self.db = connect(isolation_level=None)
        self.db.executescript("""
            CREATE VIRTUAL TABLE room_codes USING roomcode;
            INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hij', 'r', 'host');
            CREATE VIEW v_new AS SELECT roomcode_new('r', 'host');
            CREATE VIEW v_token AS SELECT roomcode_token('abc-defg-hij', 'u', 'key', 'secret');
            CREATE VIEW v_create AS SELECT * FROM roomcode_create('r', '["host"]');
            CREATE VIEW v_pure AS SELECT roomcode_valid('abc-defg-hij'), roomcode_normalize('ABC DEFG HIJ'),
                roomcode_link('abc-defg-hij', 'x.example'), length(roomcode_generate()), roomcode_version();
            CREATE VIEW v_table AS SELECT count(*) FROM room_codes;
        """)

    def tearDown(self):
        self.db.close()

    def test_writing_functions_refused_in_views(self):
        for trusted in ("ON", "OFF"):
            self.db.execute(f"PRAGMA trusted_schema = {trusted}")
            for view, name in (("v_new", "roomcode_new()"), ("v_token", "roomcode_token()"),
                               ("v_create", 'virtual table "roomcode_create"')):
                with self.subTest(view=view, trusted_schema=trusted):
                    with self.assertRaises(sqlite3.OperationalError) as caught:
                        self.db.execute(f"SELECT * FROM {view}").fetchall()
                    self.assertEqual(str(caught.exception), f"unsafe use of {name}")
        self.assertEqual(self.db.execute("SELECT count(*) FROM room_codes").fetchone(), (1,))

    def test_writing_functions_refused_in_triggers(self):
        self.db.executescript("""
            CREATE TABLE rooms(id TEXT);
            CREATE TRIGGER rooms_new AFTER INSERT ON rooms BEGIN SELECT roomcode_new(NEW.id, 'h'); END;
        """)
        with self.assertRaisesRegex(sqlite3.OperationalError, r"^unsafe use of roomcode_new\(\)$"):
            self.db.execute("INSERT INTO rooms VALUES ('r-2')")
        self.assertEqual(self.db.execute("SELECT count(*) FROM room_codes").fetchone(), (1,))

    def test_pure_functions_and_table_run_under_untrusted_schema(self):
        self.db.execute("PRAGMA trusted_schema = OFF")
        self.assertEqual(self.db.execute("SELECT * FROM v_pure").fetchone(),
                         (1, "abc-defg-hij", "https://x.example/meeting/abc-defg-hij", 12, "1.2.0"))
        self.assertEqual(self.db.execute("SELECT * FROM v_table").fetchone(), (1,))
        self.db.execute("CREATE TABLE typed(raw TEXT, code TEXT AS (roomcode_normalize(raw)),"
                        " CHECK (code IS NULL OR roomcode_valid(code)))")
        self.db.execute("INSERT INTO typed(raw) VALUES ('ABC DEFG HIJ')")
        self.assertEqual(self.db.execute("SELECT code FROM typed").fetchone(), ("abc-defg-hij",))


@unittest.skipUnless(shutil.which("sqlite3"), "needs the sqlite3 shell")
class Defensive(unittest.TestCase):
    """The store is a plain table, not a shadow table (current SQLite refuses to load
    triggers on a table a module claims as its shadow while DEFENSIVE is on), so under
    DEFENSIVE as everywhere its constraints and triggers are what keep the rules, for
    every writer. They do not stop DDL on the store's triggers."""

    def setUp(self):
        self.tmp = TempDir()
        self.path = self.tmp.file("d.db")
        out = shell(self.path, "CREATE VIRTUAL TABLE room_codes USING roomcode;\n"
                    "INSERT INTO room_codes(room_id, role) SELECT 'r', 'g' FROM generate_series(1, 100);\n")
        self.assertEqual(out, "")

    def tearDown(self):
        self.tmp.cleanup()

    def count(self):
        db = sqlite3.connect(self.path)
        try:
            return db.execute("SELECT count(*) FROM room_codes_store WHERE room_id = 'r'").fetchone()[0]
        finally:
            db.close()

    def test_store_keeps_the_rules_with_the_extension(self):
        out = shell(self.path, "\n".join([
            "INSERT INTO room_codes_store(code, room_id, role) VALUES ('zzz-zzzz-zzz', 'r', 'y');",
            "UPDATE room_codes_store SET room_id = 'x';",
            "UPDATE room_codes_store SET enabled = 5;",
            "INSERT INTO room_codes(room_id, role) VALUES ('r', 'g');", ""]), defensive=True)
        self.assertIn("roomcode: a room has at most 100 room codes (limit 100)", out)
        self.assertIn("roomcode: code, room_id, role and created_at of a room code never change", out)
        self.assertIn("CHECK constraint failed: enabled_is_0_or_1", out)
        self.assertIn("roomcode: room 'r' already has 100 room codes (limit 100)", out)
        self.assertEqual(self.count(), 100)

    def test_ddl_can_drop_the_cap_trigger_even_under_defensive(self):
        # A limitation of SQLite, like any constraint: who may run DDL owns the rules.
        out = shell(self.path, "DROP TRIGGER room_codes_store_cap;\n"
                    "INSERT INTO room_codes(room_id, role) VALUES ('r', 'g');\n"
                    "CREATE TRIGGER room_codes_store_extra BEFORE INSERT ON room_codes_store"
                    " BEGIN SELECT 1; END;\n", defensive=True)
        self.assertEqual(out, "")
        self.assertEqual(self.count(), 101)

    def test_identity_holds_through_the_table_without_its_trigger(self):
        out = shell(self.path, "DROP TRIGGER room_codes_store_fixed;\n"
                    "UPDATE room_codes SET room_id = 'x' WHERE room_id = 'r';\n", defensive=True)
        self.assertIn("roomcode: room_id of room code '", out)
        self.assertIn("' cannot change (from 'r' to 'x'); only enabled and user_id can", out)
        self.assertEqual(self.count(), 100)

    def test_without_the_extension_the_store_is_a_plain_table(self):
        out = shell(self.path, "\n".join([
            "INSERT INTO room_codes_store(code, room_id, role) VALUES ('zzz-zzzz-zzz', 'r', 'g');",
            "INSERT INTO room_codes_store(code, room_id, role) VALUES ('zzz-zzzz-zzz', 'x', 'g');",
            "INSERT INTO room_codes_store(code, room_id, role) VALUES ('ZZZ', 'x', 'g');", ""]),
            load=False, defensive=True)
        # the constraints and triggers still refuse every bad row ...
        self.assertIn("roomcode: a room has at most 100 room codes (limit 100)", out)
        self.assertIn("CHECK constraint failed: code_format", out)
        # ... but a good row goes in, and the triggers can be dropped
        db = sqlite3.connect(self.path)
        try:
            self.assertEqual(db.execute("SELECT room_id FROM room_codes_store"
                                        " WHERE code = 'zzz-zzzz-zzz'").fetchone(), ("x",))
        finally:
            db.close()
        self.assertEqual(shell(self.path, "DROP TRIGGER room_codes_store_cap;\n", load=False,
                               defensive=True), "")


class Arithmetic(unittest.TestCase):
    """The figures docs/security.md quotes."""

    def test_entropy_and_guessing(self):
        space = 26 ** 10
        self.assertEqual(space, 141_167_095_653_376)
        self.assertAlmostEqual(math.log2(space), 47.00, places=2)
        self.assertAlmostEqual(space / 1e6 / 1e8, 1.41, places=2)  # guesses to hit one of 1e6


if __name__ == "__main__":
    unittest.main()
