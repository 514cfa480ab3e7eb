"""Room Code Authentication tokens, verified by an independent JWT implementation
(Debian's python3-jwt, PyJWT): signature, every claim, and the refusals."""
import base64
import json
import re
import sqlite3
import time
import unittest
import uuid

import jwt

from roomcode_test_support import connect

SECRET = "app-secret-of-the-test"
ACCESS_KEY = "65f2d0c1a9b8e7f6a5b4c3d2"
CLAIMS = {"access_key", "room_id", "user_id", "role", "type", "version", "iat", "nbf", "exp",
          "jti"}


class Tokens(unittest.TestCase):
    def setUp(self):
        self.db = connect()
        self.db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
        self.db.execute("INSERT INTO room_codes(code, room_id, role) "
                        "VALUES ('abc-defg-hij', 'room-42', 'guest')")

    def tearDown(self):
        self.db.close()

    def token(self, *args):
        return self.db.execute(f"SELECT roomcode_token({', '.join('?' * len(args))})",
                               args).fetchone()[0]

    def verify(self, token, secret=SECRET):
        return jwt.decode(token, secret, algorithms=["HS256"],
                          options={"require": ["exp", "iat", "nbf"]})

    def test_claims_of_a_100ms_app_token(self):
        before = int(time.time())
        token = self.token("abc-defg-hij", "user-7", ACCESS_KEY, SECRET)
        after = int(time.time())
        header = jwt.get_unverified_header(token)
        self.assertEqual(header, {"alg": "HS256", "typ": "JWT"})
        claims = self.verify(token)
        self.assertEqual(set(claims), CLAIMS)
        self.assertEqual(claims["access_key"], ACCESS_KEY)
        self.assertEqual(claims["room_id"], "room-42")
        self.assertEqual(claims["user_id"], "user-7")
        self.assertEqual(claims["role"], "guest")
        self.assertEqual(claims["type"], "app")
        self.assertEqual(claims["version"], 2)
        self.assertTrue(before <= claims["iat"] <= after)
        self.assertEqual(claims["nbf"], claims["iat"])
        self.assertEqual(claims["exp"] - claims["iat"], 86400)
        self.assertEqual(uuid.UUID(claims["jti"]).version, 4)

    def test_ttl_and_fresh_jti(self):
        a = self.verify(self.token("abc-defg-hij", "user-7", ACCESS_KEY, SECRET, 600))
        b = self.verify(self.token("abc-defg-hij", "user-7", ACCESS_KEY, SECRET, 600))
        self.assertEqual(a["exp"] - a["iat"], 600)
        self.assertNotEqual(a["jti"], b["jti"])

    def test_wrong_secret_fails_verification(self):
        token = self.token("abc-defg-hij", "user-7", ACCESS_KEY, SECRET)
        with self.assertRaises(jwt.InvalidSignatureError):
            self.verify(token, "another-secret")
        tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        with self.assertRaises(jwt.InvalidSignatureError):
            self.verify(tampered)

    def test_blob_and_long_secrets(self):
        key = bytes(range(256)) * 3
        token = self.token("abc-defg-hij", "user-7", ACCESS_KEY, key)
        self.assertEqual(self.verify(token, key)["role"], "guest")

    def test_awkward_user_ids_are_escaped(self):
        for user in ['quote " and \\ backslash', "unicode é 日本 🎉", "ctl \x01\b\f\n\r\t\x1f\x7f",
                     "</script>", "a" * 256]:
            with self.subTest(user=user):
                claims = self.verify(self.token("abc-defg-hij", user, ACCESS_KEY, SECRET))
                self.assertEqual(claims["user_id"], user)

    def test_pasted_link_works(self):
        token = self.token("https://acme.app.100ms.live/meeting/ABC-DEFG-HIJ?x=1", "u",
                           ACCESS_KEY, SECRET)
        self.assertEqual(self.verify(token)["room_id"], "room-42")

    def test_disable_and_enable(self):
        self.db.execute("UPDATE room_codes SET enabled = 0 WHERE code = 'abc-defg-hij'")
        with self.assertRaisesRegex(sqlite3.OperationalError,
                                    r"^roomcode: room code 'abc-defg-hij' is disabled$"):
            self.token("abc-defg-hij", "user-7", ACCESS_KEY, SECRET)
        self.db.execute("UPDATE room_codes SET enabled = 1 WHERE code = 'abc-defg-hij'")
        self.assertEqual(self.verify(self.token("abc-defg-hij", "u", ACCESS_KEY, SECRET))["role"],
                         "guest")

    def test_bound_codes(self):
        code = self.db.execute("SELECT roomcode_new('room-42', 'host', 'alice')").fetchone()[0]
        self.assertEqual(self.verify(self.token(code, "alice", ACCESS_KEY, SECRET))["role"], "host")
        with self.assertRaisesRegex(sqlite3.OperationalError, "bound to another user than 'bob'"):
            self.token(code, "bob", ACCESS_KEY, SECRET)
        self.db.execute("UPDATE room_codes SET user_id = 'bob' WHERE code = ?", (code,))
        self.assertEqual(self.verify(self.token(code, "bob", ACCESS_KEY, SECRET))["user_id"], "bob")
        self.db.execute("UPDATE room_codes SET user_id = NULL WHERE code = ?", (code,))
        self.assertEqual(self.verify(self.token(code, "carol", ACCESS_KEY, SECRET))["user_id"],
                         "carol")

    def test_refusals_name_the_value(self):
        cases = [
            (("zzz-zzzz-zzz", "u", ACCESS_KEY, SECRET), "roomcode: unknown room code 'zzz-zzzz-zzz'"),
            (("abc", "u", ACCESS_KEY, SECRET), "roomcode: malformed room code 'abc'"),
            (("abc-defg-hij", "", ACCESS_KEY, SECRET), "roomcode: user_id must not be empty"),
            (("abc-defg-hij", 7, ACCESS_KEY, SECRET), "roomcode: user_id must be text, not integer 7"),
            (("abc-defg-hij", "u", "", SECRET), "roomcode: access_key must not be empty"),
            (("abc-defg-hij", "u", ACCESS_KEY, ""), "roomcode: app_secret must be non-empty text or blob"),
            (("abc-defg-hij", "u", ACCESS_KEY, None), "roomcode: app_secret must be non-empty text or blob"),
            (("abc-defg-hij", "u", ACCESS_KEY, SECRET, 0),
             "roomcode: ttl_seconds must be a whole number of seconds from 1 to 31622400, not integer 0"),
            (("abc-defg-hij", "u", ACCESS_KEY, SECRET, 10**12),
             "roomcode: ttl_seconds must be a whole number of seconds from 1 to 31622400, not integer 1000000000000"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                with self.assertRaises(sqlite3.Error) as caught:
                    self.token(*args)
                self.assertEqual(str(caught.exception), message)

    def test_token_writes_nothing(self):
        before = self.db.execute("SELECT * FROM room_codes_store").fetchall()
        self.token("abc-defg-hij", "u", ACCESS_KEY, SECRET)
        self.assertEqual(self.db.execute("SELECT * FROM room_codes_store").fetchall(), before)

    def test_token_is_base64url_without_padding(self):
        token = self.token("abc-defg-hij", "u", ACCESS_KEY, SECRET)
        self.assertRegex(token, r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$")
        payload = token.split(".")[1]
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        self.assertEqual(decoded["room_id"], "room-42")


class Links(unittest.TestCase):
    def setUp(self):
        self.db = connect()

    def tearDown(self):
        self.db.close()

    def test_every_link_round_trips(self):
        bases = ["acme.app.100ms.live", "https://acme.app.100ms.live/", "http://localhost:8080",
                 "https://meet.example.com/app", "https://meet.example.com/a/b/",
                 "https://meet.example.com/join?code={code}", "https://x.example/#/{code}/lobby",
                 "https://x.example/{code}?again={code}", "www.abc.com"]
        routes = [None, "meeting", "preview", "streaming/meeting", "streaming/preview"]
        codes = [r[0] for r in self.db.execute(
            "SELECT roomcode_generate() FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)")]
        codes.append("www-acme-com")  # a code that reads like a host
        n = 0
        for code in codes:
            for base in bases:
                for route in routes:
                    args = (code, base) if route is None else (code, base, route)
                    link = self.db.execute(
                        f"SELECT roomcode_link({', '.join('?' * len(args))})", args).fetchone()[0]
                    back = self.db.execute("SELECT roomcode_normalize(?)", (link,)).fetchone()[0]
                    self.assertEqual(back, code, link)
                    self.assertTrue(re.match(r"^https?://", link), link)
                    n += 1
        self.assertEqual(n, len(codes) * len(bases) * len(routes))
