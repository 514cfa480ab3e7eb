"""LiveKit and Jitsi tokens. Jitsi's are checked by a verifier that applies what Jitsi's
prosody token module checks in shared-secret mode (token/util.lib.lua: the HS256
signature, iss among the accepted issuers (the app id), aud among the accepted audiences,
the room claim present, nbf and exp; then, on joining, the MUC room's name against the
lowercased room claim and, with domain verification, sub against the domain). LiveKit's are
verified by livekit-server-sdk itself in tests/platforms; here, the claims and the
refusals, shared with roomcode_token."""
import base64
import json
import sqlite3
import time
import unittest
import uuid
from urllib.parse import quote

import jwt

from roomcode_test_support import connect

APP_ID = "my-app"
SECRET = "jitsi-shared-secret"
DOMAIN = "meet.example.com"

SETUP = """
CREATE VIRTUAL TABLE room_codes USING roomcode;
INSERT INTO room_codes_templates(template, role, permissions) VALUES
  ('webinar', 'host', '{"admin": true}'),
  ('webinar', 'viewer', '{"publish": false, "publish_data": false, "hidden": true}');
INSERT INTO room_codes_rooms(room_id, template) VALUES ('Town-Hall', 'webinar');
INSERT INTO room_codes(code, room_id, role) VALUES
  ('hhh-hhhh-hhh', 'Town-Hall', 'host'),
  ('vvv-vvvv-vvv', 'Town-Hall', 'viewer'),
  ('ccc-cccc-ccc', 'lobby', 'guest');
INSERT INTO room_codes(code, room_id, role, user_id) VALUES ('bbb-bbbb-bbb', 'lobby', 'guest', 'ann');
INSERT INTO room_codes(code, room_id, role, enabled) VALUES ('ddd-dddd-ddd', 'lobby', 'guest', 0);
"""


def backend_safe_room_name(room):
    """Jitsi Meet's getBackendSafeRoomName for a room name without '%' (the client
    decodes URI escapes first): lowercased, then encodeURIComponent with lowercase hex."""
    import unicodedata
    room = unicodedata.normalize("NFKC", room).lower()
    return quote(room, safe="-_.!~*'()").lower()


def prosody_accepts(token, room_node, domain=DOMAIN, app_id=APP_ID, secret=SECRET,
                    accepted_audiences=("*",), domain_verification=True, now=None):
    """The checks of prosody's token module, from Jitsi's documentation and
    token/util.lib.lua; returns the claims or raises AssertionError with the reason."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"],
                            options={"verify_aud": False, "verify_exp": False,
                                     "verify_nbf": False, "verify_iat": False})
    except jwt.InvalidTokenError as e:
        raise AssertionError(f"signature: {e}")
    now = time.time() if now is None else now
    # luajwtjitsi: exp and nbf are numbers and hold now
    assert isinstance(claims.get("exp"), int) and now < claims["exp"], "exp"
    assert isinstance(claims.get("nbf"), int) and claims["nbf"] <= now, "nbf"
    assert claims.get("iss") in (app_id, "*"), "iss"          # asap_accepted_issuers = {app_id}
    assert "room" in claims, "room claim missing"             # asap_require_room_claim
    assert "aud" in claims, "aud missing"
    assert "*" in accepted_audiences or claims["aud"] in accepted_audiences, "aud"
    auth_room = claims["room"]
    assert auth_room == "*" or room_node == auth_room.lower(), "room"
    if domain_verification:
        sub = claims.get("sub")
        assert sub == "*" or f"conference.{sub}".lower() == f"conference.{domain}".lower(), "sub"
    user = claims.get("context", {}).get("user", {})
    for key, value in user.items():  # presence_identity takes strings, numbers or null
        assert value is None or isinstance(value, (str, int, float)), key
    return claims


class Jitsi(unittest.TestCase):
    def setUp(self):
        self.db = connect()
        self.db.executescript(SETUP)

    def tearDown(self):
        self.db.close()

    def token(self, *args):
        return self.db.execute(f"SELECT roomcode_jitsi_token({', '.join('?' * len(args))})",
                               args).fetchone()[0]

    def test_prosody_accepts_a_host_as_moderator(self):
        before = int(time.time())
        t = self.token("hhh-hhhh-hhh", "alice", APP_ID, SECRET, DOMAIN)
        claims = prosody_accepts(t, backend_safe_room_name("Town-Hall"),
                                 accepted_audiences=(APP_ID,))
        self.assertEqual(jwt.get_unverified_header(t), {"alg": "HS256", "typ": "JWT"})
        self.assertEqual(claims["iss"], APP_ID)
        self.assertEqual(claims["aud"], APP_ID)
        self.assertEqual(claims["sub"], DOMAIN)
        self.assertEqual(claims["room"], "town-hall")
        self.assertTrue(before - 10 <= claims["nbf"] <= int(time.time()) - 10 + 1)
        self.assertEqual(claims["exp"], claims["nbf"] + 86400)
        self.assertIs(claims["moderator"], True)
        self.assertEqual(claims["context"]["user"],
                         {"id": "alice", "moderator": "true", "affiliation": "owner"})

    def test_a_viewer_is_no_moderator(self):
        t = self.token("vvv-vvvv-vvv", "bob", APP_ID, SECRET, DOMAIN, 60)
        claims = prosody_accepts(t, "town-hall")
        self.assertIs(claims["moderator"], False)
        self.assertEqual(claims["context"]["user"]["moderator"], "false")
        self.assertEqual(claims["context"]["user"]["affiliation"], "member")
        self.assertEqual(claims["exp"] - claims["nbf"], 60)

    def test_prosody_refuses_what_it_should(self):
        t = self.token("hhh-hhhh-hhh", "alice", APP_ID, SECRET, DOMAIN)
        for kwargs, reason in [({"room_node": "other"}, "room"),
                               ({"room_node": "town-hall", "secret": "wrong"}, "signature"),
                               ({"room_node": "town-hall", "app_id": "other"}, "iss"),
                               ({"room_node": "town-hall", "accepted_audiences": ("jitsi",)},
                                "aud"),
                               ({"room_node": "town-hall", "domain": "other.example"}, "sub"),
                               ({"room_node": "town-hall", "now": time.time() + 86400 + 5},
                                "exp"),
                               ({"room_node": "town-hall", "now": time.time() - 3600}, "nbf")]:
            with self.subTest(reason=reason), self.assertRaisesRegex(AssertionError, reason):
                prosody_accepts(t, **kwargs)

    def test_room_names_as_jitsi_compares_them(self):
        for room in ["Town Hall", "a/b?c", "Été-2026", "MiXeD_case.(1)!*'~", "日本語"]:
            self.db.execute("INSERT INTO room_codes(code, room_id, role) VALUES (?, ?, 'g')",
                            ("rrr-rrrr-rrr", room))
            t = self.token("rrr-rrrr-rrr", "u", APP_ID, SECRET, DOMAIN)
            with self.subTest(room=room):
                if room == "Été-2026":
                    # Jitsi lowercases É too; roomcode lowercases ASCII only (documented)
                    self.assertEqual(jwt.decode(t, SECRET, algorithms=["HS256"],
                                                audience=APP_ID)["room"], "%c3%89t%c3%a9-2026")
                else:
                    prosody_accepts(t, backend_safe_room_name(room))
                self.assertTrue(base64.b64decode(t.split(".")[1] + "==").isascii())
            self.db.execute("DELETE FROM room_codes WHERE code = 'rrr-rrrr-rrr'")

    def test_display_name_is_context_user_name(self):
        t = self.token("hhh-hhhh-hhh", "alice", APP_ID, SECRET, DOMAIN, 60, "Zoë \U0001F600")
        payload = base64.b64decode(t.split(".")[1] + "==")
        self.assertTrue(payload.isascii())
        claims = prosody_accepts(t, "town-hall")
        self.assertEqual(claims["context"]["user"],
                         {"id": "alice", "name": "Zoë \U0001F600", "moderator": "true",
                          "affiliation": "owner"})
        claims = prosody_accepts(self.token("hhh-hhhh-hhh", "alice", APP_ID, SECRET, DOMAIN, 60,
                                            None), "town-hall")
        self.assertNotIn("name", claims["context"]["user"])

    def test_display_name_refusals_name_it(self):
        for name, pattern in [("", "^roomcode: name must not be empty$"),
                              (b"x", "^roomcode: name must be text, not a blob"),
                              ("n" * 257, r"^roomcode: name 'n+'\.\.\. is longer than 256 bytes$"),
                              (7, "^roomcode: name must be text, not ")]:
            with self.subTest(name=name), self.assertRaisesRegex(sqlite3.OperationalError,
                                                                 pattern):
                self.token("hhh-hhhh-hhh", "alice", APP_ID, SECRET, DOMAIN, 60, name)

    def test_anonymous_user_gets_a_fresh_uuid(self):
        ids = set()
        for _ in range(3):
            claims = prosody_accepts(self.token("ccc-cccc-ccc", None, APP_ID, SECRET, DOMAIN),
                                     "lobby")
            ids.add(claims["context"]["user"]["id"])
        self.assertEqual(len(ids), 3)
        for i in ids:
            self.assertEqual(uuid.UUID(i).version, 4)

    def test_refuses_as_roomcode_token_does(self):
        for code, user in [("nope", "u"), ("zzz-zzzz-zzz", "u"), ("ddd-dddd-ddd", "u"),
                           ("bbb-bbbb-bbb", None), ("bbb-bbbb-bbb", "bob")]:
            with self.subTest(code=code, user=user):
                with self.assertRaises(sqlite3.OperationalError) as want:
                    self.db.execute("SELECT roomcode_token(?, ?, 'k', 's')", (code, user))
                with self.assertRaises(sqlite3.OperationalError) as got:
                    self.token(code, user, APP_ID, SECRET, DOMAIN)
                self.assertEqual(str(got.exception), str(want.exception))
        self.assertTrue(prosody_accepts(self.token("bbb-bbbb-bbb", "ann", APP_ID, SECRET,
                                                   DOMAIN), "lobby"))

    def test_a_disabled_room_gets_no_token(self):
        self.db.execute("UPDATE room_codes_rooms SET enabled = 0")
        with self.assertRaisesRegex(sqlite3.OperationalError, "which is disabled$"):
            self.token("hhh-hhhh-hhh", "u", APP_ID, SECRET, DOMAIN)


class LiveKit(unittest.TestCase):
    def setUp(self):
        self.db = connect()
        self.db.executescript(SETUP)

    def tearDown(self):
        self.db.close()

    def token(self, *args):
        return self.db.execute(f"SELECT roomcode_livekit_token({', '.join('?' * len(args))})",
                               args).fetchone()[0]

    def test_claims(self):
        before = int(time.time())
        t = self.token("vvv-vvvv-vvv", "bob", "APIkey", "secret", 120)
        claims = jwt.decode(t, "secret", algorithms=["HS256"], issuer="APIkey")
        self.assertEqual(claims["sub"], "bob")
        self.assertTrue(before - 10 <= claims["nbf"] <= int(time.time()) - 10 + 1)
        self.assertEqual(claims["exp"], claims["nbf"] + 120)
        self.assertEqual(claims["video"], {"room": "Town-Hall", "roomJoin": True,
                                           "canPublish": False, "canSubscribe": True,
                                           "canPublishData": False, "roomAdmin": False,
                                           "hidden": True})
        self.assertEqual(claims["attributes"], {"role": "viewer"})

    def test_unregistered_room_has_the_default_permissions(self):
        claims = jwt.decode(self.token("ccc-cccc-ccc", None, "k", "s"), "s",
                            algorithms=["HS256"])
        self.assertEqual(uuid.UUID(claims["sub"]).version, 4)
        self.assertEqual(claims["video"], {"room": "lobby", "roomJoin": True,
                                           "canPublish": True, "canSubscribe": True,
                                           "canPublishData": True, "roomAdmin": False,
                                           "hidden": False})

    def test_refuses_as_roomcode_token_does(self):
        for code, user in [("nope", "u"), ("zzz-zzzz-zzz", "u"), ("ddd-dddd-ddd", "u"),
                           ("bbb-bbbb-bbb", None), ("bbb-bbbb-bbb", "bob")]:
            with self.subTest(code=code, user=user):
                with self.assertRaises(sqlite3.OperationalError) as want:
                    self.db.execute("SELECT roomcode_token(?, ?, 'k', 's')", (code, user))
                with self.assertRaises(sqlite3.OperationalError) as got:
                    self.token(code, user, "k", "s")
                self.assertEqual(str(got.exception), str(want.exception))

    def test_argument_messages_name_the_argument(self):
        cases = [(("ccc-cccc-ccc", 5, "k", "s"), "^roomcode: identity"),
                 (("ccc-cccc-ccc", "u", "", "s"), "^roomcode: api_key"),
                 (("ccc-cccc-ccc", "u", "k", ""), "^roomcode: api_secret must be non-empty"),
                 (("ccc-cccc-ccc", "u", "k", "s", 0), "^roomcode: ttl_seconds")]
        for args, pattern in cases:
            with self.subTest(args=args), self.assertRaisesRegex(sqlite3.OperationalError,
                                                                 pattern):
                self.token(*args)

    def test_escaping_and_utf8(self):
        self.db.execute("INSERT INTO room_codes(code, room_id, role) "
                        "VALUES ('uuu-uuuu-uuu', 'salle \"é\" ~?>', 'gäst')")
        t = self.token("uuu-uuuu-uuu", "zoë \U0001F600", "k", "s")
        payload = base64.b64decode(t.split(".")[1] + "==")
        self.assertTrue(payload.isascii())
        claims = json.loads(payload)
        self.assertEqual(claims["video"]["room"], 'salle "é" ~?>')
        self.assertEqual(claims["attributes"]["role"], "gäst")
        self.assertEqual(claims["sub"], "zoë \U0001F600")

    def test_display_name(self):
        t = self.token("ccc-cccc-ccc", "u", "k", "s", 60, "Zoë")
        self.assertEqual(json.loads(base64.b64decode(t.split(".")[1] + "=="))["name"], "Zoë")
        with self.assertRaisesRegex(sqlite3.OperationalError, "^roomcode: name must not be empty$"):
            self.token("ccc-cccc-ccc", "u", "k", "s", 60, "")


if __name__ == "__main__":
    unittest.main()
