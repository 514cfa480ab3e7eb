"""The store's partial index of bound codes (WHERE user_id = ?): made with the store, added to
a 1.1.0 database (whose store is the same table without it) when the table connects on a
connection that can write then, and otherwise left for later without an error; a store
restored from a dump is adopted with exactly one such index. The plans are checked with
EXPLAIN QUERY PLAN on the virtual table and on the store."""
import os
import sqlite3
import tempfile
import unittest

from roomcode_test_support import connect
from roomcode_test_support import set_defensive, store_ddl

INDEX = "room_codes_store_user_id"


class UserIndex(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "codes.db")
        db = self.open()
        db.executescript("""
            CREATE VIRTUAL TABLE room_codes USING roomcode;
            INSERT INTO room_codes(room_id, role, user_id) VALUES ('r-1', 'host', 'u-7'),
              ('r-2', 'host', 'u-7'), ('r-2', 'guest', NULL), ('r-1', 'guest', 'u-8');
        """)
        db.close()

    def tearDown(self):
        self.dir.cleanup()

    def open(self, load=True, uri=None, **kwargs):
        if uri:
            return connect(f"file:{self.path}?{uri}", load=load, uri=True, isolation_level=None, **kwargs)
        return connect(self.path, load=load, isolation_level=None, **kwargs)

    def indexes(self):
        db = self.open(load=False)
        try:
            return [r[0] for r in db.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")]
        finally:
            db.close()

    def make_1_1_0(self):
        """A database as roomcode 1.1.0 left it: the same store without the index."""
        db = self.open(load=False)
        db.execute(f"DROP INDEX {INDEX}")
        db.close()
        self.assertEqual(self.indexes(), [])

    def lookups(self, db):
        return (db.execute("SELECT room_id FROM room_codes WHERE user_id = 'u-7' ORDER BY 1").fetchall(),
                db.execute("SELECT role FROM room_codes WHERE user_id = 'u-7' AND room_id = 'r-2'").fetchall())

    def test_plans(self):
        db = self.open()
        try:
            def plan(sql):
                n = sql.count("?")
                return db.execute("EXPLAIN QUERY PLAN " + sql, ("x",) * n).fetchall()[-1][-1]
            self.assertEqual(plan("SELECT * FROM room_codes WHERE user_id = ?"),
                             "SCAN room_codes VIRTUAL TABLE INDEX 4:user_id=? (columns 0x7f)")
            self.assertEqual(plan("SELECT * FROM room_codes WHERE room_id = ? AND user_id = ?"),
                             "SCAN room_codes VIRTUAL TABLE INDEX 5:user_id=? AND room_id=? (columns 0x7f)")
            self.assertEqual(plan("SELECT code FROM room_codes_store WHERE user_id = ?1"),
                             f"SEARCH room_codes_store USING COVERING INDEX {INDEX} (user_id=?)")
            self.assertEqual(plan("SELECT * FROM room_codes_store WHERE user_id = ?1 AND room_id = ?2"),
                             f"SEARCH room_codes_store USING INDEX {INDEX} (user_id=? AND room_id=?)")
            self.assertEqual(self.lookups(db), ([("r-1",), ("r-2",)], [("host",)]))
        finally:
            db.close()

    def test_1_1_0_database_gets_the_index_on_connect(self):
        self.make_1_1_0()
        db = self.open()
        set_defensive(db, True)  # CREATE INDEX on the store is allowed under DEFENSIVE
        try:
            self.assertEqual(self.lookups(db), ([("r-1",), ("r-2",)], [("host",)]))
        finally:
            db.close()
        self.assertEqual(self.indexes(), [INDEX])
        db = self.open(load=False)
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone(), ("ok",))
        finally:
            db.close()

    def test_no_upgrade_where_it_cannot_write_now(self):
        self.make_1_1_0()
        # read-only, query_only, inside a transaction, and behind another writer with no
        # busy timeout: the lookups work (as a scan of the store) and nothing is refused
        ro = self.open(uri="mode=ro")
        q = self.open()
        q.execute("PRAGMA query_only = ON")
        tx = self.open()
        tx.execute("BEGIN")
        tx.execute("SELECT 1 FROM sqlite_schema").fetchall()
        writer = self.open(load=False)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("CREATE TABLE side(x)")
        behind = self.open(timeout=0)
        try:
            for name, db in (("read-only", ro), ("query_only", q), ("transaction", tx), ("behind a writer", behind)):
                with self.subTest(name):
                    self.assertEqual(self.lookups(db), ([("r-1",), ("r-2",)], [("host",)]))
        finally:
            writer.rollback()
            for db in (ro, q, tx, writer, behind):
                db.close()
        self.assertEqual(self.indexes(), [])
        # the next connection that can write adds it
        db = self.open()
        try:
            self.lookups(db)
        finally:
            db.close()
        self.assertEqual(self.indexes(), [INDEX])

    def test_adopting_a_restored_store(self):
        # a store copied without its virtual table (as .clone or a replayed dump leaves it),
        # from a 1.1.0 database (no index) or from this version (with it)
        for with_index in (False, True):
            with self.subTest(with_index=with_index):
                path = os.path.join(self.dir.name, f"restored-{with_index}.db")
                restored = connect(path, load=False, isolation_level=None)
                restored.executescript(store_ddl())
                if not with_index:
                    restored.execute(f"DROP INDEX {INDEX}")
                restored.execute("ATTACH ? AS src", (self.path,))
                restored.execute("INSERT INTO room_codes_store SELECT * FROM src.room_codes_store")
                restored.execute("DETACH src")
                restored.close()
                db = connect(path, isolation_level=None)
                try:
                    db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
                    self.assertEqual(self.lookups(db), ([("r-1",), ("r-2",)], [("host",)]))
                    self.assertEqual([r[0] for r in db.execute(
                        "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL")], [INDEX])
                finally:
                    db.close()


if __name__ == "__main__":
    unittest.main()
