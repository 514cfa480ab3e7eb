"""roomcode_json and roomcode_room_json as a server standing in for the 100ms REST calls
uses them: the text parses as JSON with the API's keys and types, holds the stored values,
lists a room's codes in creation order, and shows another connection's writes."""
import json
import os
import sqlite3
import tempfile
import unittest

from roomcode_test_support import connect

KEYS = ["code", "room_id", "role", "enabled", "created_at", "updated_at"]


class Json(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "codes.db")
        self.db = connect(self.path, isolation_level=None)
        self.db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")

    def tearDown(self):
        self.db.close()
        self.dir.cleanup()

    def stored(self, code):
        row = self.db.execute("SELECT code, room_id, role, enabled, created_at, updated_at, user_id"
                              " FROM room_codes WHERE code = ?", (code,)).fetchone()
        want = dict(zip(KEYS, row[:6]))
        want["enabled"] = bool(want["enabled"])
        if row[6] is not None:
            want["user_id"] = row[6]
        return want

    def test_one_code(self):
        shared = self.db.execute("SELECT roomcode_new('standup-42', 'host')").fetchone()[0]
        bound = self.db.execute("SELECT roomcode_new('standup-42', 'guest', 'user-7')").fetchone()[0]
        self.db.execute("UPDATE room_codes SET enabled = 0 WHERE code = ?", (bound,))
        for code, keys in ((shared, KEYS), (bound, KEYS + ["user_id"])):
            with self.subTest(code=code):
                text = self.db.execute("SELECT roomcode_json(?)", (code,)).fetchone()[0]
                got = json.loads(text)
                self.assertEqual(list(got), keys)
                self.assertEqual(got, self.stored(code))
        self.assertIs(json.loads(self.db.execute("SELECT roomcode_json(?)", (bound,)).fetchone()[0])
                      ["enabled"], False)
        self.assertIsNone(self.db.execute("SELECT roomcode_json('zzz-zzzz-zzz')").fetchone()[0])

    def test_room_in_creation_order(self):
        # codes given in reverse code order, one per millisecond at least
        made = []
        for code in ("zzz-zzzz-zzz", "mmm-mmmm-mmm", "aaa-aaaa-aaa"):
            before = self.db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')").fetchone()[0]
            while self.db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')").fetchone()[0] == before:
                pass
            self.db.execute("INSERT INTO room_codes(code, room_id, role) VALUES (?, 'r', 'guest')", (code,))
            made.append(code)
        self.db.execute("SELECT roomcode_new('other-room', 'host')")
        got = json.loads(self.db.execute("SELECT roomcode_room_json('r')").fetchone()[0])
        self.assertEqual(list(got), ["data"])
        self.assertEqual([c["code"] for c in got["data"]], made)
        self.assertEqual(got["data"], [self.stored(c) for c in made])
        self.assertEqual(json.loads(self.db.execute("SELECT roomcode_room_json('empty')").fetchone()[0]),
                         {"data": []})

    def test_another_connection_sees_writes(self):
        other = connect(self.path, isolation_level=None)
        try:
            code = other.execute("SELECT roomcode_new('r', 'host')").fetchone()[0]
            self.assertIs(json.loads(self.db.execute("SELECT roomcode_json(?)", (code,)).fetchone()[0])
                          ["enabled"], True)
            new = other.execute("SELECT roomcode_rotate(?)", (code,)).fetchone()[0]
            got = json.loads(self.db.execute("SELECT roomcode_room_json('r')").fetchone()[0])
            self.assertEqual(sorted((c["code"], c["enabled"]) for c in got["data"]),
                             sorted([(code, False), (new, True)]))
        finally:
            other.close()

    def test_refusals(self):
        for sql, args, message in [
                ("SELECT roomcode_json(?)", ("xvm-wxwo-gb",), "roomcode: malformed room code 'xvm-wxwo-gb'"),
                ("SELECT roomcode_json(?)", (5,), "roomcode: malformed room code integer 5"),
                ("SELECT roomcode_room_json(?)", (5,), "roomcode: room_id must be text, not integer 5"),
                ("SELECT roomcode_room_json(?)", ("",), "roomcode: room_id must not be empty")]:
            with self.subTest(args=args):
                with self.assertRaises(sqlite3.OperationalError) as cm:
                    self.db.execute(sql, args)
                self.assertEqual(str(cm.exception), message)
        self.assertEqual(self.db.execute("SELECT roomcode_json(NULL), roomcode_room_json(NULL)").fetchone(),
                         (None, None))

    def test_stored_text_that_is_not_utf8(self):
        """Rows another client wrote with bytes that are not UTF-8 (a lone 0xff, an overlong
        form, a surrogate, past U+10FFFF) are refused by name, never passed into the JSON;
        the room's other codes are not refused."""
        self.db.execute("INSERT INTO room_codes(code, room_id, role) VALUES ('abc-defg-hia', 'r', 'h')")
        for i, (column, blob, shown) in enumerate([
                ("role", "c0af", r"'\xc0\xaf'"), ("role", "72ff", r"'r\xff'"),
                ("user_id", "eda080", r"'\xed\xa0\x80'"),
                ("user_id", "f4908080", r"'\xf4\x90\x80\x80'")]):
            code = "abc-defg-hi" + "bcde"[i]
            values = {"role": "'h'", "user_id": "NULL"}
            values[column] = "CAST(x'%s' AS TEXT)" % blob
            self.db.execute("INSERT INTO room_codes_store(code, room_id, role, user_id)"
                            " VALUES (?, 'r', %s, %s)" % (values["role"], values["user_id"]),
                            (code,))
            message = "roomcode: room code '%s' has a stored %s %s that is not valid UTF-8" % (
                code, column, shown)
            for sql, arg in (("SELECT roomcode_json(?)", code),
                             ("SELECT roomcode_room_json(?)", "r")):
                with self.subTest(sql=sql, blob=blob):
                    with self.assertRaises(sqlite3.OperationalError) as cm:
                        self.db.execute(sql, (arg,)).fetchone()
                    self.assertEqual(str(cm.exception), message)
            self.db.execute("DELETE FROM room_codes_store WHERE code = ?", (code,))
        self.assertEqual(json.loads(self.db.execute("SELECT roomcode_room_json('r')")
                                    .fetchone()[0])["data"][0]["code"], "abc-defg-hia")


if __name__ == "__main__":
    unittest.main()
