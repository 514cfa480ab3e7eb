"""Room Code Authentication tokens, verified by an independent JWT implementation
(Debian's python3-jwt, PyJWT): signature, every claim, the refusals, the clock skew a
verifier may have, and payloads that decode the way 100ms's web SDK decodes them
(atob, i.e. standard base64 read as Latin-1, then JSON.parse) for any stored value."""
import base64
import datetime
import json
import random
import re
import sqlite3
import time
import unittest
import uuid
from unittest import mock

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
        # backdated 10 s, as 100ms's server SDK does: nbf = iat, exp = nbf + ttl
        self.assertTrue(before - 10 <= claims["iat"] <= after - 10)
        self.assertEqual(claims["nbf"], claims["iat"])
        self.assertEqual(claims["exp"] - claims["nbf"], 86400)
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
            (("abc-defg-hij", b"u", ACCESS_KEY, SECRET), "roomcode: user_id must be text, not a blob of 1 bytes"),
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


def sdk_decode(token):
    """The payload as 100ms's web SDK reads it: JSON.parse(atob(parts[1])). atob decodes
    standard base64 only (a '-' or '_' throws), tolerates missing padding, and gives one
    character per byte (Latin-1)."""
    part = token.split(".")[1]
    if len(part) % 4 == 1 or not re.fullmatch(r"[A-Za-z0-9+/]*", part):
        raise ValueError(f"atob would throw on {part!r}")
    raw = base64.b64decode(part + "=" * (-len(part) % 4), validate=True)
    return json.loads(raw.decode("latin-1"))


def random_text(rng, allow_control):
    """1 to 24 characters from every UTF-8 length class, surrogates left out."""
    lo = 1 if allow_control else 0x20
    classes = [(lo, 0x7F), (0x80, 0x7FF), (0x800, 0xD7FF), (0xE000, 0xFFFF), (0x10000, 0x10FFFF)]
    out = []
    for _ in range(rng.randint(1, 24)):
        a, b = rng.choice(classes)
        c = rng.randint(a, b)
        if not allow_control and c == 0x7F:
            c = 0x7E
        out.append(chr(c))
    text = "".join(out)
    while len(text.encode()) > 256:
        text = text[:-1]
    return text


class SdkDecoding(unittest.TestCase):
    """JSON.parse(atob(payload)) gives back exactly the stored values."""

    def setUp(self):
        self.db = connect()
        self.db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
        self.n = 0

    def tearDown(self):
        self.db.close()

    def code_for(self, room_id, role):
        self.n += 1
        return self.db.execute("SELECT roomcode_new(?, ?)", (room_id, role)).fetchone()[0]

    def check(self, room_id, role, user_id, access_key=ACCESS_KEY):
        code = self.code_for(room_id, role)
        token = self.db.execute("SELECT roomcode_token(?, ?, ?, ?)",
                                (code, user_id, access_key, SECRET)).fetchone()[0]
        self.assertRegex(token.split(".")[0] + token.split(".")[1], r"^[A-Za-z0-9]+$")
        claims = sdk_decode(token)
        self.assertEqual((claims["room_id"], claims["role"], claims["user_id"],
                          claims["access_key"]), (room_id, role, user_id, access_key))
        return token

    def test_every_ascii_byte_at_every_position(self):
        # a byte lands at each position of a 3-byte base64 group after 0, 1 or 2 others;
        # names in the store refuse control characters, the joining user_id only NUL
        count = 0
        for lead in ("", "a", "ab"):
            for b in range(1, 128):
                c = chr(b)
                with self.subTest(byte=b, lead=lead):
                    self.check(f"r{self.n}", "guest", lead + c)
                    if 0x20 <= b < 0x7F:
                        self.check(lead + c, "guest", "u")
                        self.check(f"r{self.n}", lead + c, "u")
                        self.check(f"r{self.n}", "guest", "u", access_key=lead + c)
                        count += 3
                    count += 1
        self.assertEqual(count, 3 * (127 + 3 * 95))

    def test_the_ids_that_break_100ms_tokens(self):
        for user in ["a?b", "x>y", "Zo\u00eb", "~tilde", "\U0001F389 party", "\u65e5\u672c"]:
            with self.subTest(user=user):
                token = self.check("room-1", "guest", user)
                self.assertEqual(jwt.decode(token, SECRET, algorithms=["HS256"])["user_id"], user)

    def test_random_unicode(self):
        seed = random.randrange(1 << 32)
        rng = random.Random(seed)
        for i in range(300):
            room_id, role = random_text(rng, False), random_text(rng, False)
            user_id = random_text(rng, True)
            with self.subTest(seed=seed, i=i):
                self.check(room_id, role, user_id)

    def test_every_code_point_class_edge(self):
        edges = [0x80, 0x7FF, 0x800, 0xFFF, 0x1000, 0xD7FF, 0xE000, 0xFEFF, 0xFFFD, 0xFFFF,
                 0x10000, 0x1F600, 0xFFFFF, 0x100000, 0x10FFFF, 0x2028, 0x2029]
        for lead in ("", "a", "ab"):
            text = lead + "".join(chr(c) for c in edges)
            self.check(text, text, text)


class AnonymousAndSkew(unittest.TestCase):
    def setUp(self):
        self.db = connect()
        self.db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
        self.db.execute("INSERT INTO room_codes(code, room_id, role) "
                        "VALUES ('abc-defg-hij', 'room-42', 'guest')")
        self.db.execute("INSERT INTO room_codes(code, room_id, role, user_id) "
                        "VALUES ('kkk-kkkk-kkk', 'room-42', 'host', 'alice')")

    def tearDown(self):
        self.db.close()

    def token(self, code, user_id):
        return self.db.execute("SELECT roomcode_token(?, ?, ?, ?)",
                               (code, user_id, ACCESS_KEY, SECRET)).fetchone()[0]

    def test_no_user_id_gives_a_fresh_uuid4(self):
        seen = set()
        for _ in range(50):
            claims = jwt.decode(self.token("abc-defg-hij", None), SECRET, algorithms=["HS256"])
            u = uuid.UUID(claims["user_id"])
            self.assertEqual((u.version, u.variant), (4, uuid.RFC_4122))
            self.assertEqual(str(u), claims["user_id"])
            self.assertNotEqual(claims["user_id"], claims["jti"])
            seen.add(claims["user_id"])
        self.assertEqual(len(seen), 50)

    def test_a_bound_code_needs_its_user(self):
        with self.assertRaises(sqlite3.OperationalError) as caught:
            self.token("kkk-kkkk-kkk", None)
        self.assertEqual(str(caught.exception), "roomcode: room code 'kkk-kkkk-kkk' is bound"
                                                 " to a user: give that user's user_id")
        self.assertEqual(caught.exception.sqlite_errorname, "SQLITE_ERROR")
        claims = jwt.decode(self.token("kkk-kkkk-kkk", "alice"), SECRET, algorithms=["HS256"])
        self.assertEqual(claims["user_id"], "alice")

    def test_a_verifier_5_seconds_behind_accepts_a_fresh_token(self):
        class Behind(datetime.datetime):
            @classmethod
            def now(cls, tz=None):
                return datetime.datetime.now(tz) - datetime.timedelta(seconds=5)

        token = self.token("abc-defg-hij", "u")
        # what roomcode did before: iat = now, which that verifier refuses (so the check can fail)
        now = int(time.time())
        undated = jwt.encode({"iat": now, "nbf": now, "exp": now + 60}, SECRET, algorithm="HS256")
        with mock.patch("jwt.api_jwt.datetime", Behind):
            with self.assertRaises(jwt.ImmatureSignatureError):
                jwt.decode(undated, SECRET, algorithms=["HS256"])
            claims = jwt.decode(token, SECRET, algorithms=["HS256"],
                                options={"require": ["exp", "iat", "nbf"]})
        self.assertEqual(claims["user_id"], "u")


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
