"""Bad input against every function and every statement on room_codes (issue 4, item 6).

Each case puts one bad value into one argument or column, the others valid, on a fresh
database holding two codes. Whatever the outcome, it must be a clear error or a defined
result: never a crash, never a partial write. The test checks, for every case:

  * an error names the extension (`roomcode:`) unless SQLite itself refuses the SQL
    (wrong number of arguments), and is valid UTF-8 (strict clients decode error text as UTF-8);
  * a refused statement leaves the database exactly as it was (every row, every column);
  * a statement that succeeds changes what it says and nothing else;
  * the outcome is the one recorded in bad_input.md, which this file writes with
    `--update` and which the README's errors section is made from.

Usage: python3 test_bad_input.py [--update | --markdown]
"""
import json
import os
import re
import sqlite3
import sys
import unittest

from reliability_support import HERE, connect, snapshot

TABLE_FILE = os.path.join(HERE, "bad_input.md")
MB = 1 << 20
KNOWN = "abc-defg-hij"  # stored, enabled, for role host
OTHER = "bcd-efgh-ijk"  # stored, enabled, for role guest
SECRET = "s3cret"


class Input:
    """A bad value: a label, the SQL that stands for it, and its parameters."""

    def __init__(self, label, sql="?", params=()):
        self.label, self.sql, self.params = label, sql, tuple(params)


def value(label, v):
    return Input(label, "?", (v,))


# What every argument and column meets.
COMMON = [
    value("NULL", None),
    value("integer `42`", 42),
    value("real `3.5`", 3.5),
    value("blob `x'616263'`", b"abc"),
    value("empty string `''`", ""),
    value("1 MB string", "a" * MB),
    Input("invalid UTF-8 `CAST(x'ff61' AS TEXT)`", "CAST(? AS TEXT)", (b"\xffa",)),
    value("embedded NUL `'r\\0x'`", "r\x00x"),
    value("control character `'r\\tx'`", "r\tx"),
    value("SQL-looking `'x''); DROP TABLE room_codes; --'`", "x'); DROP TABLE room_codes; --"),
]
# Where a code is expected, also these.
CODE_EXTRA = [
    value("code with a NUL after it `'abc-defg-hij\\0'`", KNOWN + "\x00"),
    value("code in a 1 MB string `'abc-defg-hij' + 1 MB of spaces`", KNOWN + " " * MB),
    value("code as a blob `CAST('abc-defg-hij' AS BLOB)`", KNOWN.encode()),
]
ROLES_EXTRA = [
    value("`'[]'`", "[]"),
    value("`'[\"host\"'` (not JSON)", '["host"'),
    value("`'{\"host\": 1}'` (an object)", '{"host": 1}'),
    value("`'[1, 2]'` (numbers)", "[1, 2]"),
    value("`'[\"host\", \"\"]'` (an empty role)", '["host", ""]'),
    value("`'[[\"host\"]]'` (nested)", '[["host"]]'),
    value("duplicated roles `'[\"host\", \"host\", \"guest\"]'`", '["host", "host", "guest"]'),
    value("100k distinct roles `'[\"r0\", ..., \"r99999\"]'`", json.dumps([f"r{i}" for i in range(100000)])),
    value("100k times one role `'[\"host\", \"host\", ...]'`", json.dumps(["host"] * 100000)),
]
ENABLED_EXTRA = [value("integer `2`", 2), value("text `'1'`", "1"), value("real `1.0`", 1.0)]


class Target:
    """A statement with one slot, {}, for the bad value; the other values are valid.
    expect_rows: what a success may change, as a function (before, after) -> bool."""

    def __init__(self, name, sql, params=(), extra=(), writes=True):
        self.name, self.sql, self.params = name, sql, tuple(params)
        self.inputs = COMMON + list(extra)
        self.writes = writes


TARGETS = [
    Target("roomcode_new(room_id, ·)", "SELECT roomcode_new({}, 'host')"),
    Target("roomcode_new(·, role)", "SELECT roomcode_new('r-1', {})"),
    Target("roomcode_new(·, ·, user_id)", "SELECT roomcode_new('r-1', 'host', {})"),
    Target("roomcode_create(room_id, ·)", "SELECT * FROM roomcode_create({}, '[\"host\"]')"),
    Target("roomcode_create(·, roles)", "SELECT * FROM roomcode_create('r-2', {})", extra=ROLES_EXTRA),
    Target("roomcode_generate(x)", "SELECT roomcode_generate({})", writes=False),
    Target("roomcode_valid(x)", "SELECT roomcode_valid({})", extra=CODE_EXTRA, writes=False),
    Target("roomcode_normalize(x)", "SELECT roomcode_normalize({})", extra=CODE_EXTRA, writes=False),
    Target("roomcode_version(x)", "SELECT roomcode_version({})", writes=False),
    Target("roomcode_link(code, ·)", "SELECT roomcode_link({}, 'acme.app.100ms.live')",
           extra=CODE_EXTRA, writes=False),
    Target("roomcode_link(·, base)", f"SELECT roomcode_link('{KNOWN}', {{}})", writes=False),
    Target("roomcode_link(·, ·, route)", f"SELECT roomcode_link('{KNOWN}', 'acme.app.100ms.live', {{}})",
           writes=False),
    Target("roomcode_token(code, ·, ·, ·)", f"SELECT roomcode_token({{}}, 'u-1', 'key', '{SECRET}')",
           extra=CODE_EXTRA, writes=False),
    Target("roomcode_token(·, user_id, ·, ·)", f"SELECT roomcode_token('{KNOWN}', {{}}, 'key', '{SECRET}')",
           writes=False),
    Target("roomcode_token(·, ·, access_key, ·)", f"SELECT roomcode_token('{KNOWN}', 'u-1', {{}}, '{SECRET}')",
           writes=False),
    Target("roomcode_token(·, ·, ·, app_secret)", f"SELECT roomcode_token('{KNOWN}', 'u-1', 'key', {{}})",
           writes=False),
    Target("roomcode_token(·, ·, ·, ·, ttl_seconds)",
           f"SELECT roomcode_token('{KNOWN}', 'u-1', 'key', '{SECRET}', {{}})", writes=False),
    Target("roomcode_check(code)", "SELECT roomcode_check({})", extra=CODE_EXTRA, writes=False),
    Target("roomcode_check(·, user_id)", f"SELECT roomcode_check('{KNOWN}', {{}})", writes=False),
    Target("roomcode_resolve(code)", "SELECT roomcode_resolve({})", extra=CODE_EXTRA, writes=False),
    Target("roomcode_resolve(·, user_id)", f"SELECT roomcode_resolve('{KNOWN}', {{}})", writes=False),
    Target("roomcode_livekit_token(code, ·, ·, ·)",
           f"SELECT roomcode_livekit_token({{}}, 'u-1', 'key', '{SECRET}')", extra=CODE_EXTRA,
           writes=False),
    Target("roomcode_livekit_token(·, identity, ·, ·)",
           f"SELECT roomcode_livekit_token('{KNOWN}', {{}}, 'key', '{SECRET}')", writes=False),
    Target("roomcode_livekit_token(·, ·, api_key, ·)",
           f"SELECT roomcode_livekit_token('{KNOWN}', 'u-1', {{}}, '{SECRET}')", writes=False),
    Target("roomcode_livekit_token(·, ·, ·, api_secret)",
           f"SELECT roomcode_livekit_token('{KNOWN}', 'u-1', 'key', {{}})", writes=False),
    Target("roomcode_livekit_token(·, ·, ·, ·, ttl_seconds)",
           f"SELECT roomcode_livekit_token('{KNOWN}', 'u-1', 'key', '{SECRET}', {{}})", writes=False),
    Target("roomcode_livekit_token(·, ·, ·, ·, ·, name)",
           f"SELECT roomcode_livekit_token('{KNOWN}', 'u-1', 'key', '{SECRET}', 60, {{}})", writes=False),
    Target("roomcode_jitsi_token(code, ·, ·, ·, ·)",
           f"SELECT roomcode_jitsi_token({{}}, 'u-1', 'app', '{SECRET}', 'meet.example.com')",
           extra=CODE_EXTRA, writes=False),
    Target("roomcode_jitsi_token(·, user_id, ·, ·, ·)",
           f"SELECT roomcode_jitsi_token('{KNOWN}', {{}}, 'app', '{SECRET}', 'meet.example.com')",
           writes=False),
    Target("roomcode_jitsi_token(·, ·, app_id, ·, ·)",
           f"SELECT roomcode_jitsi_token('{KNOWN}', 'u-1', {{}}, '{SECRET}', 'meet.example.com')",
           writes=False),
    Target("roomcode_jitsi_token(·, ·, ·, app_secret, ·)",
           f"SELECT roomcode_jitsi_token('{KNOWN}', 'u-1', 'app', {{}}, 'meet.example.com')",
           writes=False),
    Target("roomcode_jitsi_token(·, ·, ·, ·, domain)",
           f"SELECT roomcode_jitsi_token('{KNOWN}', 'u-1', 'app', '{SECRET}', {{}})", writes=False),
    Target("roomcode_jitsi_token(·, ·, ·, ·, ·, ttl_seconds)",
           f"SELECT roomcode_jitsi_token('{KNOWN}', 'u-1', 'app', '{SECRET}', 'meet.example.com', {{}})",
           writes=False),
    Target("roomcode_jitsi_token(·, ·, ·, ·, ·, ·, name)",
           f"SELECT roomcode_jitsi_token('{KNOWN}', 'u-1', 'app', '{SECRET}', 'meet.example.com', 60, {{}})",
           writes=False),
    Target("roomcode_create(room_id) of a template", "SELECT * FROM roomcode_create({})"),
    Target("roomcode_rotate(code)", "SELECT roomcode_rotate({})", extra=CODE_EXTRA),
    Target("roomcode_json(code)", "SELECT roomcode_json({})", extra=CODE_EXTRA, writes=False),
    Target("roomcode_room_json(room_id)", "SELECT roomcode_room_json({})", writes=False),
    Target("INSERT (room_id, role): room_id", "INSERT INTO room_codes(room_id, role) VALUES ({}, 'host')"),
    Target("INSERT (room_id, role): role", "INSERT INTO room_codes(room_id, role) VALUES ('r-1', {})"),
    Target("INSERT (code, room_id, role): code",
           "INSERT INTO room_codes(code, room_id, role) VALUES ({}, 'r-1', 'host')", extra=CODE_EXTRA),
    Target("INSERT ... user_id", "INSERT INTO room_codes(room_id, role, user_id) VALUES ('r-1', 'host', {})"),
    Target("INSERT ... enabled", "INSERT INTO room_codes(room_id, role, enabled) VALUES ('r-1', 'host', {})",
           extra=ENABLED_EXTRA),
    Target("INSERT ... created_at",
           "INSERT INTO room_codes(room_id, role, created_at) VALUES ('r-1', 'host', {})"),
    Target("UPDATE SET enabled", f"UPDATE room_codes SET enabled = {{}} WHERE code = '{KNOWN}'",
           extra=ENABLED_EXTRA),
    Target("UPDATE SET user_id", f"UPDATE room_codes SET user_id = {{}} WHERE code = '{KNOWN}'"),
    Target("UPDATE SET room_id", f"UPDATE room_codes SET room_id = {{}} WHERE code = '{KNOWN}'"),
    Target("UPDATE SET role", f"UPDATE room_codes SET role = {{}} WHERE code = '{KNOWN}'"),
    Target("UPDATE SET created_at", f"UPDATE room_codes SET created_at = {{}} WHERE code = '{KNOWN}'"),
    Target("UPDATE SET code", f"UPDATE room_codes SET code = {{}} WHERE code = '{KNOWN}'",
           extra=CODE_EXTRA),
    Target("UPDATE ... WHERE code", "UPDATE room_codes SET enabled = 0 WHERE code = {}", extra=CODE_EXTRA),
    Target("DELETE WHERE code", "DELETE FROM room_codes WHERE code = {}", extra=CODE_EXTRA),
    Target("SELECT WHERE code", "SELECT code FROM room_codes WHERE code = {}", extra=CODE_EXTRA,
           writes=False),
    Target("SELECT WHERE room_id", "SELECT code FROM room_codes WHERE room_id = {}", writes=False),
    Target("SELECT WHERE room_id AND role",
           "SELECT code FROM room_codes WHERE room_id = 'r-1' AND role = {}", writes=False),
    Target("SELECT WHERE user_id", "SELECT code FROM room_codes WHERE user_id = {}", writes=False),
    # a bad value in the second row of one statement: none of its rows may stay
    Target("INSERT two rows, 2nd room_id bad",
           "INSERT INTO room_codes(room_id, role) VALUES ('r-9', 'host'), ({}, 'host')"),
    Target("UPDATE two rows, 2nd enabled bad",
           "UPDATE room_codes SET enabled = CASE code WHEN '%s' THEN {} ELSE 0 END"
           " WHERE room_id = 'r-1'" % OTHER, extra=ENABLED_EXTRA),
]

# Errors that SQLite itself raises before the extension runs.
SQLITE_MESSAGES = re.compile(r"^wrong number of arguments to function roomcode_\w+\(\)$")
JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
CODE = re.compile(r"^[a-z]{3}-[a-z]{4}-[a-z]{3}$")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")  # shown as <timestamp>


def fresh_database():
    db = connect(isolation_level=None)
    db.execute("CREATE VIRTUAL TABLE room_codes USING roomcode")
    db.execute("INSERT INTO room_codes(code, room_id, role) VALUES (?, 'r-1', 'host'), (?, 'r-1', 'guest')",
               (KNOWN, OTHER))
    db.execute("INSERT INTO room_codes_templates(template, role) VALUES ('class', 'host'), ('class', 'guest')")
    return db


def snapshot_all(db):
    """The store's rows (snapshot), and those of the templates and rooms tables."""
    rows = snapshot(db)
    for table in ("templates", "rooms"):
        for r in db.execute(f"SELECT * FROM room_codes_{table}"):
            rows[(table,) + tuple(r[:2])] = tuple(r[2:])
    return rows


def show(v):
    """A result as the table shows it: codes and tokens by kind, since they are random."""
    if isinstance(v, str):
        if CODE.match(v):
            return "a new code" if v not in (KNOWN, OTHER) else f"`'{v}'`"
        if JWT.match(v):
            return "a JWT"
        if len(v) > 60:
            return f"text of {len(v)} characters"
        return "`" + repr(v) + "`"
    return f"`{'NULL' if v is None else v}`"


def describe_change(before, after):
    """What a statement changed, in words the table shows."""
    added = after.keys() - before.keys()
    removed = before.keys() - after.keys()
    changed = [c for c in after.keys() & before.keys() if after[c] != before[c]]
    parts = []
    if added:
        parts.append(f"{len(added)} row{'s' * (len(added) != 1)} stored")
    if removed:
        parts.append(f"{len(removed)} row{'s' * (len(removed) != 1)} deleted")
    if changed:
        parts.append(f"{len(changed)} row{'s' * (len(changed) != 1)} changed")
    return ", ".join(parts)


def run_case(target, bad):
    """Runs one case on a fresh database; returns (outcome text, details for checks)."""
    db = fresh_database()
    db.text_factory = lambda b: b.decode("utf-8", "surrogateescape")
    try:
        before = snapshot_all(db)
        error = None
        rows = None
        try:
            rows = db.execute(target.sql.format(bad.sql), target.params + bad.params).fetchall()
        except sqlite3.Error as e:
            error = e
        after = snapshot_all(db)
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()
    if error is not None:
        outcome = "error: `" + TIMESTAMP.sub("<timestamp>", str(error)) + "`"
    elif target.sql.startswith("SELECT") and not target.sql.startswith("SELECT * FROM roomcode_create"):
        outcome = ", ".join(show(r[0]) for r in rows) if rows else "no row"
    elif rows:
        outcome = f"{len(rows)} row{'s' * (len(rows) != 1)} returned"
    else:
        outcome = "done"
    change = describe_change(before, after)
    if change:
        outcome += f" ({change})"
    return outcome, {"error": error, "rows": rows, "before": before, "after": after,
                     "integrity": integrity}


def all_outcomes():
    for target in TARGETS:
        for bad in target.inputs:
            yield target, bad, run_case(target, bad)


def markdown(outcomes):
    lines = ["| target | input | outcome |", "|---|---|---|"]
    for target, bad, (outcome, _) in outcomes:
        cell = outcome.replace("|", "\\|")
        lines.append(f"| {target.name} | {bad.label} | {cell} |")
    return "\n".join(lines) + "\n"


def recorded_table():
    """{(target, input): outcome} from bad_input.md."""
    table = {}
    with open(TABLE_FILE, encoding="utf-8") as f:
        for line in f:
            cells = re.split(r"(?<!\\) \| ", line.strip()[2:-2]) if line.startswith("| ") else []
            if len(cells) == 3 and cells[0] not in ("target", "---"):
                table[(cells[0], cells[1])] = cells[2].replace("\\|", "|")
    return table


class BadInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.outcomes = list(all_outcomes())

    def test_errors_are_clear(self):
        for target, bad, (outcome, d) in self.outcomes:
            with self.subTest(target=target.name, input=bad.label):
                e = d["error"]
                if e is None:
                    continue
                message = str(e)
                self.assertTrue(message.startswith("roomcode: ") or SQLITE_MESSAGES.match(message),
                                message)
                message.encode("utf-8")  # no lone surrogates: the message was valid UTF-8
                self.assertNotIn("\n", message)
                self.assertLess(len(message), 400, "a message quotes at most a cut of the input")

    def test_refusals_change_nothing(self):
        for target, bad, (outcome, d) in self.outcomes:
            with self.subTest(target=target.name, input=bad.label):
                self.assertEqual(d["integrity"], "ok")
                if d["error"] is not None or not target.writes:
                    self.assertEqual(d["after"], d["before"], outcome)

    def test_successes_change_what_they_say(self):
        for target, bad, (outcome, d) in self.outcomes:
            if d["error"] is not None or not target.writes:
                continue
            with self.subTest(target=target.name, input=bad.label):
                before, after = d["before"], d["after"]
                added = {c: after[c] for c in after.keys() - before.keys()}
                kept = {c: after[c] for c in after.keys() & before.keys()}
                if target.sql.startswith(("INSERT", "SELECT roomcode_new")):
                    # one row, whose values are exactly the ones given (a SQL-looking
                    # string is stored verbatim, never run)
                    self.assertEqual(len(added), target.sql.count("), (") + 1, outcome)
                    self.assertEqual(kept, before)
                    given = bad.params[0] if bad.params else None
                    if "enabled" in target.name and isinstance(given, (str, float)):
                        given = int(float(given))  # the store's INTEGER affinity: '1', 1.0 -> 1
                    self.assertTrue(any(given in row[:4] + (code,) for code, row in added.items()))
                elif target.sql.startswith("SELECT * FROM roomcode_create"):
                    self.assertEqual(kept, before)
                    room = "r-2" if "(·, roles)" in target.name else bad.params[0]
                    self.assertTrue(added)
                    self.assertTrue(all(r[0] == room for r in added.values()))
                    self.assertEqual(len(d["rows"]), len(added))
                elif target.sql.startswith("SELECT roomcode_rotate"):
                    # the named code disabled, and one new code of its room, role and user
                    changed = [c for c in kept if kept[c] != before[c]]
                    self.assertEqual((len(added), len(changed)), (1, 1), outcome)
                    old, new = before[changed[0]], next(iter(added.values()))
                    self.assertEqual((kept[changed[0]][2], new[2]), (0, 1))
                    self.assertEqual((new[0], new[1], new[3]), (old[0], old[1], old[3]))
                    self.assertEqual(d["rows"], [(next(iter(added)),)])
                else:  # UPDATE and DELETE: only the row(s) named
                    self.assertFalse(added)
                    self.assertLessEqual(len(before) - len(after), 1)

    def test_outcomes_are_the_recorded_ones(self):
        recorded = recorded_table()
        for target, bad, (outcome, d) in self.outcomes:
            with self.subTest(target=target.name, input=bad.label):
                self.assertIn((target.name, bad.label), recorded,
                              "a case missing from bad_input.md: run test_bad_input.py --update")
                self.assertEqual(outcome, recorded[(target.name, bad.label)])

    def test_every_function_is_covered(self):
        db = connect()
        try:
            names = {r[0] for r in db.execute(
                "SELECT name FROM pragma_function_list WHERE name LIKE 'roomcode%'")}
        finally:
            db.close()
        covered = {t.name.split("(")[0] for t in TARGETS}
        self.assertEqual(names | {"roomcode_create"}, covered & (names | {"roomcode_create"}))


if __name__ == "__main__":
    if sys.argv[1:] in (["--update"], ["--markdown"]):
        table = markdown(all_outcomes())
        if sys.argv[1] == "--update":
            with open(TABLE_FILE, "w", encoding="utf-8") as f:
                f.write("<!-- written by tests/reliability/test_bad_input.py --update; "
                        "checked by the same test -->\n")
                f.write(table)
        else:
            sys.stdout.write(table)
    else:
        unittest.main()
