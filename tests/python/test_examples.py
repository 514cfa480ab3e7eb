"""sql/examples: the migration runs twice without changing anything the second time,
and its trigger gives new rooms their codes."""
import os
import unittest

from roomcode_test_support import ROOT, connect


class Migration(unittest.TestCase):
    def test_migration_is_idempotent(self):
        script = open(os.path.join(ROOT, "sql", "examples", "migration.sql")).read()
        db = connect()
        db.executescript("CREATE TABLE rooms(id TEXT PRIMARY KEY, name TEXT NOT NULL,"
                         " roles TEXT NOT NULL DEFAULT '[\"host\", \"guest\"]');"
                         "INSERT INTO rooms(id, name, roles) VALUES ('old-1', 'Old', '[\"host\", \"viewer\"]');")
        db.executescript(script)
        first = db.execute("SELECT code, room_id, role, enabled FROM room_codes ORDER BY code").fetchall()
        self.assertEqual(sorted((r[1], r[2]) for r in first), [("old-1", "host"), ("old-1", "viewer")])
        db.executescript(script)
        again = db.execute("SELECT code, room_id, role, enabled FROM room_codes ORDER BY code").fetchall()
        self.assertEqual(again, first)
        db.execute("INSERT INTO rooms(id, name) VALUES ('new-1', 'New')")
        roles = [r[0] for r in db.execute(
            "SELECT role FROM room_codes WHERE room_id = 'new-1' AND enabled = 1 ORDER BY role")]
        self.assertEqual(roles, ["guest", "host"])
        db.close()
