"""Templates, rooms and role permissions: their rules hold for every writer (through the
extension, by direct writes to the tables, from a client that never loaded the
extension, under DEFENSIVE and trusted_schema=OFF); an unregistered room behaves as
before; roomcode_create(room_id) takes the template's roles; rename and drop carry the
tables."""
import os
import sqlite3
import tempfile
import unittest

from roomcode_test_support import connect, set_defensive

PERMISSIONS = ("roomcode: permissions must be a JSON object of the keys publish, subscribe,"
               " publish_data, admin and hidden, each at most once, each true or false")
ROLE_OF_TEMPLATE = ("roomcode: a room registered with a template takes only roles of its"
                    " template")


class Rules(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "codes.db")
        db = connect(self.path)
        db.executescript("""
            CREATE VIRTUAL TABLE room_codes USING roomcode;
            INSERT INTO room_codes_templates(template, role, permissions) VALUES
              ('class', 'teacher', '{"admin": true}'), ('class', 'student', '{}');
            INSERT INTO room_codes_rooms(room_id, template) VALUES ('math', 'class');
            INSERT INTO room_codes(code, room_id, role) VALUES ('aaa-aaaa-aaa', 'math', 'student');
        """)
        db.commit()
        db.close()

    def tearDown(self):
        self.dir.cleanup()

    def writers(self):
        """Connections that write: with the extension, without it, and under DEFENSIVE with
        trusted_schema=OFF."""
        for name, load, defensive in [("extension", True, False), ("plain", False, False),
                                      ("defensive", False, True)]:
            db = connect(self.path, load=load, isolation_level=None)
            if defensive:
                set_defensive(db, True)
                db.execute("PRAGMA trusted_schema = OFF")
            yield name, db

    def refused(self, db, sql, message, args=()):
        before = db.execute("SELECT (SELECT group_concat(template || role || permissions) FROM"
                            " room_codes_templates), (SELECT group_concat(room_id || template ||"
                            " enabled) FROM room_codes_rooms), (SELECT count(*) FROM"
                            " room_codes_store)").fetchone()
        with self.assertRaises(sqlite3.IntegrityError) as e:
            db.execute(sql, args)
        self.assertEqual(str(e.exception), message)
        after = db.execute("SELECT (SELECT group_concat(template || role || permissions) FROM"
                           " room_codes_templates), (SELECT group_concat(room_id || template ||"
                           " enabled) FROM room_codes_rooms), (SELECT count(*) FROM"
                           " room_codes_store)").fetchone()
        self.assertEqual(after, before)

    def test_permissions_are_checked_for_every_writer(self):
        bad = ['{"admin": 1}', '{"publish": "true"}', '{"record": true}', '{"admin": null}',
               '{"admin": true, "admin": false}', '{"hidden": [true]}', '[]', 'not json',
               '"x"', 'true', '', '{', '{"admin": true,}', '{,"admin": true}',
               '{"ad min": true}', '{"admin": tr ue}', '{"admin":true "hidden":true}',
               '{"hid,"admin":trueden":true}', '{"admin":true}}', '{{"admin":true}',
               '{"admin":true,,"hidden":false}', '{"Admin": true}', '{"admin": True}',
               r'{"admin":\u0074rue}', '{"admin": true}\f', '{"publish_data" : false }x']
        for name, db in self.writers():
            for perm in bad:
                with self.subTest(writer=name, permissions=perm):
                    self.refused(db, "INSERT INTO room_codes_templates VALUES ('x', 'r', ?)",
                                 PERMISSIONS, (perm,))
                    self.refused(db, "UPDATE room_codes_templates SET permissions = ?"
                                 " WHERE role = 'student'", PERMISSIONS, (perm,))
            for perm in [b"{}", 1, None]:
                with self.subTest(writer=name, permissions=perm):
                    self.assertRaises(sqlite3.IntegrityError, db.execute,
                                      "INSERT INTO room_codes_templates VALUES ('x', 'r', ?)",
                                      (perm,))
            for good in ['{}', ' { } ', '{"publish": false, "subscribe": true, "publish_data":'
                         ' false, "admin": true, "hidden": true}',
                         '{\n  "admin" : true,\r\n\t"hidden":false\n}']:
                with self.subTest(writer=name, good=good):
                    db.execute("INSERT INTO room_codes_templates VALUES ('ok', 'r', ?)", (good,))
                    db.execute("DELETE FROM room_codes_templates WHERE template = 'ok'")
            self.assertEqual(db.execute("SELECT permissions FROM room_codes_templates WHERE"
                                        " role = 'student'").fetchone(), ("{}",))
            db.execute("INSERT INTO room_codes_templates(template, role) VALUES ('d', 'r')")
            self.assertEqual(db.execute("SELECT permissions FROM room_codes_templates WHERE"
                                        " template = 'd'").fetchone(), ("{}",))
            db.execute("DELETE FROM room_codes_templates WHERE template = 'd'")
            db.close()

    def test_codes_of_a_registered_room_carry_its_roles(self):
        for name, db in self.writers():
            with self.subTest(writer=name):
                self.refused(db, "INSERT INTO room_codes_store(code, room_id, role)"
                             " VALUES ('bbb-bbbb-bbb', 'math', 'janitor')", ROLE_OF_TEMPLATE)
                db.execute("INSERT INTO room_codes_store(code, room_id, role)"
                           " VALUES ('bbb-bbbb-bbb', 'math', 'teacher')")
                db.execute("INSERT INTO room_codes_store(code, room_id, role)"
                           " VALUES ('ccc-cccc-ccc', 'lobby', 'janitor')")  # unregistered
                db.execute("DELETE FROM room_codes_store WHERE code IN ('bbb-bbbb-bbb',"
                           " 'ccc-cccc-ccc')")
            db.close()

    def test_the_extension_names_role_template_and_room(self):
        db = connect(self.path)
        want = "roomcode: role 'janitor' is not a role of template 'class' of room 'math'"
        for sql in ["INSERT INTO room_codes(room_id, role) VALUES ('math', 'janitor')",
                    "INSERT INTO room_codes(code, room_id, role) VALUES ('bbb-bbbb-bbb', 'math',"
                    " 'janitor')"]:
            with self.subTest(sql=sql), self.assertRaises(sqlite3.IntegrityError) as e:
                db.execute(sql)
            self.assertEqual(str(e.exception), want)
        for sql in ["SELECT roomcode_new('math', 'janitor')",
                    "SELECT * FROM roomcode_create('math', '[\"teacher\", \"janitor\"]')"]:
            with self.subTest(sql=sql), self.assertRaises(sqlite3.OperationalError) as e:
                db.execute(sql).fetchall()
            self.assertEqual(str(e.exception), want)
        self.assertEqual(db.execute("SELECT count(*) FROM room_codes").fetchone(), (1,))
        db.close()

    def test_rooms_name_a_template_with_roles_that_fit_their_codes(self):
        for name, db in self.writers():
            with self.subTest(writer=name):
                self.refused(db, "INSERT INTO room_codes_rooms(room_id, template) VALUES"
                             " ('art', 'nope')",
                             "roomcode: a room takes a template that has at least one role")
                db.execute("INSERT INTO room_codes_store(code, room_id, role) VALUES"
                           " ('ddd-dddd-ddd', 'art', 'painter')")
                self.refused(db, "INSERT INTO room_codes_rooms(room_id, template) VALUES"
                             " ('art', 'class')",
                             "roomcode: the room has room codes of roles its template lacks")
                db.execute("DELETE FROM room_codes_store WHERE code = 'ddd-dddd-ddd'")
                db.execute("INSERT INTO room_codes_templates VALUES ('other', 'x', '{}')")
                self.refused(db, "UPDATE room_codes_rooms SET template = 'other'",
                             "roomcode: the room has room codes of roles its template lacks")
                self.refused(db, "UPDATE room_codes_rooms SET template = 'none'",
                             "roomcode: a room takes a template that has at least one role")
                self.refused(db, "UPDATE room_codes_rooms SET enabled = 2",
                             "CHECK constraint failed: enabled_is_0_or_1")
                db.execute("DELETE FROM room_codes_templates WHERE template = 'other'")
            db.close()

    def test_a_role_in_use_cannot_go(self):
        for name, db in self.writers():
            with self.subTest(writer=name):
                self.refused(db, "DELETE FROM room_codes_templates WHERE role = 'student'",
                             "roomcode: a role of a template cannot be removed while room codes"
                             " of its rooms carry it")
                self.refused(db, "UPDATE room_codes_templates SET role = 'pupil'"
                             " WHERE role = 'student'",
                             "roomcode: a template that rooms use keeps its name and roles;"
                             " insert or delete roles instead")
                # a role no code carries may go, but not the template's last one
                db.execute("DELETE FROM room_codes_templates WHERE role = 'teacher'")
                db.execute("DELETE FROM room_codes_store")
                self.refused(db, "DELETE FROM room_codes_templates WHERE role = 'student'",
                             "roomcode: the last role of a template that rooms use cannot be"
                             " removed")
                db.execute("INSERT INTO room_codes_templates VALUES ('class', 'teacher',"
                           " '{\"admin\": true}')")
                db.execute("INSERT INTO room_codes_store(code, room_id, role)"
                           " VALUES ('aaa-aaaa-aaa', 'math', 'student')")
            db.close()

    def test_create_with_the_roles_of_the_template(self):
        db = connect(self.path)
        rows = db.execute("SELECT room_id, role, enabled FROM roomcode_create('math')").fetchall()
        self.assertEqual(rows, [("math", "student", 1), ("math", "teacher", 1)])
        again = db.execute("SELECT code FROM roomcode_create('math')").fetchall()
        self.assertEqual(db.execute("SELECT count(*) FROM room_codes").fetchone(), (2,))
        self.assertEqual(len(again), 2)
        with self.assertRaisesRegex(sqlite3.OperationalError,
                                    "^roomcode: room 'lobby' has no template: give"
                                    " roomcode_create its roles$"):
            db.execute("SELECT * FROM roomcode_create('lobby')").fetchall()
        db.close()

    def test_unregistered_rooms_take_any_role(self):
        db = connect(self.path)
        code = db.execute("SELECT roomcode_new('lobby', 'anything')").fetchone()[0]
        self.assertEqual(db.execute("SELECT roomcode_check(?)", (code,)).fetchone(), ("ok",))
        db.close()

    def test_rename_and_drop_carry_the_tables(self):
        db = connect(self.path, isolation_level=None)
        db.execute("ALTER TABLE room_codes RENAME TO codes")
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_schema")}
        self.assertIn("codes_templates", names)
        self.assertIn("codes_rooms_role_of_code", names)
        self.assertFalse({n for n in names if n.startswith("room_codes")} - {
            "room_codes_store_user_id"})
        with self.assertRaises(sqlite3.IntegrityError):
            db.execute("INSERT INTO codes(room_id, role) VALUES ('math', 'janitor')")
        self.assertEqual(db.execute("SELECT count(*) FROM codes_templates").fetchone(), (2,))
        db.execute("DROP TABLE codes")
        left = [r[0] for r in db.execute("SELECT name FROM sqlite_schema")]
        self.assertEqual(left, [])
        db.close()

    def test_rename_onto_a_taken_name_is_refused(self):
        db = connect(self.path, isolation_level=None)
        db.execute("CREATE TABLE codes_rooms(x)")
        before = db.execute("SELECT name, sql FROM sqlite_schema ORDER BY name").fetchall()
        with self.assertRaises(sqlite3.OperationalError) as e:
            db.execute("ALTER TABLE room_codes RENAME TO codes")
        self.assertEqual(str(e.exception), "roomcode: cannot rename room_codes to codes:"
                         " codes_rooms is already a table in schema main; rename or drop it first")
        self.assertEqual(db.execute("SELECT name, sql FROM sqlite_schema ORDER BY name").fetchall(),
                         before)
        self.assertEqual(db.execute("SELECT roomcode_check('aaa-aaaa-aaa')").fetchone(), ("ok",))
        db.close()


if __name__ == "__main__":
    unittest.main()
