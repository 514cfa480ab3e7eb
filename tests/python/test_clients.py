"""The table as other clients and settings see it: a connection that never loaded the
extension, DEFENSIVE on, trusted_schema=OFF with an app's trigger, rename and drop,
attached schemas, and lookups that cost the same on a large table as on a tiny one."""
import os
import sqlite3
import tempfile
import unittest

from roomcode_test_support import connect, set_defensive


def templates_names(table):
    """The schema names of table's templates and rooms (sql/templates_*.sql), sorted: the
    rooms' six sort before "<table>_store", the templates' six after its triggers."""
    return sorted([f"{table}_rooms", f"{table}_templates"]
                  + [f"{table}_rooms_{t}" for t in ("codes", "codes_update", "role_of_code",
                                                     "template", "template_update")]
                  + [f"{table}_templates_{t}" for t in ("last_role", "permissions",
                                                         "permissions_update", "role_in_use",
                                                         "role_renamed")])

class WithFile(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "codes.db")
        db = connect(self.path)
        db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
        db.execute("INSERT INTO room_codes(code, room_id, role) VALUES "
                   "('aaa-aaaa-aaa', 'r-1', 'host'), ('bbb-bbbb-bbb', 'r-1', 'guest')")
        db.execute("INSERT INTO room_codes(room_id, role) SELECT 'r-full', 'guest' FROM "
                   "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
                   "SELECT i FROM n)")
        db.commit()
        db.close()

    def tearDown(self):
        self.dir.cleanup()

class WithoutTheExtension(WithFile):
    """A client that never loaded roomcode reads every code and cannot break a rule."""

    def setUp(self):
        super().setUp()
        self.db = connect(self.path, load=False)

    def tearDown(self):
        self.db.close()
        super().tearDown()

    def test_reads_every_code(self):
        rows = self.db.execute("SELECT code, room_id, role, enabled, user_id FROM room_codes_store "
                               "WHERE room_id = 'r-1' ORDER BY code").fetchall()
        self.assertEqual(rows, [("aaa-aaaa-aaa", "r-1", "host", 1, None),
                                ("bbb-bbbb-bbb", "r-1", "guest", 1, None)])
        self.assertEqual(self.db.execute("SELECT count(*) FROM room_codes_store").fetchone(), (102,))

    def test_virtual_table_needs_the_extension(self):
        with self.assertRaisesRegex(sqlite3.OperationalError, "no such module: roomcode"):
            self.db.execute("SELECT * FROM room_codes")

    def test_rules_hold_for_direct_writes(self):
        cases = [
            ("INSERT INTO room_codes_store(code, room_id, role) VALUES ('AAA-AAAA-AAC', 'r-2', 'h')",
             "CHECK constraint failed: code_format"),
            ("INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'h')",
             "roomcode: room code already exists; update its enabled or user_id instead"),
            ("INSERT INTO room_codes_store(code, room_id, role) VALUES ('ccc-cccc-ccc', 'r-full', 'h')",
             "roomcode: a room has at most 100 room codes (limit 100)"),
            ("INSERT INTO room_codes_store(code, room_id, role, enabled) VALUES ('ccc-cccc-ccc', 'r-2', 'h', 3)",
             "CHECK constraint failed: enabled_is_0_or_1"),
            ("INSERT INTO room_codes_store(code, room_id, role) VALUES ('ccc-cccc-ccc', '', 'h')",
             "CHECK constraint failed: room_id_format"),
            ("UPDATE room_codes_store SET room_id = 'r-2' WHERE code = 'aaa-aaaa-aaa'",
             "roomcode: code, room_id, role and created_at of a room code never change"),
            ("UPDATE room_codes_store SET code = 'ccc-cccc-ccc' WHERE code = 'aaa-aaaa-aaa'",
             "roomcode: code, room_id, role and created_at of a room code never change"),
        ]
        before = self.db.execute("SELECT * FROM room_codes_store ORDER BY code").fetchall()
        for sql, message in cases:
            with self.subTest(sql=sql):
                with self.assertRaises(sqlite3.IntegrityError) as caught:
                    self.db.execute(sql)
                self.assertEqual(str(caught.exception), message)
        self.db.commit()
        self.assertEqual(self.db.execute("SELECT * FROM room_codes_store ORDER BY code").fetchall(),
                         before)

    def test_allowed_direct_changes_keep_updated_at(self):
        self.db.execute("INSERT INTO room_codes_store(code, room_id, role, created_at, updated_at) VALUES "
                        "('ppp-pppp-ppp', 'r-2', 'h', '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z')")
        self.db.execute("UPDATE room_codes_store SET enabled = 0 WHERE code = 'ppp-pppp-ppp'")
        enabled, fresh = self.db.execute(
            "SELECT enabled, updated_at > '2020-01-01T00:00:00.000Z' FROM room_codes_store "
            "WHERE code = 'ppp-pppp-ppp'").fetchone()
        self.assertEqual((enabled, fresh), (0, 1))

class Defensive(WithFile):
    def test_store_keeps_its_rules_table_writable(self):
        db = connect(self.path)
        set_defensive(db, True)
        # the store is a plain table: a good row goes in, bad ones are refused by its rules
        db.execute("INSERT INTO room_codes_store(code, room_id, role) VALUES ('ccc-cccc-ccc', 'r', 'h')")
        for sql, message in [
                ("INSERT INTO room_codes_store(code, room_id, role) VALUES ('CCC', 'r', 'h')",
                 "CHECK constraint failed: code_format"),
                ("UPDATE room_codes_store SET enabled = 2", "CHECK constraint failed: enabled_is_0_or_1"),
                ("UPDATE room_codes_store SET room_id = 'x'", "roomcode: code, room_id, role and created_at")]:
            with self.subTest(sql=sql):
                with self.assertRaisesRegex(sqlite3.IntegrityError, message):
                    db.execute(sql)
        code = db.execute("SELECT roomcode_new('r-2', 'host')").fetchone()[0]
        db.execute("UPDATE room_codes SET enabled = 0 WHERE code = ?", (code,))
        rows = list(db.execute("SELECT * FROM roomcode_create('r-3', '[\"host\"]')"))
        db.execute("DELETE FROM room_codes WHERE code = 'aaa-aaaa-aaa'")
        db.commit()
        self.assertEqual(len(rows), 1)
        self.assertEqual(db.execute("SELECT enabled FROM room_codes WHERE code = ?", (code,)).fetchone(), (0,))
        self.assertEqual(db.execute("SELECT count(*) FROM room_codes WHERE code = 'aaa-aaaa-aaa'").fetchone(), (0,))
        # a new table is made under DEFENSIVE too, triggers and all
        db.execute("CREATE VIRTUAL TABLE more_codes USING roomcode")
        triggers = db.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' "
                              "AND tbl_name = 'more_codes_store'").fetchone()
        self.assertEqual(triggers, (5,))  # the store's four, and the templates' one
        db.close()

class Schemas(unittest.TestCase):
    def setUp(self):
        self.db = connect()
        self.db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")

    def tearDown(self):
        self.db.close()

    def names(self, schema="main"):
        return sorted(r[0] for r in self.db.execute(f"SELECT name FROM {schema}.sqlite_schema"))

    def test_app_trigger_with_trusted_schema_off(self):
        self.db.execute("PRAGMA trusted_schema = OFF")
        self.db.executescript("""
            CREATE TABLE rooms(id TEXT PRIMARY KEY);
            CREATE TRIGGER rooms_get_codes AFTER INSERT ON rooms BEGIN
              INSERT INTO room_codes(room_id, role) VALUES (NEW.id, 'host'), (NEW.id, 'guest');
            END;
        """)
        self.db.execute("INSERT INTO rooms VALUES ('r-9')")
        roles = [r[0] for r in self.db.execute(
            "SELECT role FROM room_codes WHERE room_id = 'r-9' ORDER BY role")]
        self.assertEqual(roles, ["guest", "host"])
        # the writing functions stay out of reach of schema objects
        self.db.execute("CREATE TRIGGER rooms_new AFTER INSERT ON rooms BEGIN "
                        "SELECT roomcode_new(NEW.id, 'viewer'); END")
        with self.assertRaisesRegex(sqlite3.OperationalError, "unsafe use of roomcode_new"):
            self.db.execute("INSERT INTO rooms VALUES ('r-10')")

    def test_rename_and_drop(self):
        self.db.execute("INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r', 'h')")
        self.db.execute("ALTER TABLE room_codes RENAME TO codes")
        # a named index keeps its name through ALTER TABLE (SQLite cannot drop one while the
        # statement runs); the table gives it its own name when it next connects
        self.assertEqual(self.names(), ["codes"] + templates_names("codes")[:6] + [
                                        "codes_store", "codes_store_cap", "codes_store_fixed",
                                        "codes_store_no_replace", "codes_store_touch"]
                         + templates_names("codes")[6:] + [
                                        "room_codes_store_user_id",
                                        "sqlite_autoindex_codes_rooms_2",
                                        "sqlite_autoindex_codes_store_2"])
        self.assertEqual(self.db.execute("SELECT role FROM codes WHERE code = 'aaa-aaaa-aaa'").fetchone(), ("h",))
        with self.assertRaisesRegex(sqlite3.IntegrityError, "already exists"):
            self.db.execute("INSERT INTO codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r', 'h')")
        # roomcode_new follows the name "room_codes", which is now free
        with self.assertRaisesRegex(sqlite3.OperationalError, "no room_codes table here"):
            self.db.execute("SELECT roomcode_new('r', 'h')")
        self.db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
        self.assertIsNotNone(self.db.execute("SELECT roomcode_new('r', 'h')").fetchone()[0])
        self.db.execute("DROP TABLE codes")
        self.assertEqual(self.names(), ["room_codes"] + templates_names("room_codes")[:6] + [
                                        "room_codes_store", "room_codes_store_cap",
                                        "room_codes_store_fixed", "room_codes_store_no_replace",
                                        "room_codes_store_touch",
                                        # made while codes_store's index still held the name
                                        # (no DDL on connect inside the open transaction)
                                        "room_codes_store_user_id_2"]
                         + templates_names("room_codes")[6:] + [
                                        "sqlite_autoindex_room_codes_rooms_2",
                                        "sqlite_autoindex_room_codes_store_2"])

    def test_attached_schema(self):
        with tempfile.TemporaryDirectory() as d:
            self.db.execute("ATTACH ? AS aux", (os.path.join(d, "aux.db"),))
            self.db.execute("CREATE VIRTUAL TABLE aux.room_codes USING roomcode")
            self.db.execute("INSERT INTO aux.room_codes(code, room_id, role) VALUES ('ccc-cccc-ccc', 'r', 'h')")
            # the same code may live in another database's table, not twice in one
            self.db.execute("INSERT INTO main.room_codes(code, room_id, role) VALUES ('ccc-cccc-ccc', 'r', 'h')")
            with self.assertRaisesRegex(sqlite3.IntegrityError, "already exists"):
                self.db.execute("INSERT INTO aux.room_codes(code, room_id, role) VALUES ('ccc-cccc-ccc', 'x', 'y')")
            self.assertIn("room_codes_store", self.names("aux"))
            self.db.execute("ALTER TABLE aux.room_codes RENAME TO c2")
            self.assertEqual(self.db.execute("SELECT count(*) FROM aux.c2_store").fetchone(), (1,))
            self.db.execute("DROP TABLE aux.c2")
            self.assertEqual(self.names("aux"), [])
            self.db.commit()
            self.db.execute("DETACH aux")

class LookupCost(unittest.TestCase):
    """A lookup by code costs the same work on 50,000 codes as on ten: measured in
    SQLite virtual machine instructions (a progress handler counts them, nested
    statements included), which do not depend on the machine's load."""

    def instructions(self, db, sql, args):
        count = [0]

        def tick():
            count[0] += 1
            return 0

        db.set_progress_handler(tick, 1)
        db.execute(sql, args).fetchall()
        db.set_progress_handler(None, 1)
        return count[0]

    def table_of(self, n):
        db = connect()
        db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
        db.execute("INSERT INTO room_codes(room_id, role) SELECT 'r-' || (i / 100), 'guest' FROM "
                   "(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ?) "
                   "SELECT i FROM s)", (n - 1,))
        db.commit()
        code = db.execute("SELECT code FROM room_codes_store ORDER BY code LIMIT 1 OFFSET ?",
                          (n // 2,)).fetchone()[0]
        return db, code

    def test_lookup_by_code_and_room_do_not_grow(self):
        small, small_code = self.table_of(10)
        large, large_code = self.table_of(50_000)
        self.assertEqual(large.execute("SELECT count(*) FROM room_codes").fetchone(), (50_000,))
        by_code = "SELECT room_id, role, enabled FROM room_codes WHERE code = ?"
        by_room = "SELECT count(*) FROM room_codes WHERE room_id = ?"
        a = self.instructions(small, by_code, (small_code,))
        b = self.instructions(large, by_code, (large_code,))
        self.assertEqual(a, b, "a lookup by code must not depend on the table's size")
        c = self.instructions(small, by_room, ("r-0",))
        d = self.instructions(large, by_room, ("r-7",))
        # ten codes in the small room, a hundred in the large one: work grows with the room only
        self.assertLess(d, c * 20)
        scan = self.instructions(large, "SELECT count(*) FROM room_codes WHERE role = ?", ("x",))
        self.assertGreater(scan, 50 * b, "a full scan must show up in this measure")
        small.close()
        large.close()
