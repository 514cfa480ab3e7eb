"""roomcode_check and roomcode_resolve: every verdict, for registered and unregistered
rooms, and resolve refusing exactly as roomcode_token does (same messages)."""
import json
import sqlite3
import unittest

from roomcode_test_support import connect

SETUP = """
CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes_templates(template, role, permissions) VALUES
  ('class', 'teacher', '{"admin": true}'),
  ('class', 'student', '{"publish": false, "hidden": false}');
INSERT INTO room_codes_rooms(room_id, template) VALUES ('math', 'class'), ('closed', 'class');
INSERT INTO room_codes(code, room_id, role) VALUES
  ('aaa-aaaa-aaa', 'math', 'teacher'),
  ('bbb-bbbb-bbb', 'math', 'student'),
  ('ccc-cccc-ccc', 'lobby', 'guest'),
  ('ddd-dddd-ddd', 'closed', 'student');
INSERT INTO room_codes(code, room_id, role, enabled) VALUES ('eee-eeee-eee', 'lobby', 'guest', 0);
INSERT INTO room_codes(code, room_id, role, user_id) VALUES ('fff-ffff-fff', 'lobby', 'guest', 'ann');
UPDATE room_codes_rooms SET enabled = 0 WHERE room_id = 'closed';
"""


class Verdicts(unittest.TestCase):
    def setUp(self):
        self.db = connect()
        self.db.executescript(SETUP)

    def tearDown(self):
        self.db.close()

    def one(self, sql, *args):
        return self.db.execute(sql, args).fetchone()[0]

    def check(self, *args):
        return self.one(f"SELECT roomcode_check({', '.join('?' * len(args))})", *args)

    def test_every_verdict(self):
        cases = [
            (("aaa-aaaa-aaa",), "ok"),
            (("AAA aaaa aaa",), "ok"),  # any form roomcode_normalize accepts
            (("https://acme.app.100ms.live/meeting/ccc-cccc-ccc",), "ok"),
            (("ccc-cccc-ccc", "anyone"), "ok"),
            (("not a code",), "malformed"),
            ((None,), "malformed"),
            ((42,), "malformed"),
            ((b"aaa-aaaa-aaa",), "malformed"),
            (("zzz-zzzz-zzz",), "unknown"),
            (("eee-eeee-eee",), "disabled"),
            (("ddd-dddd-ddd",), "room_disabled"),
            (("fff-ffff-fff",), "bound"),
            (("fff-ffff-fff", None), "bound"),
            (("fff-ffff-fff", "bob"), "other_user"),
            (("fff-ffff-fff", "ann"), "ok"),
        ]
        for args, want in cases:
            with self.subTest(args=args):
                self.assertEqual(self.check(*args), want)

    def test_a_disabled_code_of_a_disabled_room_is_disabled(self):
        self.db.execute("UPDATE room_codes SET enabled = 0 WHERE code = 'ddd-dddd-ddd'")
        self.assertEqual(self.check("ddd-dddd-ddd"), "disabled")

    def test_enabling_the_room_again_lets_its_codes_in(self):
        self.db.execute("UPDATE room_codes_rooms SET enabled = 1 WHERE room_id = 'closed'")
        self.assertEqual(self.check("ddd-dddd-ddd"), "ok")

    def test_a_bad_user_id_argument_is_an_error_not_a_verdict(self):
        for bad in (b"\x00", 7, "", "x" * 257):
            with self.subTest(bad=bad), self.assertRaisesRegex(sqlite3.OperationalError,
                                                               "^roomcode: user_id"):
                self.check("aaa-aaaa-aaa", bad)

    def test_resolve_of_a_registered_room(self):
        got = json.loads(self.one("SELECT roomcode_resolve('aaa-aaaa-aaa')"))
        self.assertEqual(got, {"code": "aaa-aaaa-aaa", "room_id": "math", "role": "teacher",
                               "user_id": None, "template": "class",
                               "permissions": {"publish": True, "subscribe": True,
                                               "publish_data": True, "admin": True,
                                               "hidden": False}})
        got = json.loads(self.one("SELECT roomcode_resolve('bbb-bbbb-bbb', 'kid-1')"))
        self.assertEqual(got["user_id"], "kid-1")
        self.assertEqual(got["permissions"], {"publish": False, "subscribe": True,
                                              "publish_data": True, "admin": False,
                                              "hidden": False})

    def test_resolve_of_an_unregistered_room_has_the_defaults(self):
        got = json.loads(self.one("SELECT roomcode_resolve('ccc-cccc-ccc')"))
        self.assertEqual(got["template"], None)
        self.assertEqual(got["permissions"], {"publish": True, "subscribe": True,
                                              "publish_data": True, "admin": False,
                                              "hidden": False})

    def test_resolve_gives_the_bound_user(self):
        got = json.loads(self.one("SELECT roomcode_resolve('fff-ffff-fff', 'ann')"))
        self.assertEqual(got["user_id"], "ann")

    def test_resolve_escapes_as_tokens_do(self):
        self.db.execute("INSERT INTO room_codes(code, room_id, role) "
                        "VALUES ('ggg-gggg-ggg', 'salle \"é\" ~?>', 'gäst')")
        text = self.one("SELECT roomcode_resolve('ggg-gggg-ggg')")
        self.assertTrue(text.isascii())
        got = json.loads(text)
        self.assertEqual((got["room_id"], got["role"]), ('salle "é" ~?>', "gäst"))
        self.assertEqual(self.one("SELECT json_valid(roomcode_resolve('ggg-gggg-ggg'))"), 1)

    def test_resolve_refuses_exactly_as_roomcode_token(self):
        for args in [("not a code",), (None,), ("zzz-zzzz-zzz",), ("eee-eeee-eee",),
                     ("ddd-dddd-ddd",), ("fff-ffff-fff",), ("fff-ffff-fff", "bob")]:
            user = args[1] if len(args) > 1 else None
            with self.subTest(args=args):
                with self.assertRaises(sqlite3.OperationalError) as token:
                    self.one("SELECT roomcode_token(?, ?, 'key', 'secret')", args[0], user)
                with self.assertRaises(sqlite3.OperationalError) as resolve:
                    self.one(f"SELECT roomcode_resolve({', '.join('?' * len(args))})", *args)
                self.assertEqual(str(resolve.exception), str(token.exception))
                self.assertTrue(str(token.exception).startswith("roomcode: "))

    def test_room_disabled_message(self):
        with self.assertRaisesRegex(sqlite3.OperationalError,
                                    "^roomcode: room code 'ddd-dddd-ddd' is of room 'closed',"
                                    " which is disabled$"):
            self.one("SELECT roomcode_token('ddd-dddd-ddd', 'u', 'k', 's')")

    def test_a_store_without_templates_tables_is_all_unregistered(self):
        # A database of 1.2.0 opened read-only: the tables cannot be added, lookups work.
        import os
        import tempfile
        d = tempfile.mkdtemp()
        path = os.path.join(d, "old.db")
        db = connect(path)
        db.executescript(SETUP)
        db.executescript("DROP TABLE room_codes_templates; DROP TABLE room_codes_rooms;")
        db.close()
        ro = connect(f"file:{path}?mode=ro", uri=True)
        self.assertEqual(ro.execute("SELECT roomcode_check('ddd-dddd-ddd')").fetchone()[0], "ok")
        got = json.loads(ro.execute("SELECT roomcode_resolve('aaa-aaaa-aaa')").fetchone()[0])
        self.assertEqual(got["template"], None)
        ro.close()
        rw = connect(path)  # the first connect with write access adds them
        self.assertEqual(rw.execute("SELECT count(*) FROM room_codes").fetchone()[0], 6)
        self.assertEqual(rw.execute("SELECT count(*) FROM sqlite_schema WHERE name IN"
                                    " ('room_codes_templates', 'room_codes_rooms')").fetchone()[0],
                         2)
        rw.close()


if __name__ == "__main__":
    unittest.main()
