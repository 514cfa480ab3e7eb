"""A room_codes table renamed after sqlite3_deserialize: the rename carries the store,
templates and rooms with their rows, and the connection stays sound. On SQLite 3.40 this
crashed (SEGV in sqlite3SchemaToIndex) when the extension had read column lists through
the pragma_table_xinfo table before the deserialize (fuzz seeds d0071656, 104e9553,
6c351ca7); so did any later query of that table, also after a refused adoption."""
import sqlite3
import unittest

from roomcode_test_support import connect

ROUNDS = 20


class DeserializeThenRename(unittest.TestCase):
    def test_rename_after_deserialize_carries_the_tables(self):
        for n in range(ROUNDS):
            with self.subTest(round=n):
                db = connect(isolation_level=None)
                db.executescript("""
                    CREATE VIRTUAL TABLE room_codes USING roomcode;
                    INSERT INTO room_codes_templates(template, role, permissions) VALUES
                      ('class', 'teacher', '{"admin": true}'), ('class', 'student', '{}');
                    INSERT INTO room_codes_rooms(room_id, template) VALUES ('math', 'class');
                    INSERT INTO room_codes(code, room_id, role)
                      VALUES ('aaa-aaaa-aaa', 'math', 'student');
                """)
                db.deserialize(db.serialize())
                db.execute("ALTER TABLE main.room_codes RENAME TO rc_renamed")
                tables = [r[0] for r in db.execute(
                    "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
                self.assertEqual(tables, ["rc_renamed", "rc_renamed_rooms", "rc_renamed_store",
                                          "rc_renamed_templates"])
                triggers = [r[0] for r in db.execute(
                    "SELECT name FROM sqlite_schema WHERE type = 'trigger'")]
                self.assertTrue(triggers)
                self.assertEqual([t for t in triggers if t.startswith("room_codes")], [])
                self.assertEqual(db.execute("SELECT code, room_id, role FROM rc_renamed").fetchall(),
                                 [("aaa-aaaa-aaa", "math", "student")])
                self.assertEqual(db.execute("SELECT count(*) FROM rc_renamed_templates").fetchone(),
                                 (2,))
                self.assertEqual(db.execute("SELECT room_id, template FROM rc_renamed_rooms")
                                 .fetchall(), [("math", "class")])
                # the rooms' rule still holds under the new name
                with self.assertRaises(sqlite3.IntegrityError):
                    db.execute("INSERT INTO rc_renamed(room_id, role) VALUES ('math', 'janitor')")
                # and the connection's own column lists still read after the deserialize
                self.assertEqual(db.execute("SELECT group_concat(name, ', ') FROM"
                                            " pragma_table_xinfo('rc_renamed_rooms')").fetchone(),
                                 ("room_id, template, enabled",))
                db.close()

    def test_a_refused_adoption_leaves_the_connection_sound_after_deserialize(self):
        # the refusal reads the column list of the foreign table
        for n in range(ROUNDS):
            with self.subTest(round=n):
                db = connect(isolation_level=None)
                db.execute("CREATE TABLE room_codes_store(x)")
                with self.assertRaises(sqlite3.OperationalError) as e:
                    db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
                self.assertIn("cannot adopt table room_codes_store", str(e.exception))
                self.assertIn("its columns are (x)", str(e.exception))
                db.deserialize(db.serialize())
                self.assertEqual(db.execute("SELECT group_concat(name, ', ') FROM"
                                            " pragma_table_xinfo('room_codes_store')").fetchone(),
                                 ("x",))
                db.close()


if __name__ == "__main__":
    unittest.main()
