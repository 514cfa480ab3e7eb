"""The store (room_codes_store) as an ordinary table: its rules hold against direct writers
with the extension loaded or not and DEFENSIVE on or off; renaming the virtual table keeps
others' triggers on the store; CREATE VIRTUAL TABLE adopts a store that a dump or .clone
copied without its virtual table, and refuses one it cannot vouch for; a UTF-16 database
is refused. Every database is a file, closed and opened again between steps. The shell's .dump and
.clone run in every sqlite3 shell at hand (Debian's 3.40, and the compatibility matrix's
current one once built); python-test-current runs all of it on the current library."""
import os
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from roomcode_test_support import EXTENSION, ROOT, connect as connect_db, set_defensive, store_ddl

def shells():
    """Every sqlite3 shell at hand: Debian's, the compatibility matrix's current one, and
    ROOMCODE_SQLITE3 (a command, perhaps with a wrapper)."""
    found = [["sqlite3"]] if shutil.which("sqlite3") else []
    current = os.path.join(ROOT, "build", "sqlite-current", "sqlite3")
    if os.path.exists(current):
        found.append([current])
    if os.environ.get("ROOMCODE_SQLITE3"):
        found.append(shlex.split(os.environ["ROOMCODE_SQLITE3"]))
    return found

OWN_TRIGGERS = ["cap", "fixed", "no_replace", "touch"]
EXISTS = "roomcode: room code already exists; update its enabled or user_id instead"
FIXED = "roomcode: code, room_id, role and created_at of a room code never change"
CAP = "roomcode: a room has at most 100 room codes (limit 100)"

def own_triggers(table="room_codes"):
    # the templates' trigger on the store (sql/templates_triggers.sql) sorts before these
    return [f"{table}_rooms_role_of_code"] + [f"{table}_store_{t}" for t in OWN_TRIGGERS]

class Files(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = self.file("codes.db")

    def tearDown(self):
        self.dir.cleanup()

    def file(self, name):
        return os.path.join(self.dir.name, name)

    def connect(self, path=None, load=True, defensive=False):
        db = connect_db(path or self.path, load=load, isolation_level=None)
        set_defensive(db, defensive)
        return db

    def run_sql(self, sql, path=None, **kwargs):
        """Runs a script on a connection of its own, closed afterwards."""
        db = self.connect(path, **kwargs)
        try:
            db.executescript(sql)
        finally:
            db.close()

    def query(self, sql, path=None, **kwargs):
        db = self.connect(path, **kwargs)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()

    def schema(self, path=None):
        return self.query("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name",
                          path, load=False)

    def triggers(self, path=None, table="room_codes"):
        """The names of the triggers on the store of table."""
        return [r[0] for r in self.query(
            f"SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = '{table}_store'"
            " ORDER BY name", path, load=False)]

    def store(self, path=None, table="room_codes"):
        return self.query(f"SELECT * FROM {table}_store ORDER BY code", path, load=False)

    def refused(self, sql, message, error=sqlite3.IntegrityError, **kwargs):
        db = self.connect(**kwargs)
        try:
            with self.assertRaises(error) as caught:
                db.execute(sql)
            self.assertEqual(str(caught.exception), message)
        finally:
            db.close()

    def shell(self, shell, path, script, load=True, defensive=False):
        """Runs script through a sqlite3 shell; returns what it printed, errors included."""
        args = shell + ["-batch"] + (["-cmd", ".load " + EXTENSION] if load else [])
        args += ["-cmd", ".dbconfig defensive " + ("on" if defensive else "off"), path]
        # each shell on the library it was built for, whatever this process runs on
        env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
        out = subprocess.run(args, input=script, capture_output=True, text=True, timeout=60, env=env)
        return "\n".join(line for line in (out.stdout + out.stderr).splitlines()
                         if not line.strip().startswith("defensive"))

FILL_ROOM = ("INSERT INTO room_codes(room_id, role) SELECT 'r-full', 'guest' FROM "
             "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
             "SELECT i FROM n);")

class DirectWriters(Files):
    """Holes 1 to 3: timestamps, replacing a code, the cap, for every kind of writer."""

    def setUp(self):
        super().setUp()
        self.run_sql("CREATE VIRTUAL TABLE room_codes USING roomcode;"
                     "INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-1', 'host');"
                     + FILL_ROOM +
                     "INSERT INTO room_codes_store(code, room_id, role, created_at, updated_at) VALUES"
                     " ('ppp-pppp-ppp', 'r-past', 'host', '2020-01-01T00:00:00.000Z',"
                     " '2020-01-01T00:00:00.000Z');")

    def writers(self):
        for load in (True, False):
            for defensive in (False, True):
                yield dict(load=load, defensive=defensive)

    def test_refused_and_nothing_changes(self):
        check = "CHECK constraint failed: "
        insert = "INSERT INTO room_codes_store(code, room_id, role, created_at, updated_at) VALUES "
        cases = [
            # real instants, not only their shape (both versions of SQLite)
            (insert + "('ccc-cccc-ccc', 'r-2', 'h', '2026-99-27T23:04:47.123Z', '2026-99-27T23:04:47.123Z')",
             check + "created_at_format"),
            (insert + "('ccc-cccc-ccc', 'r-2', 'h', '2026-11-27T25:04:47.123Z', '2026-11-27T25:04:47.123Z')",
             check + "created_at_format"),
            (insert + "('ccc-cccc-ccc', 'r-2', 'h', '2026-02-30T00:00:00.000Z', '2026-03-01T00:00:00.000Z')",
             check + "created_at_format"),
            (insert + "('ccc-cccc-ccc', 'r-2', 'h', '2026-02-28T00:00:00.000Z', '2026-02-29T00:00:00.000Z')",
             check + "updated_at_format"),
            (insert + "('ccc-cccc-ccc', 'r-2', 'h', '2026-11-27T24:00:00.000Z', '2026-11-28T00:00:00.000Z')",
             check + "created_at_format"),
            (insert + "('ccc-cccc-ccc', 'r-2', 'h', '2026-11-27T23:59:60.000Z', '2026-11-28T00:00:00.000Z')",
             check + "created_at_format"),
            (insert + "('ccc-cccc-ccc', 'r-2', 'h', '2026-11-27T23:04:47Z', '2026-11-27T23:04:47.000Z')",
             check + "created_at_format"),
            (insert + "('ccc-cccc-ccc', 'r-2', 'h', '2026-11-27 23:04:47.000', '2026-11-27T23:04:47.000Z')",
             check + "created_at_format"),
            (insert + "('ccc-cccc-ccc', 'r-2', 'h', 2461007.5, '2026-11-27T23:04:47.000Z')",
             check + "created_at_format"),
            (insert + "('ccc-cccc-ccc', 'r-2', 'h', '2026-11-27T23:04:47.001Z', '2026-11-27T23:04:47.000Z')",
             check + "updated_at_not_before_created_at"),
            ("UPDATE room_codes_store SET updated_at = '2019-12-31T23:59:59.999Z' WHERE code = 'ppp-pppp-ppp'",
             check + "updated_at_not_before_created_at"),
            # a stored code is never replaced, whatever the conflict clause
            ("INSERT OR REPLACE INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'guest')",
             EXISTS),
            ("REPLACE INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-1', 'host')", EXISTS),
            ("INSERT OR IGNORE INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'h')",
             EXISTS),
            ("INSERT OR FAIL INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'h')",
             EXISTS),
            ("INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'h')"
             " ON CONFLICT(code) DO UPDATE SET room_id = excluded.room_id", EXISTS),
            ("INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'h')"
             " ON CONFLICT DO NOTHING", EXISTS),
            ("INSERT OR REPLACE INTO room_codes_store(code, room_id, role) VALUES"
             " ('ddd-dddd-ddd', 'r-3', 'h'), ('aaa-aaaa-aaa', 'r-3', 'h')", EXISTS),
            # a code that exists in a full room: the more precise message
            ("INSERT INTO room_codes_store(code, room_id, role)"
             " SELECT code, room_id, role FROM room_codes_store WHERE room_id = 'r-full' LIMIT 1", EXISTS),
            ("UPDATE OR REPLACE room_codes_store SET code = 'aaa-aaaa-aaa' WHERE code = 'ppp-pppp-ppp'", FIXED),
            ("UPDATE OR REPLACE room_codes_store SET room_id = 'r-2' WHERE code = 'aaa-aaaa-aaa'", FIXED),
            ("UPDATE OR REPLACE room_codes_store SET created_at = NULL WHERE code = 'aaa-aaaa-aaa'", FIXED),
            ("UPDATE OR IGNORE room_codes_store SET role = 'guest' WHERE code = 'aaa-aaaa-aaa'", FIXED),
            # the cap, its number filled in from ROOMCODE_MAX_PER_ROOM
            ("INSERT INTO room_codes_store(code, room_id, role) VALUES ('ccc-cccc-ccc', 'r-full', 'h')", CAP),
            ("INSERT OR REPLACE INTO room_codes_store(code, room_id, role) VALUES ('ccc-cccc-ccc', 'r-full', 'h')",
             CAP),
        ]
        before = self.store()
        for writer in self.writers():
            for sql, message in cases:
                with self.subTest(sql=sql, **writer):
                    self.refused(sql, message, **writer)
            self.assertEqual(self.store(), before)

    def test_allowed_writes(self):
        for i, writer in enumerate(self.writers()):
            with self.subTest(**writer):
                code = f"eee-eeee-ee{'abcd'[i]}"
                db = self.connect(**writer)
                # an import with its history: any real instant, leap days included
                db.execute("INSERT INTO room_codes_store(code, room_id, role, created_at, updated_at)"
                           " VALUES (?1, 'r-4', 'h', '2024-02-29T12:00:00.000Z', '2024-03-01T00:00:00.000Z')",
                           (code,))
                db.execute("UPDATE room_codes_store SET enabled = 0 WHERE code = ?1", (code,))
                enabled, later = db.execute(
                    "SELECT enabled, updated_at > '2024-03-01T00:00:00.000Z' FROM room_codes_store"
                    " WHERE code = ?1", (code,)).fetchone()
                self.assertEqual((enabled, later), (0, 1))
                # updated_at never goes back, even from a time ahead of the clock
                db.execute("UPDATE room_codes_store SET updated_at = '9999-12-31T23:59:59.999Z'"
                           " WHERE code = ?1", (code,))
                db.execute("UPDATE room_codes_store SET user_id = 'u-1' WHERE code = ?1", (code,))
                self.assertEqual(db.execute("SELECT user_id, updated_at FROM room_codes_store WHERE code = ?1",
                                            (code,)).fetchone(), ("u-1", "9999-12-31T23:59:59.999Z"))
                # UPDATE OR REPLACE of a NULL updated_at puts the default (now) in its place
                db.execute("UPDATE OR REPLACE room_codes_store SET updated_at = NULL WHERE code = 'aaa-aaaa-aaa'")
                db.close()
        self.assertEqual(self.query("SELECT count(*) FROM room_codes_store WHERE room_id = 'r-4'"), [(4,)])
        self.assertEqual(self.query("SELECT updated_at >= created_at FROM room_codes_store"
                                    " WHERE code = 'aaa-aaaa-aaa'"), [(1,)])

    def test_the_table_reports_the_store_refusals_with_values(self):
        self.refused("INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'h')",
                     "roomcode: room code 'aaa-aaaa-aaa' already exists")
        self.refused("INSERT OR REPLACE INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-2', 'h')",
                     "roomcode: room code 'aaa-aaaa-aaa' already exists")
        self.refused("INSERT INTO room_codes(room_id, role) VALUES ('r-full', 'h')",
                     "roomcode: room 'r-full' already has 100 room codes (limit 100)")

    def test_every_placeholder_is_filled(self):
        rows = self.query("SELECT name, sql FROM sqlite_schema WHERE instr(sql, '{schema}')"
                          " OR instr(sql, '{table}') OR instr(sql, '{cap}')", load=False)
        self.assertEqual(rows, [])
        (cap,) = self.query("SELECT sql FROM sqlite_schema WHERE name = 'room_codes_store_cap'", load=False)[0]
        self.assertIn("LIMIT 1 OFFSET 100 - 1", cap)
        self.assertIn("'" + CAP + "'", cap)

class Rename(Files):
    """Hole 5: a rename drops and remakes only the store's own triggers."""

    APP = """
        CREATE TABLE audit(code, what);
        CREATE TRIGGER audit_insert AFTER INSERT ON room_codes_store
        BEGIN INSERT INTO audit VALUES (NEW.code, 'insert'); END;
        CREATE TRIGGER audit_update AFTER UPDATE OF enabled ON room_codes_store
        BEGIN INSERT INTO audit VALUES (NEW.code, 'enabled ' || NEW.enabled); END;
        CREATE TRIGGER audit_delete BEFORE DELETE ON room_codes_store
        BEGIN INSERT INTO audit VALUES (OLD.code, 'delete'); END;
        CREATE TABLE rooms(id TEXT PRIMARY KEY);
        CREATE TRIGGER rooms_codes AFTER INSERT ON rooms
        BEGIN INSERT INTO room_codes(room_id, role) VALUES (NEW.id, 'host'); END;
    """

    def test_others_triggers_stay_and_follow_the_store(self):
        for defensive in (False, True):
            with self.subTest(defensive=defensive):
                self.path = self.file(f"rename-{defensive}.db")
                self.run_sql("CREATE VIRTUAL TABLE room_codes USING roomcode;" + self.APP +
                             "INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r-1', 'h');",
                             defensive=defensive)
                self.run_sql("ALTER TABLE room_codes RENAME TO codes", defensive=defensive)
                self.assertEqual(self.triggers(table="codes"),
                                 ["audit_delete", "audit_insert", "audit_update"] + own_triggers("codes"))
                self.assertEqual(self.triggers(), [])
                for name in ("audit_insert", "audit_update", "audit_delete"):
                    (sql,) = self.query(f"SELECT sql FROM sqlite_schema WHERE name = '{name}'", load=False)[0]
                    self.assertIn('ON "codes_store"', sql)
                # the app's trigger on another table names the virtual table, which SQLite renames
                (sql,) = self.query("SELECT sql FROM sqlite_schema WHERE name = 'rooms_codes'", load=False)[0]
                self.assertIn('INSERT INTO "codes"', sql)
                # reopened: every trigger runs, ours and the app's
                self.run_sql("INSERT INTO rooms VALUES ('r-2');"
                             "UPDATE codes SET enabled = 0 WHERE code = 'aaa-aaaa-aaa';"
                             "DELETE FROM codes WHERE code = 'aaa-aaaa-aaa';", defensive=defensive)
                self.assertEqual([r[1] for r in self.query("SELECT * FROM audit ORDER BY rowid")],
                                 ["insert", "insert", "enabled 0", "delete"])
                self.refused("INSERT INTO codes_store(code, room_id, role) SELECT code, 'x', 'y' FROM codes_store",
                             EXISTS, defensive=defensive)
                # the old name is free again, with no trigger left behind under it
                self.run_sql("CREATE VIRTUAL TABLE room_codes USING roomcode", defensive=defensive)
                self.assertEqual(self.triggers(), own_triggers())
                self.assertEqual(self.query("PRAGMA integrity_check"), [("ok",)])

    def test_refused_when_the_new_store_name_is_taken(self):
        self.run_sql("CREATE VIRTUAL TABLE room_codes USING roomcode; CREATE TABLE codes_store(x);")
        before = self.schema()
        self.refused("ALTER TABLE room_codes RENAME TO codes",
                     "roomcode: cannot rename room_codes to codes: codes_store is already a table in"
                     " schema main; rename or drop it first", sqlite3.OperationalError)
        self.assertEqual(self.schema(), before)

    def test_refused_when_a_trigger_name_is_taken(self):
        self.run_sql("CREATE VIRTUAL TABLE room_codes USING roomcode; CREATE TABLE t(x);"
                     "CREATE TRIGGER codes_store_touch AFTER INSERT ON t BEGIN SELECT 1; END;")
        before = self.schema()
        self.refused("ALTER TABLE room_codes RENAME TO codes",
                     "roomcode: cannot make the triggers of codes_store: trigger codes_store_touch"
                     " is on table t; drop it first", sqlite3.OperationalError)
        self.assertEqual(self.schema(), before)

    def test_a_body_naming_the_store_stops_the_rename(self):
        # SQLite renames a virtual table's storage in legacy ALTER mode: the ON clause of a
        # trigger follows, a trigger or view body that names the store does not, and SQLite
        # refuses the whole rename. Naming the virtual table instead works.
        self.run_sql("CREATE VIRTUAL TABLE room_codes USING roomcode;"
                     "CREATE VIEW counts AS SELECT room_id, count(*) AS n FROM room_codes_store GROUP BY room_id;")
        before = self.schema()
        for defensive in (False, True):
            self.refused("ALTER TABLE room_codes RENAME TO codes",
                         "error in view counts after rename: no such table: main.room_codes_store",
                         sqlite3.OperationalError, defensive=defensive)
            self.assertEqual(self.schema(), before)
        self.run_sql("DROP VIEW counts;"
                     "CREATE VIEW counts AS SELECT room_id, count(*) AS n FROM room_codes GROUP BY room_id;"
                     "ALTER TABLE room_codes RENAME TO codes;")
        self.assertIn('FROM "codes"', self.query("SELECT sql FROM sqlite_schema WHERE name = 'counts'")[0][0])

class Adopt(Files):
    """Hole 6: a store that exists already, without its virtual table."""

    def make_source(self, path):
        self.run_sql("CREATE VIRTUAL TABLE room_codes USING roomcode;"
                     "INSERT INTO room_codes(code, room_id, role, user_id) VALUES"
                     " ('aaa-aaaa-aaa', 'r-1', 'host', NULL), ('bbb-bbbb-bbb', 'r-1', 'guest', 'u-1');"
                     + FILL_ROOM +
                     "CREATE TABLE audit(code);"
                     "CREATE TRIGGER audit_insert AFTER INSERT ON room_codes_store"
                     " BEGIN INSERT INTO audit VALUES (NEW.code); END;", path)

    def check_adopted(self, path, defensive, rows):
        """The virtual table over an adopted store: its rows, its triggers, its rules."""
        self.assertEqual(self.store(path), rows)
        self.assertEqual(self.triggers(path), ["audit_insert"] + own_triggers())
        db = self.connect(path, defensive=defensive)
        try:
            self.assertEqual(db.execute("SELECT count(*) FROM room_codes").fetchone(), (len(rows),))
            self.assertEqual(db.execute("SELECT role, user_id FROM room_codes WHERE code = 'bbb-bbbb-bbb'")
                             .fetchone(), ("guest", "u-1"))
            db.execute("INSERT INTO room_codes(code, room_id, role) VALUES ('ccc-cccc-ccc', 'r-1', 'viewer')")
            self.assertEqual(db.execute("SELECT count(*) FROM audit WHERE code = 'ccc-cccc-ccc'").fetchone(), (1,))
            for sql, message in [
                    ("INSERT INTO room_codes(room_id, role) VALUES ('r-full', 'g')",
                     "roomcode: room 'r-full' already has 100 room codes (limit 100)"),
                    ("INSERT OR REPLACE INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'x', 'y')",
                     EXISTS)]:
                with self.assertRaises(sqlite3.IntegrityError) as caught:
                    db.execute(sql)
                self.assertEqual(str(caught.exception), message)
        finally:
            db.close()

    def test_adopts_a_store_copied_without_its_table(self):
        source = self.file("source.db")
        self.make_source(source)
        rows = self.store(source)
        for defensive in (False, True):
            with self.subTest(defensive=defensive):
                path = self.file(f"copy-{defensive}.db")
                # what a client without the extension can copy: the store, its rows, its triggers
                copy = self.connect(path, load=False)
                copy.execute("ATTACH ? AS src", (source,))
                copy.execute(self.query("SELECT sql FROM sqlite_schema WHERE name = 'room_codes_store'",
                                        source, load=False)[0][0])
                copy.execute("INSERT INTO room_codes_store SELECT * FROM src.room_codes_store")
                copy.execute("CREATE TABLE audit(code)")
                for (sql,) in copy.execute("SELECT sql FROM src.sqlite_schema WHERE type = 'trigger'"
                                           " AND tbl_name NOT IN ('room_codes_templates',"
                                           " 'room_codes_rooms') ORDER BY rowid").fetchall():
                    copy.execute(sql)
                copy.close()
                self.run_sql("CREATE VIRTUAL TABLE room_codes USING roomcode", path, defensive=defensive)
                self.check_adopted(path, defensive, rows)

    def test_remakes_the_triggers_of_an_older_version(self):
        self.run_sql(store_ddl(triggers=False) + """
            CREATE TRIGGER room_codes_store_cap BEFORE INSERT ON room_codes_store
            WHEN EXISTS (SELECT 1 FROM room_codes_store WHERE room_id = NEW.room_id LIMIT 1 OFFSET 99)
            BEGIN SELECT RAISE(ABORT, 'roomcode: a room has at most 100 room codes'); END;
            CREATE TRIGGER room_codes_store_fixed BEFORE UPDATE ON room_codes_store
            WHEN NEW.code IS NOT OLD.code BEGIN SELECT RAISE(ABORT, 'old'); END;
            CREATE TABLE audit(code);
            CREATE TRIGGER audit_insert AFTER INSERT ON room_codes_store
            BEGIN INSERT INTO audit VALUES (NEW.code); END;
            CREATE TRIGGER room_codes_store_x AFTER DELETE ON room_codes_store BEGIN SELECT 1; END;
        """, load=False)
        self.run_sql("CREATE VIRTUAL TABLE room_codes USING roomcode")
        fresh = self.file("fresh.db")
        self.run_sql("CREATE VIRTUAL TABLE room_codes USING roomcode", fresh)
        ours = "SELECT name, sql FROM sqlite_schema WHERE name GLOB 'room_codes_store_*' ORDER BY name"
        # ours are made anew from sql/; a trigger that only looks like ours by its prefix stays
        self.assertEqual([r for r in self.query(ours, load=False) if r[0] != "room_codes_store_x"],
                         self.query(ours, fresh, load=False))
        self.assertEqual(self.triggers(), sorted(["audit_insert", "room_codes_store_x"] + own_triggers()))

    def test_refuses_what_it_cannot_vouch_for(self):
        ddl = store_ddl(triggers=False)
        real_instant = "created_at IS strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+0 days')"
        self.assertIn(real_instant, ddl)
        older_timestamps = ddl.replace(real_instant, "created_at GLOB '[0-9]*'")
        self.assertIn(") WITHOUT ROWID;", ddl)
        rowid = ddl.replace(") WITHOUT ROWID;", ");")
        head = "roomcode: cannot adopt table room_codes_store as the store of room_codes: "
        definition = (head + "its types, constraints or WITHOUT ROWID are not those this roomcode makes;"
                      " rename it and drop its triggers, create room_codes, then copy its rows with"
                      " INSERT INTO room_codes_store SELECT * FROM the renamed table")
        rows = ("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 100)"
                " INSERT INTO room_codes_store(code, room_id, role) SELECT 'zzz-zzzz-z' ||"
                " char(97 + i / 26, 97 + i % 26), 'r', 'g' FROM n;")
        cases = [
            ("other columns", "CREATE TABLE room_codes_store(code TEXT PRIMARY KEY, room TEXT);",
             head + "its columns are (code, room), not (code, room_id, role, enabled, user_id, created_at,"
             " updated_at); rename or drop it"),
            ("a rowid table", rowid, definition),
            ("an older definition", older_timestamps, definition),
            ("a view", "CREATE VIEW room_codes_store AS SELECT 1;",
             "roomcode: cannot create the store of room_codes: room_codes_store is already a view in"
             " schema main; rename or drop it"),
            ("a row breaking a CHECK", store_ddl(triggers=False) + "PRAGMA ignore_check_constraints = ON;"
             "INSERT INTO room_codes_store(code, room_id, role) VALUES ('AAA', 'r', 'g');",
             head + "its rows break its rules (CHECK constraint failed in room_codes_store);"
             " correct or delete them first"),
            ("a room over the cap", store_ddl(triggers=False) + rows,
             head + "a room holds more than 100 room codes (limit 100); delete some first"),
        ]
        for i, (name, setup, message) in enumerate(cases):
            for defensive in (False, True):
                with self.subTest(name, defensive=defensive):
                    self.path = self.file(f"refuse-{i}-{defensive}.db")
                    self.run_sql(setup, load=False)
                    before = self.schema()
                    self.refused("CREATE VIRTUAL TABLE room_codes USING roomcode", message,
                                 sqlite3.OperationalError, defensive=defensive)
                    self.assertEqual(self.schema(), before)

    def test_an_older_store_moves_as_the_message_says(self):
        older = store_ddl().replace("created_at IS strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+0 days')",
                                    "created_at GLOB '[0-9]*'")
        self.run_sql(older + "INSERT INTO room_codes_store(code, room_id, role) VALUES"
                     " ('aaa-aaaa-aaa', 'r-1', 'host'), ('bbb-bbbb-bbb', 'r-1', 'guest');", load=False)
        rows = self.store()
        with self.assertRaisesRegex(sqlite3.OperationalError, "rename it and drop its triggers"):
            self.run_sql("CREATE VIRTUAL TABLE room_codes USING roomcode")
        self.run_sql("ALTER TABLE room_codes_store RENAME TO old_store")
        # its triggers keep their names: they must go before the new store's are made
        self.refused("CREATE VIRTUAL TABLE room_codes USING roomcode",
                     "roomcode: cannot make the triggers of room_codes_store: trigger"
                     " room_codes_store_cap is on table old_store; drop it first", sqlite3.OperationalError)
        self.run_sql("".join(f"DROP TRIGGER room_codes_store_{t};" for t in OWN_TRIGGERS) +
                     "CREATE VIRTUAL TABLE room_codes USING roomcode;"
                     "INSERT INTO room_codes_store SELECT * FROM old_store;"
                     "DROP TABLE old_store;")
        self.assertEqual(self.store(), rows)
        self.assertEqual(self.triggers(), own_triggers())
        self.assertEqual(self.query("SELECT count(*) FROM room_codes"), [(2,)])

    @unittest.skipUnless(shells(), "needs a sqlite3 shell")
    def test_shell_dump_and_clone(self):
        """What the shell's .dump (replayed) and .clone make of a database with the table:
        the store always comes across, the virtual table only when the replay may write
        sqlite_schema (a .clone never: its new connection has not loaded the extension, and
        the 3.40 shell replays under DEFENSIVE without it). Where it is missing, CREATE
        VIRTUAL TABLE adopts the store."""
        source = self.file("source.db")
        self.make_source(source)
        rows = self.store(source)
        for n, shell in enumerate(shells()):
            dump = self.shell(shell, source, ".dump\n", load=False)
            self.assertEqual(dump, self.shell(shell, source, ".dump\n"))
            self.assertIn("CREATE TABLE IF NOT EXISTS \"room_codes_store\"", dump)
            targets = []
            for load in (False, True):
                for defensive in (False, True):
                    path = self.file(f"replay-{n}-{load}-{defensive}.db")
                    self.shell(shell, path, dump, load=load, defensive=defensive)
                    targets.append((f"replay load={load} defensive={defensive}", path, defensive))
                path = self.file(f"clone-{n}-{load}.db")
                self.shell(shell, source, f".clone {path}\n", load=load)
                targets.append((f"clone load={load}", path, False))
            for name, path, defensive in targets:
                with self.subTest(name, shell=shell):
                    self.assertEqual(self.store(path), rows)
                    has_table = self.query("SELECT count(*) FROM sqlite_schema WHERE name = 'room_codes'",
                                           path, load=False)[0][0]
                    if name.startswith("clone"):
                        self.assertEqual(has_table, 0)
                    if not has_table:
                        self.run_sql("CREATE VIRTUAL TABLE room_codes USING roomcode", path,
                                     defensive=defensive)
                    self.check_adopted(path, defensive, rows)

class Utf16(Files):
    """Hole 7: the store's checks count UTF-8 bytes, so a UTF-16 database is refused."""

    def test_create_refused(self):
        for encoding in ("UTF-16le", "UTF-16be"):
            with self.subTest(encoding=encoding):
                self.path = self.file(encoding + ".db")
                # an empty database takes the encoding of the connection that first writes it
                db = self.connect()
                db.execute(f"PRAGMA encoding = '{encoding}'")
                with self.assertRaises(sqlite3.OperationalError) as caught:
                    db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
                self.assertEqual(str(caught.exception),
                                 f"roomcode: room_codes needs a UTF-8 database, this one is {encoding}")
                db.execute("CREATE TABLE t(x)")
                db.close()
                self.assertEqual(self.query("PRAGMA encoding", load=False), [(encoding,)])
                self.assertEqual([r[1] for r in self.schema()], ["t"])

    def test_a_store_made_by_hand_refuses_every_write(self):
        self.run_sql("PRAGMA encoding = 'UTF-16le';" + store_ddl(), load=False)
        self.refused("INSERT INTO room_codes_store(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'r', 'h')",
                     "CHECK constraint failed: database_is_utf8", load=False)
        self.refused("CREATE VIRTUAL TABLE room_codes USING roomcode",
                     "roomcode: room_codes needs a UTF-8 database, this one is UTF-16le",
                     sqlite3.OperationalError)
        self.assertEqual(self.store(), [])

if __name__ == "__main__":
    unittest.main()
